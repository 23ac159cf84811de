"""Comments and files on an instance, and the page around one task, for those allowed to see the instance.

A requester sees only their own instances: for any other id they get NotFound, as if it did not exist, so ids
cannot be probed. Staff outside the process's roles get Forbidden. Every note and file is an audit event.
"""

from __future__ import annotations

from typing import Any, NoReturn

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import messages, store
from engine.access import may_view_instance, may_work_task
from engine.catalog import Deployed
from engine.core import EngineCore
from engine.errors import FieldError, Forbidden, InvalidData, NotFound
from engine.identity import REQUESTER_ROLE
from engine.messages import MessageSubscription
from engine.models import Attachment, HumanTask, Note, TaskStatus
from engine.steps import restore
from engine.store import LiveInstance
from engine.uploads import check_upload
from engine.views import InstanceView
from engine.workspace import (
    AttachmentView,
    NoteView,
    TaskWorkspace,
    element_spec,
    instructions_of,
    task_data,
    ui_schema_of,
)

MAX_NOTE_CHARS = 5000
NOTE_FIELD = "texto"
NOTE_MESSAGE = "nota_solicitante"  # the message a requester's note becomes for a case that waits for it
_ATTACHMENT_META = (Attachment.id, Attachment.instance_id, Attachment.task_id, Attachment.filename,
                    Attachment.content_type, Attachment.size, Attachment.sha256, Attachment.uploaded_by,
                    Attachment.at)


def _is_requester(roles: set[str]) -> bool:
    """Someone whose only role is the requester's: never told that ids of others exist."""
    return not (roles - {REQUESTER_ROLE})


def _attachment_view(row: Any) -> AttachmentView:
    return AttachmentView(row.id, row.instance_id, row.task_id, row.filename, row.content_type, row.size,
                          row.sha256, row.uploaded_by, row.at)


class NotesOps(EngineCore):
    def add_note(self, instance_id: int, actor: str, text: str, task_id: int | None = None) -> NoteView:
        body = (text or "").strip()
        if not body:
            raise InvalidData([FieldError(NOTE_FIELD, "Este campo es obligatorio.")])
        if len(body) > MAX_NOTE_CHARS:
            raise InvalidData([FieldError(NOTE_FIELD, f"Debe tener como máximo {MAX_NOTE_CHARS} caracteres.")])
        with self.db.write() as session:
            instance, deployed = self._note_scope(session, instance_id, actor, task_id)
            note = Note(instance_id=instance.id, task_id=task_id, author=actor, at=self.clock(), text=body)
            session.add(note)
            session.flush()
            self._note_audit(session, instance, actor, "note_added", note_id=note.id, task_id=task_id, text=body)
            if actor == instance.initiator and deployed.model.events.catches_messages:
                self._tell_the_case(session, instance, note)
            return NoteView(note.id, note.instance_id, note.task_id, note.author, note.at, note.text)

    def notes_of(self, instance_id: int, viewer: str) -> list[NoteView]:
        with self.db.read() as session:
            self._note_scope(session, instance_id, viewer)
            return self._note_rows(session, instance_id)

    def add_attachment(self, instance_id: int, actor: str, filename: str, content_type: str, data: bytes,
                       task_id: int | None = None) -> AttachmentView:
        """Keep a file on the instance. ``content_type`` is what the browser claimed; it is not trusted: the
        stored type follows from the extension, and the first bytes must match it."""
        checked = check_upload(filename, data)
        with self.db.write() as session:
            instance, _ = self._note_scope(session, instance_id, actor, task_id)
            return _attachment_view(self._keep_file(session, instance, actor, checked, content_type, data, task_id))

    def attachments_of(self, instance_id: int, viewer: str) -> list[AttachmentView]:
        with self.db.read() as session:
            self._note_scope(session, instance_id, viewer)
            return self._attachment_rows(session, instance_id)

    def attachment(self, attachment_id: int, viewer: str) -> tuple[AttachmentView, bytes]:
        """A file and its description, for someone allowed to see its instance."""
        with self.db.read() as session:
            meta = session.execute(select(*_ATTACHMENT_META).where(Attachment.id == attachment_id)).first()
            if meta is None:
                raise NotFound(f"No existe el adjunto {attachment_id}.")
            self._note_scope(session, meta.instance_id, viewer, missing=f"No existe el adjunto {attachment_id}.")
            data = session.scalar(select(Attachment.data).where(Attachment.id == attachment_id))
            return _attachment_view(meta), bytes(data or b"")

    def task_workspace(self, task_id: int, viewer: str) -> TaskWorkspace:
        """The task page: task, case, data, instructions, form, notes and files, if the viewer may see it."""
        with self.db.read() as session:
            row = store.load_task(session, task_id)
            if row is None:
                raise NotFound(f"No existe la tarea {task_id}.")
            roles = self._roles(session, viewer)
            instance = self._instance(session, row.instance_id)
            deployed = self.specs.get(session, instance.process_version_id)
            works = may_work_task(viewer, roles, row.role, row.assignee, instance.initiator)
            if not works and not may_view_instance(viewer, roles, instance.initiator, deployed.model):
                self._note_deny(roles, f"No existe la tarea {task_id}.",
                           f"Su usuario no tiene acceso a la tarea {task_id} (rol «{row.role}»).")
            spec = element_spec(deployed.model, row.element_id)
            workflow = restore(instance, deployed.model, self.script_engine)
            return TaskWorkspace(
                task=store.task_view(row),
                instance=InstanceView.of(instance, deployed.info, []),
                data=task_data(workflow, row.spiff_task_id),
                instructions=instructions_of(spec),
                form_schema=deployed.model.form(row.form),
                ui_schema=ui_schema_of(deployed.model, spec),
                may_work=works and row.status == TaskStatus.OPEN,
                notes=self._note_rows(session, instance.id),
                attachments=self._attachment_rows(session, instance.id),
            )

    # -- helpers ------------------------------------------------------------------------------------------------

    def _note_scope(self, session: Session, instance_id: int, viewer: str, task_id: int | None = None,
                 missing: str | None = None) -> tuple[LiveInstance, Deployed]:
        """The instance if ``viewer`` may see it (and ``task_id``, when given, is one of its tasks)."""
        roles = self._roles(session, viewer)
        missing = missing or (f"No existe la tarea {task_id}." if task_id is not None
                              else f"No existe la instancia {instance_id}.")
        instance = store.load_instance(session, instance_id, lock=False)
        if instance is None:
            raise NotFound(missing)
        deployed = self.specs.get(session, instance.process_version_id)
        if not may_view_instance(viewer, roles, instance.initiator, deployed.model):
            self._note_deny(roles, missing, f"Su usuario no tiene acceso a la instancia {instance_id}.")
        if task_id is not None:
            owner = session.scalar(select(HumanTask.instance_id).where(HumanTask.id == task_id))
            if owner != instance_id:
                raise NotFound(f"No existe la tarea {task_id}.")
        return instance, deployed

    def _tell_the_case(self, session: Session, instance: LiveInstance, note: Note) -> None:
        """The requester's note reaches the case as a ``nota_solicitante`` message keyed by its case number,
        when the case waits for one (a model may react to it: answer, reopen a review...)."""
        waiting = session.scalar(select(MessageSubscription.id).where(
            MessageSubscription.instance_id == instance.id, MessageSubscription.name == NOTE_MESSAGE,
            MessageSubscription.correlation_key == instance.business_key).limit(1))
        if waiting is not None:
            messages.send(session, f"note:{note.id}", NOTE_MESSAGE, instance.business_key,
                          {"texto": note.text, "autor": note.author, "nota": note.id}, note.author, note.at,
                          source_instance_id=instance.id)

    @staticmethod
    def _note_deny(roles: set[str], missing: str, forbidden: str) -> NoReturn:
        raise NotFound(missing) if _is_requester(roles) else Forbidden(forbidden)

    @staticmethod
    def _note_rows(session: Session, instance_id: int) -> list[NoteView]:
        rows = session.scalars(select(Note).where(Note.instance_id == instance_id).order_by(Note.id))
        return [NoteView(n.id, n.instance_id, n.task_id, n.author, n.at, n.text) for n in rows]

    @staticmethod
    def _attachment_rows(session: Session, instance_id: int) -> list[AttachmentView]:
        rows = session.execute(select(*_ATTACHMENT_META).where(Attachment.instance_id == instance_id)
                               .order_by(Attachment.id))
        return [_attachment_view(row) for row in rows]

    def _note_audit(self, session: Session, instance: LiveInstance, actor: str, kind: str, **detail: Any) -> None:
        recorder = self._recorder(instance, actor, self.clock(), session)
        recorder.event(kind, None, None, **detail)
        store.insert_events(session, recorder.events)
