"""What a person sees around one task: the task, its case, its data, its instructions and its form."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.compiler import CompiledModel
from engine.scripting import to_json_value
from engine.steps import current_data
from engine.views import InstanceView, TaskView, _Plain


@dataclass(frozen=True)
class NoteView(_Plain):
    id: int
    instance_id: int
    task_id: int | None
    author: str
    at: Any  # datetime (aware UTC)
    text: str


@dataclass(frozen=True)
class AttachmentView(_Plain):
    id: int
    instance_id: int
    task_id: int | None
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    at: Any  # datetime (aware UTC)


@dataclass(frozen=True)
class TaskWorkspace(_Plain):
    """One task as its page shows it. ``may_work``: the viewer may fill and complete its form now."""

    task: TaskView
    instance: InstanceView
    data: dict[str, Any]
    instructions: str | None  # the Jinja + Markdown source (instructionsForEndUser), not rendered
    form_schema: dict[str, Any] | None
    ui_schema: dict[str, Any]
    may_work: bool
    notes: list[NoteView] = field(default_factory=list)
    attachments: list[AttachmentView] = field(default_factory=list)


def element_spec(model: CompiledModel, element_id: str) -> Any | None:
    """The SpiffWorkflow task spec of a BPMN element, in the process or any of its subprocesses."""
    for spec in (model.spec, *model.subprocess_specs.values()):
        for task_spec in spec.task_specs.values():
            if getattr(task_spec, "bpmn_id", None) == element_id:
                return task_spec
    return None


def instructions_of(task_spec: Any | None) -> str | None:
    extensions = getattr(task_spec, "extensions", None) or {}
    text = extensions.get("instructionsForEndUser")
    return str(text) if text else None


def ui_schema_of(model: CompiledModel, task_spec: Any | None) -> dict[str, Any]:
    properties = (getattr(task_spec, "extensions", None) or {}).get("properties") or {}
    return model.ui_form(properties.get("formUiSchemaFilename"))


def task_data(workflow: BpmnWorkflow, spiff_task_id: str) -> dict[str, Any]:
    """The data the task sees while it is ready, else the instance's current data."""
    spiff_task = workflow.tasks.get(UUID(spiff_task_id))  # absent once pruned from the finished history
    if spiff_task is not None and not spiff_task.has_state(TaskState.FINISHED_MASK):
        return dict(to_json_value(spiff_task.data))
    return current_data(workflow)
