"""Moving running instances from one version of their model to a newer one, where that is safe (issue 6).

Each instance moves in its own transaction and holds its row lock (FOR UPDATE on PostgreSQL, the database's write
lock on SQLite) throughout: that lock is the suspension, since no step, timer or message can touch the instance
while it moves; the events ``migration_suspended`` and ``migration_resumed`` record it, and the status afterwards
is what the instance's tasks say, as after any step. Inside, SpiffWorkflow's diff checks the instance against the
new version, ``migrate_workflow`` points its tasks at the new specs, the engine runs what became runnable, and
``steps.save`` persists it as any step does. A refused instance is rolled back untouched; the refusal is then
audited in a small transaction of its own (``migration_refused``), so the instance's history says why it stayed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine import messages, store
from engine.catalog import Deployed
from engine.compiler import CompiledModel
from engine.core import EngineCore
from engine.errors import FieldError, InvalidData, NotFound
from engine.identity import REQUESTER_ROLE
from engine.logs import log
from engine.migration_diff import move_workflow
from engine.migration_views import MigrationCheck, MigrationPlan, MigrationReport
from engine.models import FINAL_STATUSES, HumanTask, Incident, Instance, InstanceStatus, ProcessVersion
from engine.steps import StepError, StepRecorder, advance, human_task_fields, restore, save
from engine.store import LiveInstance
from engine.waits import drop_wake_ups


class _Refused(Exception):
    """Rolls the instance's transaction back; ``audit`` says whether the refusal goes into its history."""

    def __init__(self, check: MigrationCheck, audit: bool = True) -> None:
        super().__init__("; ".join(check.reasons))
        self.check = check
        self.audit = audit


class MigrationOps(EngineCore):
    def migration_plan(self, actor: str, model: str, from_version: int, to_version: int) -> MigrationPlan:
        """Each running instance of ``from_version`` and whether it could move to ``to_version`` now: the same
        checks and the same in-memory move as ``migrate_instances``, without writing anything."""
        self._require_designer(actor, "migrar instancias")
        now = self.clock()
        checks = []
        with self.db.read() as session:
            old, new = self._versions(session, model, from_version, to_version)
            for instance_id in _running(session, old.info.id):
                instance = self._instance(session, instance_id)
                reasons, _ = self._inspect(session, instance, old, new, now)
                checks.append(_check(instance, reasons))
        return MigrationPlan(model, from_version, to_version, checks)

    def migrate_instances(self, actor: str, model: str, from_version: int, to_version: int,
                          instance_ids: list[int] | None = None) -> MigrationReport:
        """Move the given instances (all running ones of ``from_version`` when None), each in its own
        transaction; those that cannot move are left exactly as they were and reported with the reasons."""
        self._require_designer(actor, "migrar instancias")
        with self.db.read() as session:
            old, new = self._versions(session, model, from_version, to_version)
            targets = _running(session, old.info.id) if instance_ids is None else list(dict.fromkeys(instance_ids))
        moved: list[int] = []
        refused: list[MigrationCheck] = []
        for instance_id in targets:
            check = self._migrate_one(actor, instance_id, old, new)
            if check is None:
                moved.append(instance_id)
            else:
                refused.append(check)
        log.info("instances migrated", extra={"model": model, "from_version": from_version,
                                              "to_version": to_version, "moved": len(moved),
                                              "refused": len(refused), "actor": actor})
        return MigrationReport(model, from_version, to_version, moved, refused)

    # -- one instance ----------------------------------------------------------------------------------------------

    def _migrate_one(self, actor: str, instance_id: int, old: Deployed, new: Deployed) -> MigrationCheck | None:
        now = self.clock()
        try:
            with self.db.write() as session:
                instance = self._moving(session, instance_id, old)
                recorder = self._recorder(instance, actor, now, session)
                recorder.event("migration_suspended", from_status=instance.status.value,
                               to_status=InstanceStatus.SUSPENDED.value, from_version=old.info.version,
                               to_version=new.info.version)
                reasons, workflow = self._inspect(session, instance, old, new, now)
                if workflow is None:
                    raise _Refused(_check(instance, reasons))
                self._move(session, instance, workflow, recorder, old, new)
        except _Refused as refusal:
            if refusal.audit:
                self._audit_refusal(actor, refusal.check, old, new, now)
            return refusal.check
        self.live.put(instance.id, instance.row_version, workflow)
        return None

    def _moving(self, session: Session, instance_id: int, old: Deployed) -> LiveInstance:
        """The instance, locked, provided it runs on the version being migrated."""
        instance = store.load_instance(session, instance_id, lock=self._lock_rows)
        if instance is None:
            raise _Refused(MigrationCheck(instance_id, None, "", False, [f"No existe la instancia {instance_id}."]),
                           audit=False)
        if instance.process_version_id != old.info.id or instance.status.is_final:
            reason = (f"La instancia {instance_id} no está en curso en la versión {old.info.version} de "
                      f"{old.info.model}.")
            raise _Refused(_check(instance, [reason]), audit=False)
        return instance

    def _move(self, session: Session, instance: LiveInstance, workflow: BpmnWorkflow, recorder: StepRecorder,
              old: Deployed, new: Deployed) -> None:
        """Persist the moved workflow as a step would; the row then belongs to the new version."""
        open_rows = store.open_task_rows(session, instance.id)
        _refresh_task_rows(session, instance, workflow, open_rows, recorder)
        try:
            advance(workflow, recorder, events=new.model.events)
        except StepError as failure:
            where = failure.element_name or failure.element_id or "proceso"
            reason = (f"La versión {new.info.version} falla al continuar en «{where}» "
                      f"({failure.element_id or '-'}): {failure.cause}")
            raise _Refused(_check(instance, [reason])) from failure
        self._index_subject(instance, new.model, workflow, recorder)
        session.execute(update(Instance).where(Instance.id == instance.id)
                        .values(process_version_id=new.info.id))
        instance.process_version_id = new.info.id
        _drop_what_the_new_version_lacks(session, instance.id, old.model, new.model)
        recorder.event("instance_migrated", from_version=old.info.version, to_version=new.info.version,
                       moved_by=recorder.actor, reasons=[])
        save(session, instance, workflow, recorder, {row.spiff_task_id for row in open_rows},
             events=new.model.events)
        recorder.events.clear()
        recorder.event("migration_resumed", from_status=InstanceStatus.SUSPENDED.value,
                       to_status=instance.status.value)
        store.insert_events(session, recorder.events)

    def _inspect(self, session: Session, instance: LiveInstance, old: Deployed, new: Deployed,
                 now: datetime) -> tuple[list[str], BpmnWorkflow | None]:
        """Why the instance cannot move (empty when it can) and, when it can, its workflow already moved to the
        new version in memory (nothing written)."""
        reasons = []
        if instance.status == InstanceStatus.SUSPENDED:
            reasons.append("La instancia está suspendida: reanúdela antes de migrarla.")
        incident = session.execute(select(Incident.id, Incident.element_id)
                                   .where(Incident.instance_id == instance.id, Incident.resolved_at.is_(None))
                                   .order_by(Incident.id).limit(1)).first()
        if incident is not None:
            reasons.append(f"Tiene un incidente abierto (#{incident.id}) en «{incident.element_id or 'proceso'}»: "
                           "resuélvalo antes de migrarla.")
        if reasons:
            return reasons, None
        store.load_state_of(session, instance)
        workflow = restore(instance, old.model, self.script_engine)
        return move_workflow(workflow, new.model, new.info.version, now, self.script_engine)

    def _audit_refusal(self, actor: str, check: MigrationCheck, old: Deployed, new: Deployed,
                       now: datetime) -> None:
        with self.db.write() as session:
            store.insert_events(session, [{
                "instance_id": check.instance_id, "at": now, "actor": actor, "kind": "migration_refused",
                "element_id": None, "element_name": None, "from_status": None, "to_status": None,
                "detail": {"from_version": old.info.version, "to_version": new.info.version,
                           "reasons": list(check.reasons)}}])

    # -- checks ----------------------------------------------------------------------------------------------------


    def _versions(self, session: Session, model: str, from_version: int,
                  to_version: int) -> tuple[Deployed, Deployed]:
        rows = {v.version: v for v in session.scalars(
            select(ProcessVersion).where(ProcessVersion.model == model,
                                         ProcessVersion.version.in_([from_version, to_version])))}
        for number in (from_version, to_version):
            if number not in rows:
                raise NotFound(f"No existe la versión {number} del modelo «{model}».")
        if to_version <= from_version:
            raise InvalidData([FieldError("a", f"debe ser posterior a la versión de origen ({from_version})")])
        old, new = rows[from_version], rows[to_version]
        if old.process_id != new.process_id:
            raise InvalidData([FieldError("a", f"la versión {to_version} es del proceso «{new.process_id}», "
                                               f"no de «{old.process_id}»")])
        return self.specs.get(session, old.id), self.specs.get(session, new.id)


def _refresh_task_rows(session: Session, instance: LiveInstance, workflow: BpmnWorkflow, rows: list[Any],
                       recorder: StepRecorder) -> None:
    """The open human tasks take the new version's name, role, form and due time (counted from when the task
    opened); a row whose task went away is cancelled
    by ``save``); each change is audited."""
    for row in rows:
        task = workflow.get_task_from_id(UUID(row.spiff_task_id))
        if task is None:
            continue
        values = human_task_fields(task, row.created_at)
        changed = {key: value for key, value in values.items() if getattr(row, key) != value}
        if not changed:
            continue
        audit = {key: [_plain(getattr(row, key)), _plain(value)] for key, value in changed.items()}
        if "role" in changed:
            changed["assignee"] = (instance.initiator if changed["role"] == REQUESTER_ROLE
                                   else None if row.role == REQUESTER_ROLE else row.assignee)
        session.execute(update(HumanTask).where(HumanTask.id == row.id).values(**changed))
        recorder.event("task_migrated", values["element_id"] or None, values["name"] or None, task_id=row.id,
                       changes=audit)


def _drop_what_the_new_version_lacks(session: Session, instance_id: int, old: CompiledModel,
                                     new: CompiledModel) -> None:
    """``save`` syncs timers and message waits only for a version that has them; clear the old version's."""
    if old.events.has_timers and not new.events.has_timers:
        drop_wake_ups(session, instance_id)
    if old.events.catches_messages and not new.events.catches_messages:
        messages.drop_subscriptions(session, instance_id)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _running(session: Session, version_id: int) -> list[int]:
    return list(session.scalars(select(Instance.id).where(Instance.process_version_id == version_id,
                                                          Instance.status.not_in(FINAL_STATUSES)).order_by(Instance.id)))


def _check(instance: LiveInstance, reasons: list[str]) -> MigrationCheck:
    return MigrationCheck(instance.id, instance.business_key, instance.status.value, not reasons, list(reasons))
