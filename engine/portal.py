"""What the portal reads: the processes a user may start, an instance's page with its diagram marks, and the
requester's own instances. Access is decided here, so no page can show what its reader may not see."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import queries, store
from engine.access import SUPERVISING_ROLES, may_view_instance
from engine.catalog import Deployed, deployed_processes
from engine.compiler import CompiledModel
from engine.core import EngineCore
from engine.errors import Forbidden, NotFound
from engine.event_specs import manual_start_spec
from engine.identity import REQUESTER_ROLE
from engine.jobs import Job, JobStatus
from engine.messages import MessageSubscription
from engine.models import Event, HumanTask, Incident, Instance, ProcessVersion, TaskStatus
from engine.starts import require_manual_start
from engine.steps import restore
from engine.store import LiveInstance
from engine.views import InstanceDetail, _Plain
from engine.waits import TIMER_KIND

COMPLETED_KINDS = ("task_run", "task_completed")


@dataclass(frozen=True)
class StartableProcess(_Plain):
    """A deployed process and its start form (JSON schema and UI schema), as the user may start it."""

    process_id: str
    name: str
    version: int
    start_role: str | None
    schema: dict[str, Any] | None
    ui_schema: dict[str, Any]
    instructions: str | None
    description: str | None = None  # the process's documentation: what it is for, in the catalog
    case_type: bool = False  # numbered cases (caseNumberPrefix): the requester portal's catalog lists these


@dataclass(frozen=True)
class DiagramMarks(_Plain):
    """Element ids to colour on the diagram; each id is in one list only (failed, then active, then completed)."""

    completed: list[str]
    active: list[str]
    failed: list[str]


@dataclass(frozen=True)
class InstancePage(_Plain):
    detail: InstanceDetail
    marks: DiagramMarks
    may_retry: bool  # the reader supervises: incidents show "Reintentar"


@dataclass(frozen=True)
class InstanceSummary(_Plain):
    id: int
    business_key: str | None
    process_id: str
    process_name: str
    status: str
    created_at: datetime
    updated_at: datetime
    current_steps: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class InstancePageOf(_Plain):
    """One page of a list of instances, newest first."""

    items: list[InstanceSummary]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _may_start(start_role: str | None, roles: set[str]) -> bool:
    return start_role in (None, REQUESTER_ROLE) or start_role in roles


def _startable(deployed: Deployed) -> StartableProcess:
    model = deployed.model
    start_spec = manual_start_spec(model.spec) or next(
        (s for s in model.spec.task_specs.values() if type(s).__name__ == "StartEvent"), None)
    extensions: dict[str, Any] = getattr(start_spec, "extensions", None) or {}
    ui_file = (extensions.get("properties") or {}).get("formUiSchemaFilename")
    ui_schema = model.ui_form(ui_file)
    return StartableProcess(model.process_id, deployed.info.process_name, deployed.info.version, model.start_role,
                            model.form(model.start_form), ui_schema, extensions.get("instructionsForEndUser"),
                            model.documentation, model.case_prefix is not None)


def _with_calls(marks: DiagramMarks, workflow: BpmnWorkflow) -> DiagramMarks:
    """A call activity whose called process is still running is active on the caller's diagram (the called
    process's own elements are not on it)."""
    calling: set[str] = set()
    trees = [workflow, *workflow.subprocesses.values()]
    for task_id in workflow.subprocesses:
        caller = next((tree.tasks[task_id] for tree in trees if task_id in tree.tasks), None)
        if caller is not None and not caller.has_state(TaskState.FINISHED_MASK):
            calling.add(str(caller.task_spec.bpmn_id))
    if not calling:
        return marks
    return DiagramMarks(sorted(set(marks.completed) - calling), sorted(set(marks.active) | calling), marks.failed)


def _folded(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


def _diagram_file(model: CompiledModel) -> str:
    """The BPMN file that holds the model's process (the first one when none says so)."""
    for name in model.bundle.bpmn_files:
        if f'id="{model.process_id}"' in model.bundle.files[name]:
            return name
    return model.bundle.bpmn_files[0]


class PortalOps(EngineCore):
    def startable_processes(self, username: str) -> list[StartableProcess]:
        """The deployed processes whose start lane is one of the user's roles (``solicitante``: anyone)."""
        with self.db.read() as session:
            roles = store.actor_roles(session, username) or set()
            if not roles:  # no such user (or one with no role at all): nothing to start
                return []
            models = [self.specs.get(session, version.id) for version in deployed_processes(session)]
        # A process a message starts (billing's pool of PRO-MAA-16) is nobody's to start by hand.
        found = [_startable(d) for d in models if d.model.events.startable_by_hand]
        return [p for p in found if _may_start(p.start_role, roles)]

    def start_form_of(self, process_id: str, username: str) -> StartableProcess:
        with self.db.read() as session:
            roles = store.actor_roles(session, username) or set()
            version_id = store.latest_version_id(session, process_id)
            if version_id is None:
                raise NotFound(f"No hay ningún proceso desplegado con id «{process_id}».")
            deployed = self.specs.get(session, version_id)
            require_manual_start(deployed.model)
            process = _startable(deployed)
        if not _may_start(process.start_role, roles):
            raise Forbidden(f"Solo el rol «{process.start_role}» puede iniciar {process_id}.")
        return process

    def case_catalog(self, username: str, query: str = "") -> list[StartableProcess]:
        """The case types a requester may open (processes with case numbers whose start lane is the
        requester's), filtered by keywords: each word must appear in the name or the description, ignoring
        accents and case."""
        words = _folded(query).split()
        found = []
        for process in self.startable_processes(username):
            if process.start_role != REQUESTER_ROLE or not process.case_type:
                continue
            text = _folded(f"{process.name} {process.description or ''}")
            if all(word in text for word in words):
                found.append(process)
        return sorted(found, key=lambda p: _folded(p.name))

    def case_instance_id(self, case_number: str, username: str) -> int:
        """The instance of a case number, if ``username`` may see it (else NotFound, whoever owns it)."""
        with self.db.read() as session:
            instance_id = session.scalar(select(Instance.id).where(Instance.business_key == case_number).limit(1))
            if instance_id is None:
                raise NotFound(f"No existe el caso {case_number}.")
            try:
                self._visible(session, instance_id, username)
            except Forbidden:
                raise NotFound(f"No existe el caso {case_number}.") from None
        return int(instance_id)

    def instance_page(self, instance_id: int, username: str) -> InstancePage:
        """The instance as its page shows it, if ``username`` may see it (404 for requesters, 403 for staff)."""
        with self.db.read() as session:
            instance, deployed, roles = self._visible(session, instance_id, username)
            store.load_state_of(session, instance)
            workflow = restore(instance, deployed.model, self.script_engine)
            detail = queries.instance_detail(session, instance, deployed.info, workflow)
            marks = _with_calls(self._marks(session, instance_id), workflow)
        return InstancePage(detail, marks, bool(roles & SUPERVISING_ROLES))

    def diagram_of(self, instance_id: int, username: str) -> str:
        """The BPMN XML of the instance's deployed version."""
        with self.db.read() as session:
            deployed = self._visible(session, instance_id, username)[1]
        model = deployed.model
        return model.bundle.files[_diagram_file(model)]

    def instances_started_by(self, username: str, page: int = 1, per_page: int = 20) -> InstancePageOf:
        """The user's own instances (as initiator), newest first, with the names of their open tasks."""
        page, per_page = max(1, page), max(1, min(per_page, 100))
        with self.db.read() as session:
            total = session.scalar(select(func.count()).select_from(Instance)
                                   .where(Instance.initiator == username)) or 0
            rows = session.execute(
                select(Instance.id, Instance.business_key, Instance.process_id, ProcessVersion.process_name,
                       Instance.status, Instance.created_at, Instance.updated_at, Instance.process_version_id)
                .join(ProcessVersion, ProcessVersion.id == Instance.process_version_id)
                .where(Instance.initiator == username)
                .order_by(Instance.created_at.desc(), Instance.id.desc())
                .limit(per_page).offset((page - 1) * per_page)).all()
            steps: dict[int, list[str]] = {}
            if rows:
                for task in session.execute(
                        select(HumanTask.instance_id, HumanTask.name)
                        .where(HumanTask.instance_id.in_([r.id for r in rows]), HumanTask.status == TaskStatus.OPEN)
                        .order_by(HumanTask.id)):
                    steps.setdefault(task.instance_id, []).append(task.name)
                version_of = {r.id: r.process_version_id for r in rows}
                for wait in session.execute(  # a step that waits for another pool's message is shown by its name
                        select(MessageSubscription.instance_id, MessageSubscription.element_id)
                        .where(MessageSubscription.instance_id.in_(list(version_of)))
                        .order_by(MessageSubscription.id)):
                    spec = self.specs.get(session, version_of[wait.instance_id]).model.spec
                    task_spec = next((t for t in spec.task_specs.values()
                                      if getattr(t, "bpmn_id", None) == wait.element_id), None)
                    steps.setdefault(wait.instance_id, []).append(
                        getattr(task_spec, "bpmn_name", None) or wait.element_id)
        items = [InstanceSummary(r.id, r.business_key, r.process_id, r.process_name, r.status.value, r.created_at,
                                 r.updated_at, steps.get(r.id, [])) for r in rows]
        return InstancePageOf(items, page, per_page, int(total))

    def _visible(self, session: Session, instance_id: int,
                 username: str) -> tuple[LiveInstance, Deployed, set[str]]:
        roles = store.actor_roles(session, username) or set()
        instance = store.load_instance(session, instance_id, lock=False)
        if instance is None:
            raise NotFound(f"No existe la instancia {instance_id}.")
        deployed = self.specs.get(session, instance.process_version_id)
        if not may_view_instance(username, roles, instance.initiator, deployed.model):
            if roles - {REQUESTER_ROLE}:
                raise Forbidden(f"Sus roles no trabajan en el proceso de la instancia {instance_id}.")
            raise NotFound(f"No existe la instancia {instance_id}.")  # a requester may not learn it exists
        return instance, deployed, roles

    def _marks(self, session: Session, instance_id: int) -> DiagramMarks:
        ran: set[str | None] = set(session.scalars(select(Event.element_id).distinct().where(
            Event.instance_id == instance_id, Event.kind.in_(COMPLETED_KINDS), Event.element_id.is_not(None))))
        active = set(session.scalars(select(HumanTask.element_id).where(
            HumanTask.instance_id == instance_id, HumanTask.status == TaskStatus.OPEN)))
        # What the instance waits at is active too: a message it waits for, a timer not yet due.
        active |= set(session.scalars(select(MessageSubscription.element_id).where(
            MessageSubscription.instance_id == instance_id)))
        for payload in session.scalars(select(Job.payload).where(
                Job.instance_id == instance_id, Job.kind == TIMER_KIND, Job.status == JobStatus.PENDING)):
            active |= set((payload or {}).get("elements") or [])
        failed = set(session.scalars(select(Incident.element_id).where(
            Incident.instance_id == instance_id, Incident.resolved_at.is_(None), Incident.element_id.is_not(None))))
        active -= failed
        completed = {e for e in ran - active - failed if e}
        return DiagramMarks(sorted(completed), sorted(active), sorted(f for f in failed if f))
