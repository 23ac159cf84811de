"""The task page: what it shows, completing it, refusals, comments, files and downloads."""

from __future__ import annotations

import io
from collections.abc import Callable

from flask import Flask

from engine.db import Database
from engine.runtime import Engine
from tests.engine.pro_maa_16_driver import payment_facts, run_worker, start
from tests.webui.conftest import SignedIn
from webui.instructions import render_instructions
from webui.views.tasks import content_disposition

PDF = b"%PDF-1.4\n%%EOF\n"


def _first_task(db: Database, payment: str = "PG-1001") -> int:
    return start(db, payment).open_tasks[0].id


def test_the_page_shows_task_case_instructions_context_and_form(app: Flask, db: Database,
                                                                 sign_in: Callable[[str], SignedIn]) -> None:
    task_id = _first_task(db)
    page = sign_in("tic.ana").get(f"/tareas/{task_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<h1>Revisar solicitud</h1>" in html
    assert "PRO-MAA-16-2026-" in html and "PRO-MAA-16 Anulación o reversa de pagos aplicados" in html
    assert "<dt>Estado del caso</dt><dd>En curso</dd>" in html and "<dt>Vence</dt>" in html
    assert "<h2>Revisar la solicitud del pago PG-1001</h2>" in html  # Jinja, then Markdown
    assert "<strong>anulación</strong>" in html
    for title in ("Solicitud de anulación o reversa", "Pago", "Factura", "Recibo de caja", "Estado de cuenta"):
        assert f"<h2>{title}</h2>" in html
    assert "<dt>Valor</dt><dd>$ 1.752.770,00</dd>" in html and "<dt>Número</dt><dd>FE-5001</dd>" in html
    assert 'type="radio" name="decision" value="aprobar"' in html and ">Completar</button>" in html
    assert "<h2>Comentarios</h2>" in html and "<h2>Adjuntos</h2>" in html


def test_completing_moves_pro_maa_16_on(app: Flask, db: Database, engine: Engine,
                                        sign_in: Callable[[str], SignedIn]) -> None:
    task_id = _first_task(db)
    ana = sign_in("tic.ana")
    answer = ana.post(f"/tareas/{task_id}", {"decision": "aprobar", "observaciones": ""})
    assert answer.status_code == 302 and answer.headers["Location"] == "/bandeja"
    assert "Tarea completada." in ana.get("/bandeja").get_data(as_text=True)
    assert engine.tasks_for("fact.luis") == []  # the request travels to billing's pool as a message
    run_worker(db)
    following = engine.tasks_for("fact.luis")
    assert [(t.process_id, t.element_id) for t in following] == [("pro_maa_16_facturacion", "Activity_anular_factura")]
    luis = sign_in("fact.luis")
    done = luis.post(f"/tareas/{following[0].id}", {"motivo_anulacion": "Corrección de estimación del cobro"})
    assert done.status_code == 302
    assert payment_facts(db, "PG-1001")["invoice_status"] == "annulled"  # the ledger moved with the step


def test_bad_data_is_shown_beside_each_field_with_the_values_kept(app: Flask, db: Database,
                                                                   sign_in: Callable[[str], SignedIn]) -> None:
    task_id = _first_task(db)
    answer = sign_in("tic.ana").post(f"/tareas/{task_id}", {"decision": "rechazar", "observaciones": "<corto>"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert 'id="campo-observaciones-error" role="alert">Debe tener al menos 10 caracteres.</p>' in html
    assert "&lt;corto&gt;</textarea>" in html and 'value="rechazar" checked' in html
    missing = sign_in("tic.ana").post(f"/tareas/{task_id}", {})
    assert missing.status_code == 400
    assert 'id="campo-decision-error" role="alert">Este campo es obligatorio.</p>' in missing.get_data(as_text=True)


def test_a_task_completed_by_someone_else_says_who_and_when(app: Flask, db: Database, engine: Engine,
                                                            sign_in: Callable[[str], SignedIn]) -> None:
    task_id = _first_task(db)
    ana = sign_in("tic.ana")
    assert ana.get(f"/tareas/{task_id}").status_code == 200
    engine.complete(task_id, "tic.ana", {"decision": "aprobar"})
    answer = ana.post(f"/tareas/{task_id}", {"decision": "aprobar"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 409
    assert "ya fue completada por <strong>tic.ana</strong> el <strong>" in html and "Sus datos no se guardaron." in html
    after = ana.get(f"/tareas/{task_id}").get_data(as_text=True)
    assert "Completado por tic.ana" in after and ">Completar</button>" not in after


def test_who_may_open_a_task(app: Flask, db: Database, sign_in: Callable[[str], SignedIn]) -> None:
    task_id = _first_task(db)
    outsider = sign_in("cartera.juan").get(f"/tareas/{task_id}")
    assert outsider.status_code == 403 and "Acceso denegado" in outsider.get_data(as_text=True)
    probe = sign_in("estudiante.camila")
    assert probe.get(f"/tareas/{task_id}").status_code == 404
    assert probe.post(f"/tareas/{task_id}", {"decision": "aprobar"}).status_code == 404
    assert probe.post(f"/tareas/{task_id}/comentarios", {"texto": "hola"}).status_code == 404
    supervisor = sign_in("supervisor.raul").get(f"/tareas/{task_id}").get_data(as_text=True)
    assert "Revisar la solicitud del pago PG-1001" in supervisor and ">Completar</button>" not in supervisor
    assert sign_in("supervisor.raul").post(f"/tareas/{task_id}", {"decision": "aprobar"}).status_code == 403
    assert sign_in("tic.ana").get("/tareas/99999").status_code == 404


def test_comments_are_added_and_listed(app: Flask, db: Database, sign_in: Callable[[str], SignedIn]) -> None:
    task_id = _first_task(db)
    ana = sign_in("tic.ana")
    answer = ana.post(f"/tareas/{task_id}/comentarios", {"texto": "Pedí el <b>soporte</b> del traslado."})
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/tareas/{task_id}#comentarios")
    html = sign_in("coord.bogota").get(f"/tareas/{task_id}").get_data(as_text=True)
    assert "Pedí el &lt;b&gt;soporte&lt;/b&gt; del traslado." in html and "tic.ana ·" in html
    empty = ana.post(f"/tareas/{task_id}/comentarios", {"texto": "  "})
    assert empty.status_code == 400 and "Este campo es obligatorio." in empty.get_data(as_text=True)


def test_files_are_uploaded_listed_and_downloaded_safely(app: Flask, db: Database,
                                                         sign_in: Callable[[str], SignedIn]) -> None:
    task_id = _first_task(db)
    ana = sign_in("tic.ana")
    sent = ana.post(f"/tareas/{task_id}/adjuntos", {"archivo": (io.BytesIO(PDF), "acta año (1).pdf", "text/html")},
                    content_type="multipart/form-data")
    assert sent.status_code == 302
    html = ana.get(f"/tareas/{task_id}").get_data(as_text=True)
    assert "acta año (1).pdf</a>" in html
    download = ana.get("/adjuntos/1")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Disposition"] == \
        "attachment; filename=\"acta ano _1_.pdf\"; filename*=UTF-8''acta%20a%C3%B1o%20%281%29.pdf"
    assert sign_in("estudiante.camila").get("/adjuntos/1").status_code == 404
    assert sign_in("cartera.juan").get("/adjuntos/1").status_code == 403


def test_refused_uploads_answer_400_naming_the_file(app: Flask, db: Database,
                                                    sign_in: Callable[[str], SignedIn]) -> None:
    task_id = _first_task(db)
    ana = sign_in("tic.ana")
    for name, data, message in [
        ("programa.exe", b"MZ\x90", "Tipo de archivo no permitido"),
        ("pagina.pdf", b"<html><script>alert(1)</script>", "no corresponde a su extensión «.pdf»"),
    ]:
        answer = ana.post(f"/tareas/{task_id}/adjuntos", {"archivo": (io.BytesIO(data), name)},
                          content_type="multipart/form-data")
        assert answer.status_code == 400 and message in answer.get_data(as_text=True)
    assert "No hay adjuntos." in ana.get(f"/tareas/{task_id}").get_data(as_text=True)


def test_instructions_are_sandboxed_and_sanitized() -> None:
    leaked = str(render_instructions("Clase: {{ ''.__class__ }} {{ ''.__class__.__mro__ }}", {}))
    assert "class 'str'" not in leaked and "object" not in leaked.replace("objeto", "")
    probe = str(render_instructions("{{ ''.__class__.__mro__[1].__subclasses__() }}", {}))
    assert "No se pudieron mostrar las instrucciones" in probe and "subprocess" not in probe
    cleaned = str(render_instructions("## Hola\n\n<script>alert(1)</script>\n\n<a href=\"javascript:x()\" "
                                      "onclick=\"x()\">enlace</a> **{{ nombre }}**", {"nombre": "<img src=x>"}))
    assert "<h2>Hola</h2>" in cleaned and "<script" not in cleaned and "alert(1)" not in cleaned
    assert "onclick" not in cleaned and "javascript:" not in cleaned and "<img" not in cleaned
    assert "<strong>&lt;img src=x&gt;</strong>" in cleaned
    assert str(render_instructions(None, {})) == ""
    assert "No se pudieron mostrar" in str(render_instructions("{{ 1 / 0 }}", {}))


def test_download_names_cannot_break_the_header() -> None:
    header = content_disposition('mal"nombre\r\nSet-Cookie: x.pdf')
    assert "\r" not in header and "\n" not in header
    assert header.startswith('attachment; filename="mal_nombre__Set-Cookie_ x.pdf"; filename*=UTF-8\'\'')
