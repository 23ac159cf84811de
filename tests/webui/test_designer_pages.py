"""Procesos: the model list, new models, uploads, downloads, the version diff and instance migration pages."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import pytest

from engine.runtime import Engine
from tests.engine.test_instance_migration import without_first_review
from tests.webui.conftest import SignedIn

DESIGNER = "disenador.eva"
PRO = "/disenador/modelos/pro_maa_16"


@pytest.fixture
def eva(sign_in: Callable[[str], SignedIn]) -> SignedIn:
    return sign_in(DESIGNER)


def renamed(engine: Engine, model: str, old: str, new: str) -> dict[str, str]:
    files = dict(engine.model_files(DESIGNER, model).files)
    bpmn = next(name for name in files if name.endswith(".bpmn") and old in files[name])
    return {**files, bpmn: files[bpmn].replace(old, new)}


def zip_of(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_the_list_shows_every_model_its_versions_counts_and_draft(engine: Engine, eva: SignedIn) -> None:
    engine.start("simple", "tic.ana")
    engine.save_draft(DESIGNER, "simple", renamed(engine, "simple", "Primera revisión", "Primera"))
    page = eva.get("/disenador/modelos")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'id="modelo-pro_maa_16"' in html and 'id="modelo-simple"' in html
    assert "Borrador sin desplegar" in html and "disenador.eva" in html
    assert 'href="/disenador/modelos/simple/editar"' in html
    assert 'href="/disenador/modelos/simple/formularios"' in html
    assert 'href="/disenador/modelos/simple/v/1/descargar"' in html
    assert "Descartar borrador" in html and "Comparar versiones" in html
    row = html[html.index('id="version-simple-1"'):]
    row = row[:row.index("</tr>")]
    assert "<td>1</td>" in row and "<td>0</td>" in row  # one running, none finished


def test_the_model_page_and_unknown_models(engine: Engine, eva: SignedIn) -> None:
    page = eva.get(PRO)
    assert page.status_code == 200 and "v1" in page.get_data(as_text=True)
    assert eva.get("/disenador/modelos/no_existe").status_code == 404
    assert eva.get("/disenador/modelos/no_existe/formularios").status_code == 404


def test_non_designers_are_refused(engine: Engine, sign_in: Callable[[str], SignedIn]) -> None:
    ana = sign_in("tic.ana")
    for url in ("/disenador/modelos", "/disenador/modelos/nuevo", "/disenador/modelos/subir",
                f"{PRO}/v/1/descargar", f"{PRO}/comparar", f"{PRO}/formularios"):
        assert ana.get(url).status_code == 403, url


def test_new_model_from_a_template_opens_the_editor(engine: Engine, eva: SignedIn) -> None:
    page = eva.get("/disenador/modelos/nuevo")
    assert page.status_code == 200 and "Plantilla" in page.get_data(as_text=True)
    template = engine.model_templates()[0].key
    answer = eva.post("/disenador/modelos/nuevo", {"modelo": "prueba_nueva", "nombre": "Prueba nueva",
                                                 "plantilla": template})
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/disenador/modelos/prueba_nueva/editar")
    summary = {m.model: m for m in engine.designer_models(DESIGNER)}["prueba_nueva"]
    assert summary.draft is not None and summary.versions == []


def test_new_model_names_the_bad_fields(engine: Engine, eva: SignedIn) -> None:
    answer = eva.post("/disenador/modelos/nuevo", {"modelo": "Mal Nombre", "nombre": "", "plantilla": "nada"})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert 'id="f-modelo-error"' in html and 'id="f-nombre-error"' in html and 'id="f-plantilla-error"' in html
    taken = eva.post("/disenador/modelos/nuevo", {"modelo": "pro_maa_16", "nombre": "X",
                                                "plantilla": engine.model_templates()[0].key})
    assert taken.status_code == 400 and "ya existe" in taken.get_data(as_text=True)


def test_download_is_a_zip_of_the_version(engine: Engine, eva: SignedIn) -> None:
    answer = eva.get(f"{PRO}/v/1/descargar")
    assert answer.status_code == 200 and answer.mimetype == "application/zip"
    assert answer.headers["Content-Disposition"] == 'attachment; filename="pro_maa_16-v1.zip"'
    with zipfile.ZipFile(io.BytesIO(answer.data)) as archive:
        names = set(archive.namelist())
        files = engine.model_files(DESIGNER, "pro_maa_16", 1).files
        assert names == set(files)
        assert archive.read("pro_maa_16.bpmn").decode() == files["pro_maa_16.bpmn"]
    assert eva.get(f"{PRO}/v/9/descargar").status_code == 404


def test_upload_of_files_makes_a_draft_and_lists_its_problems(engine: Engine, eva: SignedIn) -> None:
    files = renamed(engine, "simple", 'name="Primera revisión"', 'name="Primera"')
    good = eva.post("/disenador/modelos/subir", {"modelo": "simple", "archivos": [
        (io.BytesIO(text.encode()), name) for name, text in files.items()]}, content_type="multipart/form-data")
    assert good.status_code == 200, good.get_data(as_text=True)
    assert "sin problemas" in good.get_data(as_text=True)
    assert engine.model_files(DESIGNER, "simple").is_draft
    broken = {**files, "primera.schema.json": "{ no es json"}
    bad = eva.post("/disenador/modelos/subir", {"modelo": "copia_simple", "archivos": [
        (io.BytesIO(zip_of(broken)), "copia.zip")]}, content_type="multipart/form-data")
    html = bad.get_data(as_text=True)
    assert bad.status_code == 200 and "primera.schema.json" in html and "JSON no válido" in html
    assert 'href="/disenador/modelos/copia_simple/editar"' in html and "El borrador quedó guardado" in html
    refused = eva.post("/disenador/modelos/subir", {"modelo": "otra_copia", "archivos": [
        (io.BytesIO(b"hola"), "notas.txt")]}, content_type="multipart/form-data")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "no se guardó nada" in html and "notas.txt" in html
    assert "otra_copia/editar" not in html


def test_upload_without_files_or_model_names_the_field(engine: Engine, eva: SignedIn) -> None:
    assert eva.get("/disenador/modelos/subir").status_code == 200
    answer = eva.post("/disenador/modelos/subir", {"modelo": ""}, content_type="multipart/form-data")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400 and 'id="f-archivos-error"' in html and 'id="f-modelo-error"' in html


def test_an_oversized_upload_is_a_clean_spanish_413(engine: Engine, eva: SignedIn) -> None:
    # The body is built by hand: the test client would spool a big upload to a temporary file it never closes.
    boundary = "limite"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{eva.csrf}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="archivos"; filename="a.bpmn"\r\n\r\n'
            ).encode() + b"x" * (10 * 1024 * 1024 + 10) + f"\r\n--{boundary}--\r\n".encode()
    answer = eva.client.post("/disenador/modelos/subir", data=body,
                             content_type=f"multipart/form-data; boundary={boundary}")
    assert answer.status_code == 413
    assert "supera el tamaño permitido" in answer.get_data(as_text=True)


def test_discard_draft(engine: Engine, eva: SignedIn) -> None:
    engine.save_draft(DESIGNER, "simple", renamed(engine, "simple", "Primera revisión", "Primera"))
    answer = eva.post("/disenador/modelos/simple/descartar-borrador")
    assert answer.status_code == 302
    assert not engine.model_files(DESIGNER, "simple").is_draft
    assert eva.post("/disenador/modelos/simple/descartar-borrador").status_code == 404


def test_the_diff_page_after_a_v2_with_a_renamed_task(engine: Engine, eva: SignedIn) -> None:
    files = renamed(engine, "pro_maa_16", 'name="Revisar solicitud"', 'name="Revisar la solicitud"')
    assert engine.deploy_model(DESIGNER, "pro_maa_16", files).version == 2
    page = eva.get(f"{PRO}/comparar?de=1&a=2")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Elementos agregados (0)" in html and "Elementos eliminados (0)" in html
    assert "Elementos modificados (1)" in html
    assert "Activity_revisar_solicitud" in html and "userTask" in html
    assert "nombre: «Revisar solicitud» → «Revisar la solicitud»" in html
    assert "Modificado: <code>pro_maa_16.bpmn</code>" in html
    assert eva.get(f"{PRO}/comparar").status_code == 200  # defaults: the two newest versions


def test_the_diff_page_against_the_draft_and_bad_params(engine: Engine, eva: SignedIn) -> None:
    engine.save_draft(DESIGNER, "pro_maa_16", renamed(engine, "pro_maa_16", 'name="Revisar solicitud"',
                                                      'name="Revisar"'))
    page = eva.get(f"{PRO}/comparar?de=1&a=0")
    assert page.status_code == 200 and "Cambios de v1 a el borrador" in page.get_data(as_text=True)
    bad = eva.get(f"{PRO}/comparar?de=uno&a=0")
    assert bad.status_code == 400 and "de" in bad.get_data(as_text=True)
    assert eva.get(f"{PRO}/comparar?de=0&a=1").status_code == 400
    assert eva.get(f"{PRO}/comparar?de=7&a=1").status_code == 404
    assert eva.get("/disenador/modelos/no_existe/comparar").status_code == 404


def test_the_migration_page_plans_and_moves(engine: Engine, eva: SignedIn) -> None:
    first = engine.start("simple", "tic.ana")
    second = engine.start("simple", "tic.ana")
    engine.deploy_model(DESIGNER, "simple", renamed(engine, "simple", 'name="Primera revisión"',
                                                    'name="Primera"'))
    page = eva.get("/disenador/modelos/simple/migrar?de=1&a=2")
    html = page.get_data(as_text=True)
    assert page.status_code == 200, html
    assert f'id="candidata-{first.id}"' in html and f'id="candidata-{second.id}"' in html
    assert "Se puede mover" in html and "Migrar seleccionadas" in html
    moved = eva.post("/disenador/modelos/simple/migrar?de=1&a=2", {"instancias": [str(first.id)]})
    html = moved.get_data(as_text=True)
    assert moved.status_code == 200, html
    assert "Se movieron 1 instancia(s) de v1 a v2" in html
    assert f'id="candidata-{first.id}"' not in html and f'id="candidata-{second.id}"' in html
    none = eva.post("/disenador/modelos/simple/migrar?de=1&a=2", {})
    assert none.status_code == 400 and "instancias" in none.get_data(as_text=True)
    assert eva.get("/disenador/modelos/simple/migrar?de=2&a=2").status_code == 400
    assert eva.get("/disenador/modelos/simple/migrar?de=x").status_code == 400


def test_the_migration_page_names_why_an_instance_cannot_move(engine: Engine, eva: SignedIn) -> None:
    waiting = engine.start("simple", "tic.ana")
    engine.deploy_model(DESIGNER, "simple", without_first_review())
    page = eva.get("/disenador/modelos/simple/migrar")  # defaults: the two newest versions
    html = page.get_data(as_text=True)
    assert page.status_code == 200, html
    row = html[html.index(f'id="candidata-{waiting.id}"'):]
    row = row[:row.index("</tr>")]
    assert 'class="blocked"' in row and "disabled" in row and "Activity_primera_revision" in row
    answer = eva.post("/disenador/modelos/simple/migrar?de=1&a=2", {"instancias": [str(waiting.id)]})
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "Se movieron 0 instancia(s)" in html and "No se movieron 1" in html
