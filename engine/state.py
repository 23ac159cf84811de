"""An instance's own state: serialized without its spec, and kept small however long it runs.

SpiffWorkflow keeps every executed task in a tree that only grows; a loop that runs long makes each step
slower and, past a depth of about 1,000, silently stops (its tree iterator has a depth limit). After each
step we cut the finished history above the live part of the tree; the audit table keeps that history.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

FINISHED = TaskState.FINISHED_MASK


class _InstanceOnlyConverter(BpmnWorkflowConverter):
    """Serializes a workflow without its spec; restores it around a spec object the caller already has."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct: dict[str, Any] = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any], spec: BpmnProcessSpec | None = None,
                  subprocess_specs: dict[str, BpmnProcessSpec] | None = None) -> BpmnWorkflow:
        if spec is None:  # a full serialization (with its spec), e.g. after a format migration
            return super().from_dict(dct)
        workflow = self.target_class(spec, subprocess_specs or {}, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


_CONFIG = dict(SPIFF_CONFIG)
_CONFIG[BpmnWorkflow] = _InstanceOnlyConverter
SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(_CONFIG))
SERIALIZER_VERSION: str = SERIALIZER.VERSION
_FULL_SERIALIZER = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))


def dump_state(workflow: BpmnWorkflow) -> dict[str, Any]:
    state: dict[str, Any] = SERIALIZER.to_dict(workflow)
    return state


def load_state(state: dict[str, Any], version: str, spec: BpmnProcessSpec,
               subprocess_specs: dict[str, BpmnProcessSpec]) -> BpmnWorkflow:
    dct = dict(state)
    if version != SERIALIZER_VERSION:
        # Older format: put the spec back so SpiffWorkflow's own migrations can run, then restore fully.
        dct["spec"] = _FULL_SERIALIZER.to_dict(spec)
        dct["subprocess_specs"] = {name: _FULL_SERIALIZER.to_dict(s) for name, s in subprocess_specs.items()}
        dct[SERIALIZER.VERSION_KEY] = version
        SERIALIZER.migrate(dct)
        workflow: BpmnWorkflow = _FULL_SERIALIZER.from_dict(dct)
        return workflow
    workflow = SERIALIZER.from_dict(dct, spec=spec, subprocess_specs=subprocess_specs)
    return workflow


def prune_history(workflow: BpmnWorkflow) -> int:
    """Drop finished tasks that no live task depends on; returns how many were removed.

    Everything unfinished (ready, waiting, predicted) lies under the lowest common ancestor of the
    unfinished tasks; we keep that ancestor's parent (children inherit data from it) and splice it directly
    under the tree's first two levels, discarding the finished chain and side branches in between.
    """
    removed = _prune_tree(workflow)
    for sub in list(workflow.subprocesses.values()):
        removed += _prune_tree(sub)
    _drop_orphan_subprocesses(workflow)
    return removed


def _prune_tree(workflow: Any) -> int:
    root: Task = workflow.task_tree
    live = [t for t in workflow.tasks.values() if not t.has_state(FINISHED)]
    if not live:
        return 0
    common = _ancestry(live[0])
    for task in live[1:]:
        path = _ancestry(task)
        n = 0
        while n < min(len(common), len(path)) and common[n] is path[n]:
            n += 1
        common = common[:n]
    # common[-1] is the lowest common ancestor; keep its parent when it is itself unfinished.
    anchor_index = len(common) - 1
    if not common[anchor_index].has_state(FINISHED) and anchor_index > 0:
        anchor_index -= 1
    keep_top = 2  # the Root task and its Start task
    if anchor_index <= keep_top:
        return 0
    top, anchor = common[keep_top - 1], common[anchor_index]
    doomed_head = common[keep_top]
    # Detach the anchor from its parent, then drop the whole finished chain from doomed_head down.
    anchor.parent._children.remove(anchor.id)
    before = len(workflow.tasks)
    _remove_subtree(workflow, doomed_head)
    top._children.remove(doomed_head.id)
    top._children.append(anchor.id)
    anchor._parent = top.id
    if workflow.last_task is not None and workflow.last_task.id not in workflow.tasks:
        workflow.last_task = None
    del root
    return before - len(workflow.tasks)


def _ancestry(task: Task) -> list[Task]:
    path = []
    node: Task | None = task
    while node is not None:
        path.append(node)
        node = node.parent
    path.reverse()
    return path


def _remove_subtree(workflow: Any, task: Task) -> None:
    stack = [task]
    while stack:
        node = stack.pop()
        stack.extend(child for child in node.children if child is not None)
        workflow.tasks.pop(node.id, None)


def _drop_orphan_subprocesses(workflow: BpmnWorkflow) -> None:
    changed = True
    while changed:
        changed = False
        # A subprocess is keyed by the id of the task that called it (in the top workflow or another
        # subprocess); SpiffWorkflow's own ``parent_workflow`` raises once that task was pruned.
        for task_id in list(workflow.subprocesses):
            if task_id not in workflow.tasks and not any(task_id in other.tasks
                                                         for other in workflow.subprocesses.values()):
                del workflow.subprocesses[task_id]
                changed = True
