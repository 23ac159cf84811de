"""An instance's life outside its steps: suspend, resume, terminate, and reading it whole."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import jobs, messages, queries
from engine.catalog import Deployed
from engine.core import EngineCore
from engine.models import InstanceStatus
from engine.steps import restore
from engine.views import InstanceDetail, InstanceView
from engine.waits import TIMER_KIND, drop_wake_ups


class LifecycleOps(EngineCore):
    def suspend(self, instance_id: int, actor: str) -> InstanceView:
        return self._set_status(instance_id, actor, InstanceStatus.SUSPENDED)

    def resume(self, instance_id: int, actor: str) -> InstanceView:
        return self._set_status(instance_id, actor, None)

    def terminate(self, instance_id: int, actor: str) -> InstanceView:
        return self._set_status(instance_id, actor, InstanceStatus.TERMINATED)

    def show(self, instance_id: int) -> InstanceDetail:
        with self.db.read() as session:
            instance = self._instance(session, instance_id)
            deployed = self.specs.get(session, instance.process_version_id)
            workflow = restore(instance, deployed.model, self.script_engine)
            return queries.instance_detail(session, instance, deployed.info, workflow)

    def _set_status(self, instance_id: int, actor: str, target: InstanceStatus | None) -> InstanceView:
        self._require_supervisor(actor, "suspender, reanudar o terminar instancias")
        with self.db.write() as session:
            instance = self._live(session, instance_id)
            deployed: Deployed = self.specs.get(session, instance.process_version_id)
            now = self.clock()
            queries.change_status(session, instance, actor, target, now)
            if deployed.model.events.any:
                self._after_status_change(session, instance.id, instance.status, now)
            return InstanceView.of(instance, deployed.info, queries.open_tasks(session, instance.id))

    @staticmethod
    def _after_status_change(session: Session, instance_id: int, status: InstanceStatus, now: datetime) -> None:
        """A resumed instance catches up: timers that fell due while it slept fire now, and messages kept for it
        are delivered. An ended one waits for nothing more."""
        if status.is_final:
            messages.drop_subscriptions(session, instance_id)
            drop_wake_ups(session, instance_id)
            return
        if status == InstanceStatus.SUSPENDED:
            return
        jobs.enqueue(session, TIMER_KIND, now, {}, instance_id=instance_id,
                     dedupe_key=f"timer:{instance_id}:resumed:{now.isoformat()}")
        waits = session.scalars(select(messages.MessageSubscription)
                                .where(messages.MessageSubscription.instance_id == instance_id)).all()
        messages.replace_subscriptions(session, instance_id, [
            messages.Waiting(w.name, w.correlation_key, w.element_id) for w in waits], now)
