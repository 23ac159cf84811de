"""Shared fixtures: a real database (SQLite file; PostgreSQL too when CAUCE_TEST_PG_URL is set), migrated by
Alembic, with the standard roles, the demo users and ledger, and the product's processes deployed.

Migrating, seeding and deploying (parsing and compiling every model) cost seconds per test; so each is done once
per session into a template database, and every test gets a fresh copy of the template it needs (a file copy on
SQLite, ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL): the same data, still a database of its own."""

from __future__ import annotations

import copy
import os
import shutil
import sqlite3
import sys
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text, update
from werkzeug.security import generate_password_hash

from bench.handlers import BENCH_HANDLERS
from cli.demo import DEMO_PASSWORD, seed_demo
from cli.wiring import initialize
from engine import compiler
from engine.bundle import ModelBundle
from engine.compiler import CompiledModel
from engine.db import Database
from engine.errors import Problem
from engine.identity import User
from engine.runtime import Engine
from handlers.errors import HandlerInputError

ROOT = Path(__file__).resolve().parent.parent
PROCESSES = ROOT / "processes"
BENCH_MODELS = ROOT / "bench" / "models"
INVALID_MODELS = ROOT / "tests" / "data" / "models"

#: The 17 financial-service case types of the catalog, one model each under processes/casos/.
CASE_TYPES = (
    "aclaracion_estado_cuenta",
    "activacion_matricula",
    "aplicacion_beneficios",
    "asesoria_cobranzas",
    "cargos_valores_cobrados",
    "devolucion_saldos",
    "factura_empresas",
    "giros_icetex",
    "inconvenientes_pagos",
    "liquidacion_credito",
    "pago_centavos",
    "reliquidacion_matricula",
    "reversiones_derechos_pecuniarios",
    "reversiones_matricula",
    "transferencias_ach",
    "transferencias_internacionales",
    "traslados_saldos",
)
#: Every product model in deploy order (folder order): the case types, the payment plan, then PRO-MAA-16's two
#: pools.
PRODUCT_MODELS = (*CASE_TYPES, "plan_de_pago", "pro_maa_16", "pro_maa_16_facturacion")

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("CAUCE_TEST_PG_URL") else [])

#: How far a test's database is prepared before the test's own fixtures run: nothing (``database_url`` alone),
#: schema and standard roles (``db``), plus the demo users and ledger (``demo``), plus every model (``engine``).
EMPTY, SCHEMA, DEMO, DEPLOYED = 0, 1, 2, 3
_LEVEL = pytest.StashKey[int]()

#: The demo users' password in the templates, hashed with one PBKDF2 round instead of scrypt: every web test
#: signs in, and checking a scrypt hash (deliberately slow) took a third of the web tests' time. Production and
#: ``cauce demo`` keep scrypt (webui.security.hash_password); the tests of hashing itself do not use templates.
TEST_PASSWORD_HASH = generate_password_hash(DEMO_PASSWORD, method="pbkdf2:sha256:1")


def make_engine(db: Database) -> Engine:
    """A fresh engine: nothing cached, as after a restart."""
    return Engine(db, BENCH_HANDLERS, input_errors=(HandlerInputError,))


class Templates:
    """One template database per level and backend, built the first time a test needs it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.demo_data: dict[str, Any] = {}  # what seed_demo answered; the same for every copy
        self._sqlite: dict[int, Path] = {}
        self._postgres: dict[int, str] = {}

    def _build(self, url: str, level: int) -> None:
        database = Database(url)
        try:
            initialize(database)
            if level >= DEMO:
                self.demo_data = seed_demo(database)
                with database.write() as session:  # see TEST_PASSWORD_HASH
                    session.execute(update(User).where(User.password_hash.is_not(None))
                                    .values(password_hash=TEST_PASSWORD_HASH))
            if level >= DEPLOYED:
                make_engine(database).deploy([PROCESSES, BENCH_MODELS], "disenador.eva")
        finally:
            database.dispose()

    def sqlite_copy(self, level: int, target: Path) -> None:
        if level not in self._sqlite:
            path = self.folder / f"level{level}.db"
            self._build(f"sqlite:///{path}", level)
            with sqlite3.connect(path) as conn:  # everything in the main file, so that one file copy has it all
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            self._sqlite[level] = path
        shutil.copyfile(self._sqlite[level], target)

    def postgres_template(self, server_url: str, level: int) -> str:
        if level not in self._postgres:
            name = f"cauce_template_{uuid.uuid4().hex[:12]}_{level}"
            _admin(server_url, f'CREATE DATABASE "{name}"')
            self._postgres[level] = name
            self._build(_database_url(server_url, name), level)
        return self._postgres[level]

    def drop_postgres(self, server_url: str) -> None:
        for name in self._postgres.values():
            _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _database_url(server_url: str, name: str) -> str:
    base, _, _ = server_url.rpartition("/")
    return f"{base}/{name}"


def _admin(server_url: str, statement: str) -> None:
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(statement))
    finally:
        admin.dispose()


Compiled = tuple[CompiledModel | None, list[Problem]]


def _compiled_once(compile_model: Callable[..., Compiled]) -> Callable[..., Compiled]:
    """``compile_model`` remembered per bundle content, handlers and roles for the session: every test's fresh
    engine parses each model it runs again, the same work on the same text. A compiled model is shared read-only
    already (one per deployed version for every instance of an engine); the problem list is copied, callers add
    to it."""
    known: dict[object, Compiled] = {}

    def compile_cached(bundle: ModelBundle, handlers: Mapping[str, object], roles: set[str] | None) -> Compiled:
        try:
            key = (bundle.name, bundle.content_hash, frozenset(handlers.items()),
                   None if roles is None else frozenset(roles))
        except TypeError:  # a handler that cannot be a key: no caching
            return compile_model(bundle, handlers, roles)
        if key not in known:
            known[key] = compile_model(bundle, handlers, roles)
        model, problems = known[key]
        return model, list(problems)

    return compile_cached


@pytest.fixture(scope="session", autouse=True)
def compile_each_model_once() -> Iterator[None]:
    original = compiler.compile_model
    cached = _compiled_once(original)
    with pytest.MonkeyPatch.context() as patch:
        for name, module in list(sys.modules.items()):  # every engine module that imported it by name
            if name.startswith("engine.") and getattr(module, "compile_model", None) is original:
                patch.setattr(module, "compile_model", cached)
        yield


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Templates]:
    built = Templates(tmp_path_factory.mktemp("templates"))
    yield built
    if os.environ.get("CAUCE_TEST_PG_URL"):
        built.drop_postgres(os.environ["CAUCE_TEST_PG_URL"])


def _level(request: pytest.FixtureRequest) -> int:
    """How much of this file's ``db`` → ``demo`` → ``engine`` chain the test uses; a fixture of the same name
    defined closer to the test (a folder's or a module's own) is not this file's, and stops the chain."""
    definitions = getattr(request.node, "_fixtureinfo", None)
    if definitions is None:
        return EMPTY

    def ours(name: str) -> bool:
        found = definitions.name2fixturedefs.get(name)
        return bool(found) and getattr(found[-1].func, "__module__", None) == __name__

    level = EMPTY
    for name, reached in (("db", SCHEMA), ("demo", DEMO), ("engine", DEPLOYED)):
        if not ours(name):
            break
        level = reached
    return level


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path, templates: Templates) -> Iterator[str]:
    level = request.node.stash[_LEVEL] = _level(request)
    if request.param == "sqlite":
        path = tmp_path / "cauce.db"
        if level > EMPTY:
            templates.sqlite_copy(level, path)
        yield f"sqlite:///{path}"
        return
    server_url = os.environ["CAUCE_TEST_PG_URL"]
    name = f"cauce_test_{uuid.uuid4().hex[:12]}"
    template = f' TEMPLATE "{templates.postgres_template(server_url, level)}"' if level > EMPTY else ""
    _admin(server_url, f'CREATE DATABASE "{name}"{template}')
    try:
        yield _database_url(server_url, name)
    finally:
        _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def db(database_url: str, request: pytest.FixtureRequest) -> Iterator[Database]:
    database = Database(database_url)
    if request.node.stash.get(_LEVEL, EMPTY) < SCHEMA:  # not a copy of a template (asked for by name mid-test)
        initialize(database)
    yield database
    database.dispose()


@pytest.fixture
def demo(db: Database, request: pytest.FixtureRequest, templates: Templates) -> dict[str, object]:
    if request.node.stash.get(_LEVEL, EMPTY) >= DEMO:  # seeded in the template
        return copy.deepcopy(templates.demo_data)
    return seed_demo(db)


@pytest.fixture
def engine(db: Database, demo: dict[str, object], request: pytest.FixtureRequest) -> Engine:
    eng = make_engine(db)
    if request.node.stash.get(_LEVEL, EMPTY) < DEPLOYED:  # else the template had every model deployed
        eng.deploy([PROCESSES, BENCH_MODELS], "disenador.eva")
    return eng
