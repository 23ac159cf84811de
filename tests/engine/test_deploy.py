"""Deploy-time validation and versioning: every defective model is refused with its file, element and line;
nothing is half-deployed; an unchanged model keeps its version and a changed one gets the next."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from engine.db import Database
from engine.errors import ModelInvalid, Problem
from engine.models import ProcessVersion
from engine.runtime import Engine
from tests.conftest import BENCH_MODELS, INVALID_MODELS, PROCESSES, PRODUCT_MODELS, make_engine

SIMPLE = BENCH_MODELS / "simple"

# folder -> (file, element id, line, words the message must contain). From tests/data/models/README.md; for
# malformed_xml the validator reports the line of the mismatching end tag (58) and names the unclosed tag's (56).
EXPECTED: dict[str, tuple[str, str | None, int, tuple[str, ...]]] = {
    "malformed_xml": ("simple.bpmn", None, 58, ("XML mal formado", "incoming line 56")),
    "entity_expansion": ("simple.bpmn", None, 2, ("<!DOCTYPE> no permitida", "entidades")),
    "external_entity": ("simple.bpmn", None, 2, ("<!DOCTYPE> no permitida", "referencias externas")),
    "missing_process_id": ("simple.bpmn", None, 6, ("<bpmn:process> no tiene atributo id",)),
    "unknown_handler": ("simple.bpmn", "Activity_record_step", 38, ("«no_such_handler» no está registrado",)),
    "unknown_role": ("simple.bpmn", "Lane_direccion_tic", 8, ("«no_such_role», que no existe",)),
    "missing_form": ("simple.bpmn", "Activity_primera_revision", 23, ("«no_such_form.schema.json» no existe",)),
    "bad_condition": ("simple.bpmn", "Flow_grande_si", 65, ("«amount >» no compila",)),
    "unknown_name_in_condition": ("simple.bpmn", "Flow_grande_si", 65, ("nombres desconocidos: is_huge",)),
    "bad_parameter": ("simple.bpmn", "Activity_record_step", 40, ("«'unterminated» no compila",)),
    "missing_parameter": ("simple.bpmn", "Activity_record_step", 39, ("falta el parámetro «label»", "record_step")),
    "gateway_without_default": ("simple.bpmn", "Gateway_grande", 31, ("no tiene flujo por defecto",)),
    "invalid_form_schema": ("primera.schema.json", "Activity_primera_revision", 2, ("esquema JSON no válido", "12")),
    "user_task_without_lane": ("simple.bpmn", "Activity_segunda_revision", 46, ("ningún carril",)),
}


def _versions(db: Database) -> list[tuple[str, int]]:
    with db.read() as session:
        rows = session.execute(select(ProcessVersion.model, ProcessVersion.version).order_by(ProcessVersion.id))
        return [(model, version) for model, version in rows]


def _copy_simple(tmp_path: Path, name: str = "simple") -> Path:
    target = tmp_path / name
    shutil.copytree(SIMPLE, target)
    return target


def _rename_process(model: Path, new_name: str) -> None:
    bpmn = model / "simple.bpmn"
    text = bpmn.read_text(encoding="utf-8")
    old = '<bpmn:process id="simple" name="Simple"'
    assert text.count(old) == 1
    bpmn.write_text(text.replace(old, f'<bpmn:process id="simple" name="{new_name}"'), encoding="utf-8")


def test_every_invalid_model_is_listed() -> None:
    folders = {p.name for p in INVALID_MODELS.iterdir() if p.is_dir()}
    assert folders == set(EXPECTED)


@pytest.mark.parametrize("folder", sorted(EXPECTED))
def test_validate_reports_exactly_the_defect(engine: Engine, folder: str) -> None:
    file, element_id, line, words = EXPECTED[folder]
    [report] = engine.validate([INVALID_MODELS / folder])
    assert report.model == folder
    assert report.path == str(INVALID_MODELS / folder)
    assert report.process_id is None
    assert not report.ok
    [problem] = report.problems
    assert (problem.file, problem.element_id, problem.line) == (file, element_id, line)
    for word in words:
        assert word in problem.message
    assert report.as_dict()["problems"] == [problem.as_dict()]


@pytest.mark.parametrize("folder", sorted(EXPECTED))
def test_deploy_of_invalid_model_deploys_nothing(engine: Engine, folder: str) -> None:
    before = _versions(engine.db)
    with pytest.raises(ModelInvalid) as raised:
        engine.deploy([INVALID_MODELS / folder], "disenador.eva")
    assert raised.value.model == folder
    assert raised.value.status == 422
    [report] = engine.validate([INVALID_MODELS / folder])
    assert raised.value.problems == report.problems
    assert str(report.problems[0]) in raised.value.message
    assert _versions(engine.db) == before


@pytest.mark.parametrize("paths", [[PROCESSES / "pro_maa_16"], [BENCH_MODELS], [PROCESSES, BENCH_MODELS]],
                         ids=["pro_maa_16", "bench", "all"])
def test_valid_models_report_no_problems(engine: Engine, paths: list[Path]) -> None:
    reports = engine.validate(paths)
    assert reports
    for report in reports:
        assert report.ok, report.problems
        assert report.problems == []
        assert report.process_id == report.model


def test_validate_finds_every_model_under_a_tree(engine: Engine) -> None:
    reports = engine.validate([PROCESSES, BENCH_MODELS])
    assert [(r.model, r.process_id) for r in reports] == [
        *((m, m) for m in PRODUCT_MODELS), ("loop", "loop"), ("simple", "simple")]


def test_deploying_twice_is_unchanged(db: Database, demo: dict[str, object]) -> None:
    first = make_engine(db).deploy([PROCESSES], "disenador.eva")
    second = make_engine(db).deploy([PROCESSES], "disenador.eva")
    assert [(r.model, r.process_id, r.version, r.status) for r in first] == [
        (m, m, 1, "deployed") for m in PRODUCT_MODELS]
    assert [(r.model, r.process_id, r.version, r.status) for r in second] == [
        (m, m, 1, "unchanged") for m in PRODUCT_MODELS]
    assert [r.content_hash for r in second] == [r.content_hash for r in first]
    assert _versions(db) == [(m, 1) for m in PRODUCT_MODELS]


def test_changed_model_gets_a_new_version_and_running_instances_keep_theirs(engine: Engine, tmp_path: Path) -> None:
    model = _copy_simple(tmp_path)
    [same] = engine.deploy([model], "disenador.eva")
    assert (same.model, same.version, same.status) == ("simple", 1, "unchanged")
    old = engine.start("simple", "tic.ana")
    assert (old.version, old.process_name) == (1, "Simple")

    _rename_process(model, "Simple revisado")
    [changed] = engine.deploy([model], "disenador.eva")
    assert (changed.model, changed.process_id, changed.version, changed.status) == ("simple", "simple", 2, "deployed")
    assert changed.content_hash != same.content_hash
    new = engine.start("simple", "tic.ana")
    assert (new.version, new.process_name) == (2, "Simple revisado")

    fresh = make_engine(engine.db)  # as after a restart: versions are loaded from the database
    assert fresh.show(old.id).instance.version == 1
    [task] = old.open_tasks
    after = fresh.complete(task.id, "tic.ana", {"amount": 5})
    assert (after.version, after.process_name) == (1, "Simple")
    assert [t.element_id for t in after.open_tasks] == ["Activity_segunda_revision"]
    assert fresh.show(new.id).instance.version == 2
    assert _versions(engine.db)[-1] == ("simple", 2)


def test_batch_with_an_invalid_model_deploys_nothing(engine: Engine, tmp_path: Path) -> None:
    model = _copy_simple(tmp_path)
    _rename_process(model, "Simple revisado")
    before = _versions(engine.db)
    with pytest.raises(ModelInvalid) as raised:
        engine.deploy([model, INVALID_MODELS / "unknown_handler"], "disenador.eva")
    assert raised.value.model == "unknown_handler"
    assert [p.element_id for p in raised.value.problems] == ["Activity_record_step"]
    assert _versions(engine.db) == before
    assert engine.start("simple", "tic.ana").version == 1


def test_batch_with_an_invalid_model_on_an_empty_database(db: Database, demo: dict[str, object]) -> None:
    with pytest.raises(ModelInvalid):
        make_engine(db).deploy([PROCESSES, INVALID_MODELS / "bad_condition"], "disenador.eva")
    assert _versions(db) == []


def _write_big(folder: Path) -> str:
    (folder / "big.json").write_bytes(b" " * (1024 * 1024 + 1))
    return "big.json"


def _write_exe(folder: Path) -> str:
    (folder / "x.exe").write_bytes(b"MZ\x90\x00")
    return "x.exe"


def _write_latin1(folder: Path) -> str:
    (folder / "latin.json").write_bytes('{"title": "Revisión"}'.encode("latin-1"))
    return "latin.json"


def _write_symlink(folder: Path) -> str:
    (folder / "enlace.json").symlink_to(folder / "primera.schema.json")
    return "enlace.json"


def _write_absolute_symlink(folder: Path) -> str:
    (folder / "passwd.json").symlink_to("/etc/passwd")
    return "passwd.json"


@pytest.mark.parametrize(("write", "words"), [
    (_write_exe, ("tipo de archivo no permitido (.exe)", ".bpmn y .json")),
    (_write_big, ("el archivo supera 1048576 bytes (1048577)",)),
    (_write_latin1, ("el archivo no está en UTF-8 (byte 17)",)),
    (_write_symlink, ("no se aceptan enlaces simbólicos",)),
    (_write_absolute_symlink, ("no se aceptan enlaces simbólicos",)),
], ids=["exe", "oversized", "not_utf8", "symlink", "symlink_outside"])
def test_unacceptable_files_are_problems(engine: Engine, tmp_path: Path, write: Callable[[Path], str],
                                         words: tuple[str, ...]) -> None:
    model = _copy_simple(tmp_path)
    _rename_process(model, "Simple revisado")  # would be a new version if it were accepted
    filename = write(model)
    [report] = engine.validate([model])
    assert report.problems == [Problem(filename, None, None, report.problems[0].message)]
    for word in words:
        assert word in report.problems[0].message
    before = _versions(engine.db)
    with pytest.raises(ModelInvalid) as raised:
        engine.deploy([model], "disenador.eva")
    assert raised.value.problems == report.problems
    assert _versions(engine.db) == before


def test_readme_and_text_files_are_ignored(engine: Engine, tmp_path: Path) -> None:
    model = _copy_simple(tmp_path)
    (model / "NOTAS.md").write_text("# notas\n", encoding="utf-8")
    [report] = engine.validate([model])
    assert report.ok
    [result] = engine.deploy([model], "disenador.eva")
    assert (result.version, result.status) == (1, "unchanged")


def test_two_folders_with_the_same_process_id(engine: Engine, tmp_path: Path) -> None:
    copy = _copy_simple(tmp_path, "simple_copia")
    reports = engine.validate([SIMPLE, copy])
    assert [(r.model, r.ok) for r in reports] == [("simple", True), ("simple_copia", False)]
    [problem] = reports[1].problems
    assert (problem.file, problem.element_id, problem.line) == ("simple.bpmn", "simple", None)
    assert "el id de proceso «simple» ya lo usa el modelo simple" in problem.message

    before = _versions(engine.db)
    with pytest.raises(ModelInvalid) as raised:
        engine.deploy([SIMPLE, copy], "disenador.eva")
    assert raised.value.problems == [problem]
    assert _versions(engine.db) == before


def test_process_id_already_deployed_by_another_model(engine: Engine, tmp_path: Path) -> None:
    copy = _copy_simple(tmp_path, "simple_copia")
    before = _versions(engine.db)
    with pytest.raises(ModelInvalid) as raised:
        engine.deploy([copy], "disenador.eva")
    assert raised.value.model == "simple_copia"
    [problem] = raised.value.problems
    assert (problem.file, problem.element_id) == ("simple.bpmn", "simple")
    assert "el id de proceso «simple» ya lo usa el modelo simple" in problem.message
    assert _versions(engine.db) == before
