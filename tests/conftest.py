"""Shared fixtures: a real database (SQLite file; PostgreSQL too when CAUCE_TEST_PG_URL is set), migrated by
Alembic, with the standard roles, the demo users and ledger, and the product's processes deployed."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.fleet import fresh_postgres_database
from bench.handlers import BENCH_HANDLERS
from cli.demo import seed_demo
from cli.wiring import initialize
from engine.db import Database
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
#: Every product model in deploy order (folder order): the case types, then PRO-MAA-16's two pools.
PRODUCT_MODELS = (*CASE_TYPES, "pro_maa_16", "pro_maa_16_facturacion")

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("CAUCE_TEST_PG_URL") else [])


def _postgres_database() -> Iterator[str]:
    with fresh_postgres_database(os.environ["CAUCE_TEST_PG_URL"], prefix="cauce_test") as url:
        yield url


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'cauce.db'}"
    else:
        yield from _postgres_database()


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    initialize(database)
    yield database
    database.dispose()


@pytest.fixture
def demo(db: Database) -> dict[str, object]:
    return seed_demo(db)


def make_engine(db: Database) -> Engine:
    """A fresh engine: nothing cached, as after a restart."""
    return Engine(db, BENCH_HANDLERS, input_errors=(HandlerInputError,))


@pytest.fixture
def engine(db: Database, demo: dict[str, object]) -> Engine:
    eng = make_engine(db)
    eng.deploy([PROCESSES, BENCH_MODELS], "disenador.eva")
    return eng
