"""Comments and files on an instance: who may add and read them, the file checks, the audit trail."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import select

from engine.db import Database
from engine.errors import Forbidden, InvalidData, NotFound
from engine.models import Event
from engine.runtime import Engine
from engine.uploads import MAX_ATTACHMENT_BYTES, check_upload, clean_filename, served_content_type
from tests.engine.pro_maa_16_driver import start

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def ooxml(part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr(part, "<x/>")
    return buffer.getvalue()


def _refusal(exc: pytest.ExceptionInfo[InvalidData]) -> tuple[str, str]:
    error = exc.value.errors[0]
    return error.field, error.message


def test_notes_are_added_listed_and_audited(engine: Engine, db: Database) -> None:
    instance = start(db, "PG-1001")
    task_id = instance.open_tasks[0].id
    note = engine.add_note(instance.id, "tic.ana", "  Revisé el soporte del traslado.  ", task_id=task_id)
    assert note.text == "Revisé el soporte del traslado." and note.task_id == task_id
    assert [n.text for n in engine.notes_of(instance.id, "coord.bogota")] == ["Revisé el soporte del traslado."]
    with db.read() as session:
        event = session.scalars(select(Event).where(Event.kind == "note_added")).one()
    assert event.actor == "tic.ana" and event.detail["note_id"] == note.id and event.instance_id == instance.id


def test_an_empty_note_names_its_field(engine: Engine, db: Database) -> None:
    instance = start(db, "PG-1001")
    with pytest.raises(InvalidData) as refused:
        engine.add_note(instance.id, "tic.ana", "   ")
    assert _refusal(refused) == ("texto", "Este campo es obligatorio.")


def test_requesters_never_learn_of_others_instances_and_staff_outside_get_403(engine: Engine,
                                                                              db: Database) -> None:
    instance = start(db, "PG-1001")
    with pytest.raises(NotFound):
        engine.notes_of(instance.id, "estudiante.camila")
    with pytest.raises(NotFound, match="No existe la tarea"):
        engine.add_note(instance.id, "estudiante.camila", "hola", task_id=instance.open_tasks[0].id)
    with pytest.raises(Forbidden):
        engine.add_note(instance.id, "cartera.juan", "hola")
    assert engine.notes_of(instance.id, "supervisor.raul") == []


def test_a_task_of_another_instance_is_refused(engine: Engine, db: Database) -> None:
    first, second = start(db, "PG-1001"), start(db, "PG-1003")
    with pytest.raises(NotFound, match=f"No existe la tarea {second.open_tasks[0].id}"):
        engine.add_note(first.id, "tic.ana", "cruzado", task_id=second.open_tasks[0].id)


def test_attachments_are_kept_with_their_checked_type_and_audited(engine: Engine, db: Database) -> None:
    instance = start(db, "PG-1001")
    kept = engine.add_attachment(instance.id, "tic.ana", "../../soporte traslado.pdf", "text/html", PDF)
    assert kept.filename == "soporte traslado.pdf" and kept.content_type == "application/pdf"
    assert kept.size == len(PDF) and len(kept.sha256) == 64
    meta, data = engine.attachment(kept.id, "coord.bogota")
    assert data == PDF and meta.filename == "soporte traslado.pdf"
    assert [a.id for a in engine.attachments_of(instance.id, "tic.ana")] == [kept.id]
    with db.read() as session:
        event = session.scalars(select(Event).where(Event.kind == "attachment_added")).one()
    assert event.detail["attachment_id"] == kept.id and event.detail["claimed_type"] == "text/html"
    with pytest.raises(NotFound, match=f"No existe el adjunto {kept.id}"):
        engine.attachment(kept.id, "estudiante.camila")
    with pytest.raises(Forbidden):
        engine.attachment(kept.id, "cartera.juan")
    with pytest.raises(NotFound):
        engine.attachment(99999, "tic.ana")


@pytest.mark.parametrize(("name", "data", "message"), [
    ("virus.exe", b"MZ\x90\x00", "Tipo de archivo no permitido; se aceptan PDF, PNG, JPEG, TXT, CSV, XLSX o DOCX."),
    ("falso.pdf", b"<html><script>alert(1)</script></html>",
     "El contenido del archivo no corresponde a su extensión «.pdf»."),
    ("foto.png", PDF, "El contenido del archivo no corresponde a su extensión «.png»."),
    ("hoja.xlsx", ooxml("word/document.xml"), "El contenido del archivo no corresponde a su extensión «.xlsx»."),
    ("notas.txt", b"\x00\x01binario", "El contenido del archivo no corresponde a su extensión «.txt»."),
    ("vacio.pdf", b"", "El archivo está vacío."),
    ("", PDF, "Elija un archivo."),
    ("grande.pdf", b"%PDF-" + b"0" * MAX_ATTACHMENT_BYTES, "El archivo supera el tamaño máximo de 5 MiB."),
])
def test_refused_uploads_name_the_field_archivo(name: str, data: bytes, message: str) -> None:
    with pytest.raises(InvalidData) as refused:
        check_upload(name, data)
    assert _refusal(refused) == ("archivo", message)
    assert refused.value.status == 400


@pytest.mark.parametrize(("name", "data", "content_type"), [
    ("a.pdf", PDF, "application/pdf"),
    ("a.PNG", PNG, "image/png"),
    ("a.jpeg", b"\xff\xd8\xff\xe0JFIF", "image/jpeg"),
    ("a.txt", "Año, cédula\n".encode(), "text/plain"),
    ("a.csv", "código;valor\n1;2\n".encode("cp1252"), "text/csv"),
    ("a.xlsx", ooxml("xl/workbook.xml"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("a.docx", ooxml("word/document.xml"),
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
])
def test_allowed_types_by_extension_and_content(name: str, data: bytes, content_type: str) -> None:
    assert check_upload(name, data) == (name, content_type)


def test_filenames_and_served_types_are_cleaned() -> None:
    assert clean_filename("C:\\Users\\x\\..\\informe\r\n.pdf") == "informe.pdf"
    assert len(clean_filename("a" * 300 + ".pdf")) == 200 and clean_filename("a" * 300 + ".pdf").endswith(".pdf")
    assert served_content_type("text/html") == "application/octet-stream"
    assert served_content_type("application/pdf") == "application/pdf"


def test_task_workspace_brings_the_form_data_and_instructions(engine: Engine, db: Database) -> None:
    instance = start(db, "PG-1001")
    task_id = instance.open_tasks[0].id
    ws = engine.task_workspace(task_id, "tic.ana")
    assert ws.may_work and ws.form_schema is not None and ws.form_schema["title"] == "Revisión de la solicitud"
    assert ws.ui_schema["ui:order"] == ["decision", "observaciones"]
    assert ws.data["payment"] == "PG-1001" and ws.data["pago"]["invoice"] == "FE-5001"
    assert ws.instructions is not None and "{{ payment }}" in ws.instructions
    supervisor = engine.task_workspace(task_id, "supervisor.raul")
    assert not supervisor.may_work
    assert engine.task_workspace(task_id, "coord.bogota").may_work is False  # the initiator may look, not work
    with pytest.raises(Forbidden):
        engine.task_workspace(task_id, "cartera.juan")
    with pytest.raises(NotFound, match=f"No existe la tarea {task_id}"):
        engine.task_workspace(task_id, "estudiante.camila")
