"""Workflows kept in memory between steps, so a busy instance is not deserialized at every step.

An entry is valid only for the instance row version it was saved as: another process (or a step that
failed and rolled back) makes it stale and the state is read from the database again. A step takes its
workflow out of the cache, so no two threads ever share one (a BpmnWorkflow is not thread-safe).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow


class LiveWorkflowCache:
    def __init__(self, capacity: int = 2000) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[int, tuple[int, BpmnWorkflow]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, instance_id: int, row_version: int) -> BpmnWorkflow | None:
        with self._lock:
            entry = self._entries.pop(instance_id, None)
        if entry is None or entry[0] != row_version:
            return None
        return entry[1]

    def put(self, instance_id: int, row_version: int, workflow: BpmnWorkflow) -> None:
        if self.capacity <= 0:
            return
        with self._lock:
            self._entries[instance_id] = (row_version, workflow)
            self._entries.move_to_end(instance_id)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
