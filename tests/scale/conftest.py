"""Fixtures of the scale-out tests: a fresh PostgreSQL database (the test is skipped without CAUCE_TEST_PG_URL)
or a SQLite file, each migrated and seeded like ``CAUCE_HANDLERS=bench cauce demo`` (bench/fleet.prepare).

The OS processes these tests start go through ``bench.fleet.children``: stdout and stderr in files, every
wait bounded, and whatever is still running at the end of the block killed."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench.fleet import fresh_postgres_database, prepare
from engine.db import Database
from engine.runtime import Engine

PG_SERVER_URL = os.environ.get("CAUCE_TEST_PG_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_SERVER_URL else [])


@dataclass
class Seeded:
    url: str
    db: Database
    engine: Engine  # bench handlers, bench/models deployed


def _seeded(url: str) -> Iterator[Seeded]:
    db = Database(url)
    try:
        yield Seeded(url, db, prepare(db))
    finally:
        db.dispose()


@pytest.fixture
def pg() -> Iterator[Seeded]:
    """A seeded throw-away database on the PostgreSQL server of CAUCE_TEST_PG_URL."""
    if not PG_SERVER_URL:
        pytest.skip("needs PostgreSQL: set CAUCE_TEST_PG_URL (scripts/test.sh does)")
    with fresh_postgres_database(PG_SERVER_URL, prefix="cauce_test") as url:
        yield from _seeded(url)


@pytest.fixture(params=BACKENDS)
def seeded(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Seeded]:
    """A seeded database on each backend: a SQLite file, and PostgreSQL when CAUCE_TEST_PG_URL is set."""
    if request.param == "sqlite":
        yield from _seeded(f"sqlite:///{tmp_path / 'cauce.db'}")
        return
    assert PG_SERVER_URL is not None
    with fresh_postgres_database(PG_SERVER_URL, prefix="cauce_test") as url:
        yield from _seeded(url)
