"""An instance's life outside its steps: suspend, resume, terminate, and reading it whole."""

from __future__ import annotations

from engine import queries
from engine.catalog import Deployed
from engine.core import EngineCore
from engine.models import InstanceStatus
from engine.steps import restore
from engine.views import InstanceDetail, InstanceView


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
            queries.change_status(session, instance, actor, target, self.clock())
            return InstanceView.of(instance, deployed.info, queries.open_tasks(session, instance.id))
