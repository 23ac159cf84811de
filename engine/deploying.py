"""Writing checked models as new versions: the one code path ``cauce deploy`` and the designer share.

Both compile first (outside any write), then call ``_write_versions`` in one transaction: the message-start clash,
the process-id clash (``deploy_compiled``) and the timer start are checked there, so a failure writes nothing.
``_deploy_problems`` answers the same questions without writing, for the designer's validation."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from engine import schedule
from engine.catalog import Deployed, deploy_compiled, process_id_owner
from engine.compiler import CompiledModel
from engine.core import EngineCore
from engine.errors import ModelInvalid, Problem
from engine.identity import known_roles
from engine.models import ProcessVersion
from engine.views import DeployResult, VersionInfo


class DeployOps(EngineCore):
    if TYPE_CHECKING:  # provided by EventOps, which Engine also inherits
        def _message_started(self, session: Session) -> dict[str, list[tuple[int, Deployed]]]: ...

    def _known_roles(self) -> set[str]:
        with self.db.read() as session:
            return known_roles(session)

    def _write_versions(self, session: Session, batch: list[CompiledModel], actor: str,
                        now: datetime) -> list[DeployResult]:
        clashes = self._message_start_clashes(session, batch)
        if clashes:
            raise ModelInvalid(", ".join(sorted({p.file for p in clashes})), clashes)
        deployed = []
        for compiled in batch:
            result = deploy_compiled(session, compiled, actor, now)
            if result.status == "deployed":
                self._schedule_timer_start(session, compiled, now)
            deployed.append(result)
        return deployed

    def _remember_deployed(self, results: list[DeployResult], batch: list[CompiledModel]) -> None:
        """After the deploy committed: its compiled models go to the spec cache, so neither the first start on a
        new version nor the next validation (its message-start check reads every deployed version) compiles
        them again."""
        compiled_by_model = {c.bundle.name: c for c in batch}
        fresh = {(r.model, r.version): compiled_by_model[r.model] for r in results if r.status == "deployed"}
        if not fresh:
            return
        with self.db.read() as session:
            rows = session.scalars(select(ProcessVersion).where(
                tuple_(ProcessVersion.model, ProcessVersion.version).in_(list(fresh))))
            for row in rows:
                info = VersionInfo(row.id, row.model, row.version, row.process_id, row.process_name)
                self.specs.remember(Deployed(info, fresh[(row.model, row.version)]))

    def _deploy_problems(self, session: Session, compiled: CompiledModel, now: datetime) -> list[Problem]:
        """What ``_write_versions`` would refuse for this one model, without writing anything."""
        problems = []
        owner = process_id_owner(session, compiled.process_id, compiled.bundle.name)
        if owner is not None:
            problems.append(Problem(compiled.bundle.bpmn_files[0], compiled.process_id, None,
                                    f"el id de proceso «{compiled.process_id}» ya lo usa el modelo {owner}"))
        problems.extend(self._message_start_clashes(session, [compiled]))
        timer = self._timer_start_problem(compiled, now)
        if timer is not None:
            problems.append(timer)
        return problems

    def _message_start_clashes(self, session: Session, batch: list[CompiledModel]) -> list[Problem]:
        """A message that starts two processes would start one of them at random: refuse the second."""
        starts: dict[str, set[str]] = {}
        for name, found in self._message_started(session).items():
            for _, d in found:
                starts.setdefault(d.model.process_id, set()).add(name)
        starts.update({c.process_id: set(c.events.message_starts) for c in batch})
        problems = []
        for compiled in batch:
            for name in compiled.events.message_starts:
                others = sorted(p for p, names in starts.items() if name in names and p != compiled.process_id)
                if not others:
                    continue
                problems.append(Problem(compiled.bundle.bpmn_files[0], compiled.process_id, None,
                                        f"el mensaje «{name}» ya inicia el proceso {others[0]}: "
                                        "un mensaje solo puede iniciar un proceso"))
        return problems

    def _first_timer_start(self, compiled: CompiledModel, now: datetime) -> schedule.Occurrence | None:
        timer = compiled.events.timer_start
        if timer is None:
            return None
        evaluate = self.script_engine.environment.evaluate
        return schedule.first_occurrence(timer, lambda expr: evaluate(expr, {}), now)

    @staticmethod
    def _timer_problem(compiled: CompiledModel, exc: Exception) -> Problem:
        timer = compiled.events.timer_start
        return Problem(compiled.bundle.bpmn_files[0], timer.element_id if timer else None, None,
                       f"temporizador de inicio: {exc}")

    def _timer_start_problem(self, compiled: CompiledModel, now: datetime) -> Problem | None:
        try:
            self._first_timer_start(compiled, now)
        except Exception as exc:
            return self._timer_problem(compiled, exc)
        return None

    def _schedule_timer_start(self, session: Session, compiled: CompiledModel, now: datetime) -> None:
        """A new version's timer start event replaces the previous version's schedule."""
        schedule.unschedule(session, compiled.process_id)
        if compiled.events.timer_start is None:
            return
        try:
            occurrence = self._first_timer_start(compiled, now)
        except Exception as exc:
            raise ModelInvalid(compiled.bundle.name, [self._timer_problem(compiled, exc)]) from exc
        schedule.schedule(session, compiled.process_id, occurrence)
