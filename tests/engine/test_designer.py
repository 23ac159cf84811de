"""The process designer's engine operations: models and versions, drafts, validation equal to deploy's, deploy,
templates, uploads, archives and the diff; every one for designers only."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from engine.db import Database
from engine.errors import Forbidden, InvalidData, ModelInvalid, NotFound
from engine.jobs import Job, JobStatus
from engine.models import ModelDraft, ProcessVersion
from engine.runtime import Engine
from tests.conftest import BENCH_MODELS, make_engine
from tests.engine.events_helpers import EVENT_MODELS

DESIGNER = "disenador.eva"
SIMPLE = {p.name: p.read_text(encoding="utf-8") for p in (BENCH_MODELS / "simple").iterdir()}
DOCTYPE = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>\n'
           '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&lol2;</bpmn:definitions>')
XXE = ('<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
       '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&xxe;</bpmn:definitions>')


@pytest.fixture
def designer(db: Database, demo: dict[str, object]) -> Engine:
    """An engine with only the small bench model deployed (version 1 of ``simple``)."""
    eng = make_engine(db)
    eng.deploy([BENCH_MODELS / "simple"], DESIGNER)
    return eng


def _renamed(files: dict[str, str], old: str, new: str) -> dict[str, str]:
    bpmn = next(name for name in files if name.endswith(".bpmn") and old in files[name])
    return {**files, bpmn: files[bpmn].replace(old, new)}


def _draft_count(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(ModelDraft)) or 0)


def _version_count(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(ProcessVersion)) or 0)


CALLS: dict[str, Callable[[Engine, str], Any]] = {
    "designer_models": lambda e, a: e.designer_models(a),
    "model_files": lambda e, a: e.model_files(a, "simple"),
    "new_model": lambda e, a: e.new_model(a, "nuevo_modelo", "aprobacion_simple", "Nuevo"),
    "validate_model": lambda e, a: e.validate_model(a, "simple", SIMPLE),
    "save_draft": lambda e, a: e.save_draft(a, "simple", SIMPLE),
    "deploy_model": lambda e, a: e.deploy_model(a, "simple", SIMPLE),
    "discard_draft": lambda e, a: e.discard_draft(a, "simple"),
    "upload_model": lambda e, a: e.upload_model(a, "simple", [("simple.bpmn", SIMPLE["simple.bpmn"].encode())]),
    "version_archive": lambda e, a: e.version_archive(a, "simple", 1),
    "diff_versions": lambda e, a: e.diff_versions(a, "simple", 1, 1),
}


@pytest.mark.parametrize("call", sorted(CALLS))
def test_every_operation_is_for_designers_only(designer: Engine, db: Database, call: str) -> None:
    for actor in ("tic.ana", "supervisor.raul", "estudiante.camila", "nadie"):
        with pytest.raises(Forbidden):
            CALLS[call](designer, actor)
    assert _draft_count(db) == 0 and _version_count(db) == 1


def test_admin_is_a_designer(designer: Engine) -> None:
    assert [m.model for m in designer.designer_models("admin")] == ["simple"]


@pytest.mark.parametrize("template", ["aprobacion_simple", "solicitud_con_servicio"])
def test_a_template_makes_a_deployable_draft(designer: Engine, db: Database, template: str) -> None:
    created = designer.new_model(DESIGNER, "viaticos_docentes", template, 'Viáticos "docentes" & <otros>')
    assert created.is_draft and created.version is None
    assert "viaticos_docentes.bpmn" in created.files
    assert "__PROCESS" not in "".join(created.files.values())
    assert designer.validate_model(DESIGNER, "viaticos_docentes", created.files) == []
    summary = {m.model: m for m in designer.designer_models(DESIGNER)}["viaticos_docentes"]
    assert (summary.process_id, summary.process_name, summary.versions) == (
        "viaticos_docentes", 'Viáticos "docentes" & <otros>', [])
    assert summary.draft is not None and summary.draft.base_version is None
    assert summary.draft.updated_by == DESIGNER
    result = designer.deploy_model(DESIGNER, "viaticos_docentes", created.files)
    assert (result.process_id, result.version, result.status) == ("viaticos_docentes", 1, "deployed")
    assert _draft_count(db) == 0
    assert designer.model_templates()[0].key == "aprobacion_simple"


def test_the_service_template_runs_end_to_end(designer: Engine) -> None:
    files = designer.new_model(DESIGNER, "solicitud_monto", "solicitud_con_servicio", "Solicitud de monto").files
    designer.deploy_model(DESIGNER, "solicitud_monto", files)
    started = designer.start("solicitud_monto", "estudiante.camila", {"monto": "1500000.00", "motivo": "Viaje"})
    [task] = started.open_tasks
    assert (task.name, task.role) == ("Revisar solicitud", "tesoreria")
    done = designer.complete(task.id, "tesoreria.sofia", {"aprobada": True})
    assert done.status == "completed"
    assert designer.show(done.id).data["monto_aprobado"] == "$ 1.500.000,00"


def test_new_model_refuses_bad_names_taken_names_unknown_templates(designer: Engine) -> None:
    cases = {
        ("Mayusculas", "aprobacion_simple", "X"): "modelo",
        ("ab", "aprobacion_simple", "X"): "modelo",
        ("1abc", "aprobacion_simple", "X"): "modelo",
        ("nuevo", "aprobacion_simple", "X"): "modelo",  # the designer's own page "Nuevo modelo"
        ("subir", "aprobacion_simple", "X"): "modelo",
        ("simple", "aprobacion_simple", "X"): "modelo",  # a deployed model
        ("otro_modelo", "no_existe", "X"): "plantilla",
        ("otro_modelo", "aprobacion_simple", "   "): "nombre",
    }
    for (model, template, name), field in cases.items():
        with pytest.raises(InvalidData) as refused:
            designer.new_model(DESIGNER, model, template, name)
        assert [e.field for e in refused.value.errors] == [field], (model, template, name)
    designer.new_model(DESIGNER, "borrador_uno", "aprobacion_simple", "Uno")
    with pytest.raises(InvalidData, match="ya existe"):  # a drafted model is taken too
        designer.new_model(DESIGNER, "borrador_uno", "aprobacion_simple", "Uno")


def test_a_draft_is_kept_with_its_problems_and_can_be_discarded(designer: Engine, db: Database) -> None:
    broken = _renamed(SIMPLE, 'name="direccion_tic"', 'name="no_such_role"')
    problems = designer.save_draft(DESIGNER, "simple", broken)
    assert [(p.file, p.element_id, p.line) for p in problems] == [("simple.bpmn", "Lane_direccion_tic", 8)]
    assert "no_such_role" in problems[0].message
    opened = designer.model_files(DESIGNER, "simple")
    assert (opened.is_draft, opened.version, opened.files) == (True, 1, broken)
    newest = designer.model_files(DESIGNER, "simple", 1)
    assert (newest.is_draft, newest.files) == (False, SIMPLE)
    [summary] = designer.designer_models(DESIGNER)
    assert summary.draft is not None and summary.draft.base_version == 1
    assert designer.save_draft(DESIGNER, "simple", SIMPLE) == []  # saved again: the same draft, replaced
    assert _draft_count(db) == 1
    designer.discard_draft(DESIGNER, "simple")
    assert designer.model_files(DESIGNER, "simple").is_draft is False
    with pytest.raises(NotFound):
        designer.discard_draft(DESIGNER, "simple")


def test_an_invalid_deploy_writes_nothing_and_keeps_the_draft(designer: Engine, db: Database) -> None:
    broken = _renamed(SIMPLE, "is_large(amount)", "is_huge(amount)")
    designer.save_draft(DESIGNER, "simple", broken)
    with pytest.raises(ModelInvalid) as refused:
        designer.deploy_model(DESIGNER, "simple", broken)
    assert [(p.element_id, p.line) for p in refused.value.problems] == [("Flow_grande_si", 65)]
    assert _version_count(db) == 1 and _draft_count(db) == 1
    assert designer.model_files(DESIGNER, "simple").files == broken


def test_deploy_makes_the_next_version_and_deletes_the_draft(designer: Engine, db: Database) -> None:
    renamed = _renamed(SIMPLE, 'name="Primera revisión"', 'name="Primera revisión del monto"')
    designer.save_draft(DESIGNER, "simple", renamed)
    result = designer.deploy_model(DESIGNER, "simple", renamed)
    assert (result.version, result.status) == (2, "deployed")
    assert _draft_count(db) == 0
    again = designer.deploy_model(DESIGNER, "simple", renamed)
    assert (again.version, again.status) == (2, "unchanged")
    [summary] = designer.designer_models(DESIGNER)
    assert [v.version for v in summary.versions] == [2, 1]
    assert summary.versions[0].deployed_by == DESIGNER


def test_the_file_rules_of_deploy_apply(designer: Engine) -> None:
    problems = designer.validate_model(DESIGNER, "simple", {**SIMPLE, "notas.exe": "x", ".oculto.json": "{}"})
    assert {(p.file, p.message.split(" (")[0]) for p in problems} == {
        ("notas.exe", "tipo de archivo no permitido"), (".oculto.json", "nombre de archivo no permitido")}
    assert [p.message for p in designer.validate_model(DESIGNER, "simple", {"a.json": "{}"})] == [
        "el modelo no contiene ningún archivo .bpmn"]
    too_many = {f"f{i}.json": "{}" for i in range(61)}
    assert any("demasiados archivos" in p.message for p in designer.validate_model(DESIGNER, "simple", too_many))
    with pytest.raises(InvalidData, match="archivos"):
        designer.save_draft(DESIGNER, "simple", too_many)
    with pytest.raises(InvalidData, match="modelo"):
        designer.validate_model(DESIGNER, "../fuera", SIMPLE)


@pytest.mark.parametrize("text", [DOCTYPE, XXE], ids=["billion_laughs", "external_entity"])
def test_entities_are_a_problem_never_expanded(designer: Engine, text: str) -> None:
    for problems in (designer.validate_model(DESIGNER, "simple", {**SIMPLE, "simple.bpmn": text}),
                     designer.upload_model(DESIGNER, "simple", [("simple.bpmn", text.encode())])):
        assert [(p.file, p.line) for p in problems] == [("simple.bpmn", 2)]
        assert "<!DOCTYPE> no permitida" in problems[0].message


def test_process_id_clash_with_another_model(designer: Engine) -> None:
    problems = designer.validate_model(DESIGNER, "copia_simple", SIMPLE)
    assert [(p.file, p.element_id, p.line, p.message) for p in problems] == [
        ("simple.bpmn", "simple", 6, "el id de proceso «simple» ya lo usa el modelo simple")]
    with pytest.raises(ModelInvalid, match="ya lo usa el modelo simple"):
        designer.deploy_model(DESIGNER, "copia_simple", SIMPLE)


def test_upload_makes_the_draft_and_an_archive_uploads_back(designer: Engine, db: Database) -> None:
    name, data = designer.version_archive(DESIGNER, "simple", 1)
    assert name == "simple-v1.zip"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert {n: archive.read(n).decode() for n in archive.namelist()} == SIMPLE
    assert designer.upload_model(DESIGNER, "simple", [(name, data)]) == []
    assert designer.model_files(DESIGNER, "simple").files == SIMPLE
    # files replace the draft's wholesale, and an upload of an existing model keeps its name
    only = {"simple.bpmn": SIMPLE["simple.bpmn"]}
    problems = designer.upload_model(DESIGNER, "simple", [(n, t.encode()) for n, t in only.items()])
    assert problems and all(p.file == "simple.bpmn" for p in problems)  # its forms are gone
    opened = designer.model_files(DESIGNER, "simple")
    assert (opened.model, opened.files) == ("simple", only)
    # a refused upload stores nothing
    refused = designer.upload_model(DESIGNER, "simple", [("virus.exe", b"MZ")])
    assert [p.file for p in refused] == ["virus.exe"]
    assert designer.model_files(DESIGNER, "simple").files == only
    # a new model by upload
    new_files = {**SIMPLE, "simple.bpmn": SIMPLE["simple.bpmn"].replace('id="simple"', 'id="subido"')
                 .replace('processRef="simple"', 'processRef="subido"')}
    assert designer.upload_model(DESIGNER, "subido", [(n, t.encode()) for n, t in new_files.items()]) == []
    assert "subido" in [m.model for m in designer.designer_models(DESIGNER)]


def test_unknown_models_and_versions_are_not_found(designer: Engine) -> None:
    for call in (lambda: designer.model_files(DESIGNER, "no_existe"),
                 lambda: designer.model_files(DESIGNER, "simple", 7),
                 lambda: designer.version_archive(DESIGNER, "simple", 2),
                 lambda: designer.diff_versions(DESIGNER, "simple", 1, 0),  # no draft
                 lambda: designer.diff_versions(DESIGNER, "simple", 5, 1)):
        with pytest.raises(NotFound):
            call()


def test_instance_counts_per_version(designer: Engine) -> None:
    first = designer.start("simple", "tic.ana")
    designer.start("simple", "tic.ana")
    designer.terminate(first.id, "supervisor.raul")
    renamed = _renamed(SIMPLE, 'name="Primera revisión"', 'name="Primera"')
    designer.deploy_model(DESIGNER, "simple", renamed)
    designer.start("simple", "tic.ana")
    [summary] = designer.designer_models(DESIGNER)
    assert [(v.version, v.running, v.finished) for v in summary.versions] == [(2, 1, 0), (1, 1, 1)]


def test_diff_of_pro_maa_16_lists_a_renamed_task(engine: Engine) -> None:
    files = engine.model_files(DESIGNER, "pro_maa_16").files
    renamed = _renamed(files, 'name="Revisar solicitud"', 'name="Revisar la solicitud de anulación"')
    assert engine.validate_model(DESIGNER, "pro_maa_16", renamed) == []
    engine.save_draft(DESIGNER, "pro_maa_16", renamed)
    draft_diff = engine.diff_versions(DESIGNER, "pro_maa_16", 1, 0)
    assert draft_diff.new == 0 and [c.element_id for c in draft_diff.changed] == ["Activity_revisar_solicitud"]
    assert engine.deploy_model(DESIGNER, "pro_maa_16", renamed).version == 2
    diff = engine.diff_versions(DESIGNER, "pro_maa_16", 1, 2)
    assert (diff.added, diff.removed, diff.files_changed) == ([], [], ["pro_maa_16.bpmn"])
    [change] = diff.changed
    assert (change.element_id, change.element_type, change.details) == (
        "Activity_revisar_solicitud", "userTask",
        ["nombre: «Revisar solicitud» → «Revisar la solicitud de anulación»"])
    backwards = engine.diff_versions(DESIGNER, "pro_maa_16", 2, 1)
    assert backwards.changed[0].details == ["nombre: «Revisar la solicitud de anulación» → «Revisar solicitud»"]


def test_a_message_that_already_starts_another_process_is_a_problem(engine: Engine) -> None:
    files = engine.model_files(DESIGNER, "pro_maa_16").files
    copy = {name: text.replace('id="pro_maa_16"', 'id="pro_maa_16_copia"')
            .replace('processRef="pro_maa_16"', 'processRef="pro_maa_16_copia"') for name, text in files.items()}
    problems = engine.validate_model(DESIGNER, "pro_maa_16_copia", copy)
    assert [(p.file, p.element_id) for p in problems] == [("pro_maa_16.bpmn", "pro_maa_16_copia")]
    assert problems[0].line is not None
    assert "ya inicia el proceso pro_maa_16" in problems[0].message
    with pytest.raises(ModelInvalid, match="ya inicia el proceso pro_maa_16"):
        engine.deploy_model(DESIGNER, "pro_maa_16_copia", copy)


def _timer_start_jobs(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(Job).where(
            Job.kind == "timer_start", Job.status != JobStatus.DONE)) or 0)


def test_a_timer_start_is_scheduled_as_cauce_deploy_does_and_a_bad_one_is_a_problem(
        designer: Engine, db: Database) -> None:
    files = {p.name: p.read_text(encoding="utf-8") for p in (EVENT_MODELS / "corte_diario").iterdir()}
    bad = _renamed(files, '"R3/2026-03-03T08:00:00Z/P1D"', '"R3/2026-03-03T08:00:00Z/" + "cada día"')
    problems = designer.validate_model(DESIGNER, "corte_diario", bad)
    assert [(p.element_id, p.message.split(":")[0]) for p in problems] == [
        ("Event_cada_dia", "temporizador de inicio")]
    assert problems[0].line is not None
    with pytest.raises(ModelInvalid, match="temporizador de inicio"):
        designer.deploy_model(DESIGNER, "corte_diario", bad)
    assert _version_count(db) == 1 and _timer_start_jobs(db) == 0
    assert designer.deploy_model(DESIGNER, "corte_diario", files).status == "deployed"
    assert _timer_start_jobs(db) == 1
