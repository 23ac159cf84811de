"""The real ``cauce`` command line, run in subprocesses against a SQLite file in a temporary instance folder.

Commands that change nothing (reads, refused requests) run concurrently once per module; the flows that change
state run in order inside their own tests. No output, on any path, may contain a traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from cli.demo import DEMO_USERS
from engine.identity import STANDARD_ROLES
from tests.conftest import PRODUCT_MODELS

pytestmark = pytest.mark.slow  # some forty subprocesses, each importing the whole product

ROOT = Path(__file__).resolve().parents[2]
CAUCE_SCRIPT = Path(sys.executable).parent / "cauce"
GOOD = {"payment": "PG-1001", "adjustment": "anulacion", "reason": "correccion_estimacion",
        "justification": "Cambio de tarifa por traslado de plan académico."}
HEAD = "0011"  # the newest migration


@dataclass(frozen=True)
class Run:
    args: tuple[str, ...]
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        assert self.stderr == "", self.stderr
        return json.loads(self.stdout)

    def error_line(self) -> str:
        """A refused request without --json: nothing on stdout, one line on stderr."""
        assert self.stdout == ""
        lines = self.stderr.splitlines()
        assert len(lines) == 1, self.stderr
        assert lines[0].startswith("error: ")
        return lines[0].removeprefix("error: ")


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CAUCE_DEBUG", "CAUCE_PROCESSES_DIR")}
    env.update(DATABASE_URL=f"sqlite:///{home / 'c.db'}", CAUCE_INSTANCE_DIR=str(home), PYTHONIOENCODING="utf-8")
    return env


def cauce(home: Path, *args: str, script: bool = False) -> Run:
    command = [str(CAUCE_SCRIPT)] if script else [sys.executable, "-m", "cli.main"]
    done = subprocess.run([*command, *args], cwd=ROOT, env=_env(home), capture_output=True, text=True,
                          encoding="utf-8", timeout=120, check=False)
    run = Run(tuple(args), done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in run.stdout + run.stderr, run
    return run


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    yield tmp_path_factory.mktemp("cauce")


@pytest.fixture(scope="module")
def setup_runs(home: Path) -> dict[str, Run]:
    """init twice, demo twice, and one instance whose first task (id 1) the refused requests aim at."""
    runs = {
        "init": cauce(home, "init", "--json"),
        "init_again": cauce(home, "init"),
        "demo": cauce(home, "demo", "--json"),
        "demo_again": cauce(home, "demo", "--json"),
        "start": cauce(home, "start", "pro_maa_16", "--as", "coord.bogota", "--data", json.dumps(GOOD), "--json"),
    }
    assert runs["start"].code == 0, runs["start"]
    assert runs["start"].json()["open_tasks"][0]["id"] == 1
    return runs


BAD_JSON = "{payment: PG-1001"
COMMANDS: dict[str, tuple[str, ...]] = {
    "validate_ok": ("validate", "processes/pro_maa_16"),
    "validate_ok_json": ("validate", "processes/pro_maa_16", "--json"),
    "validate_bad": ("validate", "tests/data/models/unknown_role"),
    "validate_bad_json": ("validate", "tests/data/models/unknown_role", "--json"),
    "deploy": ("deploy",),
    "deploy_json": ("deploy", "--json"),
    "deploy_bad": ("deploy", "processes", "tests/data/models/bad_condition"),
    "deploy_bad_json": ("deploy", "processes", "tests/data/models/bad_condition", "--json"),
    "statement": ("statement", "20261001"),
    "statement_json": ("statement", "20261001", "--json"),
    "tasks_script": ("tasks", "--as", "tic.ana"),
    "bad_data": ("start", "pro_maa_16", "--as", "coord.bogota", "--data", BAD_JSON),
    "bad_data_json": ("start", "pro_maa_16", "--as", "coord.bogota", "--data", BAD_JSON, "--json"),
    "bad_data_complete": ("complete", "1", "--as", "tic.ana", "--data", "{'decision': 'aprobar'}"),
    "data_not_object": ("start", "pro_maa_16", "--as", "coord.bogota", "--data", "[1, 2]"),
    "data_not_object_json": ("start", "pro_maa_16", "--as", "coord.bogota", "--data", "[1, 2]", "--json"),
    "invalid_data": ("start", "pro_maa_16", "--as", "coord.bogota", "--data", '{"payment": "X"}'),
    "invalid_data_json": ("start", "pro_maa_16", "--as", "coord.bogota", "--data", '{"payment": "X"}', "--json"),
    "unknown_task": ("complete", "999", "--as", "tic.ana", "--data", '{"decision": "aprobar"}'),
    "unknown_task_json": ("complete", "999", "--as", "tic.ana", "--data", '{"decision": "aprobar"}', "--json"),
    "unknown_user_start": ("start", "pro_maa_16", "--as", "nadie", "--data", json.dumps(GOOD)),
    "unknown_user_start_json": ("start", "pro_maa_16", "--as", "nadie", "--data", json.dumps(GOOD), "--json"),
    "unknown_user_tasks": ("tasks", "--as", "nadie"),
    "unknown_user_tasks_json": ("tasks", "--as", "nadie", "--json"),
    "wrong_role": ("complete", "1", "--as", "fact.luis", "--data", '{"decision": "aprobar"}'),
    "wrong_role_json": ("complete", "1", "--as", "fact.luis", "--data", '{"decision": "aprobar"}', "--json"),
    "wrong_role_start": ("start", "pro_maa_16", "--as", "tic.ana", "--data", json.dumps(GOOD)),
    "wrong_role_start_json": ("start", "pro_maa_16", "--as", "tic.ana", "--data", json.dumps(GOOD), "--json"),
    "unknown_student": ("statement", "99999999"),
    "unknown_student_json": ("statement", "99999999", "--json"),
    "unknown_process": ("start", "no_existe", "--as", "coord.bogota"),
    "unknown_process_json": ("start", "no_existe", "--as", "coord.bogota", "--json"),
    "unknown_instance": ("show", "999"),
    "unknown_instance_json": ("show", "999", "--json"),
}


@pytest.fixture(scope="module")
def runs(home: Path, setup_runs: dict[str, Run]) -> dict[str, Run]:
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        futures = {name: pool.submit(cauce, home, *args, script=name.endswith("_script"))
                   for name, args in COMMANDS.items()}
        return {name: future.result() for name, future in futures.items()}


def test_every_json_output_parses(runs: dict[str, Run], setup_runs: dict[str, Run]) -> None:
    for run in [*runs.values(), *setup_runs.values()]:
        if "--json" in run.args:
            assert isinstance(run.json(), dict), run


def test_init_creates_then_migrates_nothing(home: Path, setup_runs: dict[str, Run]) -> None:
    init = setup_runs["init"]
    assert init.code == 0
    assert init.json() == {"database": f"sqlite:///{home / 'c.db'}", "revision_before": None, "revision": HEAD}
    again = setup_runs["init_again"]
    assert (again.code, again.stderr) == (0, "")
    assert again.stdout == f"Base de datos lista en sqlite:///{home / 'c.db'} (revisión {HEAD}).\n"
    assert (home / "c.db").is_file()


def test_demo_json(setup_runs: dict[str, Run]) -> None:
    demo = setup_runs["demo"]
    assert demo.code == 0
    summary = demo.json()
    assert set(summary) == {"password", "users", "payments", "deployments"}
    users = {u["username"]: u for u in summary["users"]}
    assert list(users) == [u.username for u in DEMO_USERS]
    assert users["tic.ana"] == {"username": "tic.ana", "name": "Ana Ríos (Dirección TIC)",
                                "roles": ["direccion_tic"], "note": ""}
    assert {role for u in summary["users"] for role in u["roles"]} == set(STANDARD_ROLES)
    assert [p["payment"] for p in summary["payments"]] == [f"PG-100{n}" for n in range(1, 7)]
    for n, payment in enumerate(summary["payments"], start=1):
        assert payment["account"] == f"2026100{n}"
        assert payment["branch"]
        assert payment["start_data"]["payment"] == payment["payment"]
        assert set(payment["start_data"]) == set(GOOD)
    assert summary["payments"][0]["start_data"] == GOOD
    deployments = summary["deployments"]
    assert [{k: d[k] for k in ("model", "process_id", "version", "status")} for d in deployments] == [
        {"model": m, "process_id": m, "version": 1, "status": "deployed"} for m in PRODUCT_MODELS]
    assert all(len(d["content_hash"]) == 64 for d in deployments)

    again = setup_runs["demo_again"].json()
    assert again["users"] == summary["users"]
    assert [p["payment"] for p in again["payments"]] == [p["payment"] for p in summary["payments"]]
    assert [(d["version"], d["status"]) for d in again["deployments"]] == [(1, "unchanged")] * len(PRODUCT_MODELS)


def test_validate(runs: dict[str, Run]) -> None:
    ok = runs["validate_ok"]
    assert (ok.code, ok.stdout, ok.stderr) == (0, "pro_maa_16: válido (processes/pro_maa_16)\n", "")
    assert runs["validate_ok_json"].code == 0
    assert runs["validate_ok_json"].json() == {"ok": True, "models": [
        {"model": "pro_maa_16", "path": "processes/pro_maa_16", "process_id": "pro_maa_16", "ok": True,
         "problems": []}]}

    bad = runs["validate_bad"]
    assert bad.code == 1
    assert bad.stdout.splitlines()[0].startswith("unknown_role: ")
    assert "  simple.bpmn:8 [Lane_direccion_tic]: el carril nombra el rol «no_such_role», que no existe" in (
        bad.stdout.splitlines())
    report = runs["validate_bad_json"]
    assert report.code == 1
    payload = report.json()
    assert payload["ok"] is False
    [model] = payload["models"]
    assert (model["model"], model["ok"], model["process_id"]) == ("unknown_role", False, None)
    assert {"file": "simple.bpmn", "element_id": "Lane_direccion_tic", "line": 8,
            "message": "el carril nombra el rol «no_such_role», que no existe"} in model["problems"]


def test_deploy(runs: dict[str, Run]) -> None:
    assert (runs["deploy"].code, runs["deploy"].stdout) == (
        0, "".join(f"{m} ({m}) v1: sin cambios\n" for m in PRODUCT_MODELS))
    results = runs["deploy_json"].json()["deployments"]
    assert [(r["model"], r["version"], r["status"]) for r in results] == [(m, 1, "unchanged") for m in PRODUCT_MODELS]

    bad = runs["deploy_bad"]
    assert (bad.code, bad.stdout) == (1, "")
    lines = bad.stderr.splitlines()
    assert lines[0] == "error: el modelo bad_condition no es válido:"
    assert "  simple.bpmn:65 [Flow_grande_si]: la expresión «amount >» no compila: invalid syntax" in lines
    bad_json = runs["deploy_bad_json"]
    assert bad_json.code == 1
    payload = bad_json.json()
    assert payload["error"].startswith("El modelo bad_condition tiene ")
    assert {"file": "simple.bpmn", "element_id": "Flow_grande_si", "line": 65,
            "message": "la expresión «amount >» no compila: invalid syntax"} in payload["problems"]


def test_statement(runs: dict[str, Run]) -> None:
    text = runs["statement"]
    assert (text.code, text.stderr) == (0, "")
    assert text.stdout.startswith("ESTADO DE CUENTA POR ALUMNO\n")
    assert "Cuenta:          20261001 - Ana María Rojas Díaz" in text.stdout
    assert "Saldo total:     $ 2.342.230,00" in text.stdout
    payload = runs["statement_json"].json()
    assert runs["statement_json"].code == 0
    assert payload["account"]["code"] == "20261001"
    assert payload["account"]["name"] == "Ana María Rojas Díaz"
    assert [(e["kind"], e["amount"]) for e in payload["entries"]] == [
        ("charge", "4500000.00"), ("charge", "45000.00"), ("scholarship", "-450000.00"),
        ("credit", "-1707770.00"), ("credit", "-45000.00")]
    assert payload["entries"][-1]["balance"] == "2342230.00"


def test_console_script(runs: dict[str, Run]) -> None:
    run = runs["tasks_script"]
    assert (run.code, run.stderr) == (0, "")
    header, *rows = run.stdout.splitlines()
    assert header.split() == ["TAREA", "INSTANCIA", "CASO", "ROL", "ASIGNADA", "NOMBRE"]
    task, instance, key, role, assignee, *name = rows[0].split()
    assert (task, instance, role, assignee, " ".join(name)) == ("1", "1", "direccion_tic", "-", "Revisar solicitud")
    assert key.startswith("PRO-MAA-16-") and key.endswith("-000001")


@pytest.mark.parametrize(("name", "message"), [
    ("bad_data", "--data no es JSON válido: Expecting property name enclosed in double quotes (línea 1, columna 2)"),
    ("bad_data_complete",
     "--data no es JSON válido: Expecting property name enclosed in double quotes (línea 1, columna 2)"),
    ("data_not_object", "--data debe ser un objeto JSON"),
])
def test_malformed_data_exits_2(runs: dict[str, Run], name: str, message: str) -> None:
    run = runs[name]
    assert run.code == 2
    assert run.error_line() == message
    if f"{name}_json" in runs:
        as_json = runs[f"{name}_json"]
        assert as_json.code == 2
        assert as_json.json() == {"error": message}
        assert len(as_json.stdout.splitlines()) == 1


@pytest.mark.parametrize(("name", "message", "status"), [
    ("unknown_task", "No existe la tarea 999.", 404),
    ("unknown_instance", "No existe la instancia 999.", 404),
    ("unknown_user_start", "El usuario «nadie» no existe o está inactivo.", 403),
    ("unknown_user_tasks", "El usuario «nadie» no existe o está inactivo.", 403),
    ("wrong_role", "La tarea 1 es del rol «direccion_tic», que fact.luis no tiene.", 403),
    ("wrong_role_start", "Solo el rol «coordinacion_administrativa» puede iniciar pro_maa_16.", 403),
    ("unknown_process", "No hay ningún proceso desplegado con id «no_existe».", 404),
])
def test_refused_requests_exit_1_with_one_line(runs: dict[str, Run], name: str, message: str, status: int) -> None:
    run = runs[name]
    assert run.code == 1
    assert run.error_line() == message
    as_json = runs[f"{name}_json"]
    assert as_json.code == 1
    assert as_json.json() == {"error": message, "status": status}


def test_invalid_start_data(runs: dict[str, Run]) -> None:
    errors = [{"field": "payment", "message": "El formato no es válido."}] + [
        {"field": f, "message": "Este campo es obligatorio."} for f in ("adjustment", "justification", "reason")]
    message = "Los datos enviados no son válidos. " + "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    run = runs["invalid_data"]
    assert run.code == 1
    line = run.error_line()
    for error in errors:
        assert f"{error['field']}: {error['message']}" in line
    payload = runs["invalid_data_json"].json()
    assert runs["invalid_data_json"].code == 1
    assert payload["status"] == 400
    assert sorted(payload["errors"], key=lambda e: e["field"]) == sorted(errors, key=lambda e: e["field"])
    assert sorted(payload["error"].removeprefix("Los datos enviados no son válidos. ").split("; ")) == sorted(
        message.removeprefix("Los datos enviados no son válidos. ").split("; "))


def test_unknown_student(runs: dict[str, Run]) -> None:
    run = runs["unknown_student"]
    assert run.code == 1
    assert run.error_line() == "account: No existe la cuenta «99999999»."
    assert runs["unknown_student_json"].code == 1
    assert runs["unknown_student_json"].json() == {"error": "account: No existe la cuenta «99999999».",
                                                   "field": "account"}


def test_start_work_and_show_an_instance(home: Path, setup_runs: dict[str, Run]) -> None:
    data = {**GOOD, "payment": "PG-1003", "adjustment": "reversa", "reason": "baja_academica"}
    started = cauce(home, "start", "pro_maa_16", "--as", "coord.bogota", "--data", json.dumps(data), "--json")
    assert started.code == 0
    view = started.json()
    assert (view["process_id"], view["model"], view["version"], view["status"], view["initiator"]) == (
        "pro_maa_16", "pro_maa_16", 1, "running", "coord.bogota")
    assert view["business_key"] == f"PRO-MAA-16-{view['created_at'][:4]}-{view['id']:06d}"
    [task] = view["open_tasks"]
    assert (task["element_id"], task["role"], task["status"], task["assignee"]) == (
        "Activity_revisar_solicitud", "direccion_tic", "open", None)

    listed = cauce(home, "tasks", "--as", "tic.ana", "--json")
    assert listed.code == 0
    mine = [t for t in listed.json()["tasks"] if t["instance_id"] == view["id"]]
    assert mine == [task]
    assert cauce(home, "tasks", "--as", "fact.luis", "--mine", "--json").json() == {"tasks": []}

    completed = cauce(home, "complete", str(task["id"]), "--as", "tic.ana", "--data", '{"decision": "aprobar"}')
    assert (completed.code, completed.stderr) == (0, "")
    assert completed.stdout.splitlines()[0] == (
        f"Instancia {view['id']} ({view['business_key']}) de pro_maa_16 v1: running")

    again = cauce(home, "complete", str(task["id"]), "--as", "tic.ana", "--data", '{"decision": "aprobar"}',
                  "--json")
    assert again.code == 1
    assert again.json()["error"].startswith(f"La tarea {task['id']} ya fue completada por tic.ana el ")

    shown = cauce(home, "show", str(view["id"]), "--json")
    assert shown.code == 0
    detail = shown.json()
    assert set(detail) == {"instance", "data", "history", "incidents", "state_bytes"}
    assert detail["instance"]["id"] == view["id"]
    assert {k: detail["data"][k] for k in (*data, "decision")} == {**data, "decision": "aprobar"}
    kinds = [e["kind"] for e in detail["history"]]
    assert kinds[0] == "instance_started"
    assert "task_completed" in kinds
    assert detail["incidents"] == []
    assert detail["state_bytes"] > 0
    assert task["id"] not in [t["id"] for t in detail["instance"]["open_tasks"]]

    text = cauce(home, "show", str(view["id"]))
    assert text.code == 0
    assert text.stdout.startswith(f"Instancia {view['id']} ({view['business_key']}) de pro_maa_16 v1: ")
    assert "  decision = \"aprobar\"" in text.stdout.splitlines()
