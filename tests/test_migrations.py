"""The Alembic history builds exactly the schema the models declare, and upgrading twice changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, MetaData, String, inspect, text
from sqlalchemy.engine import Engine

from engine import identity, models  # noqa: F401  (registers the engine's tables on Base.metadata)
from engine.db import Base, make_engine
from engine.schema import alembic_config, current_revision, head_revision, upgrade
from handlers.casos import models as case_models  # noqa: F401  (registers the case tables)
from handlers.ledger.models import LedgerBase
from handlers.mail import models as mail_models  # noqa: F401  (registers the outbox)
from handlers.oficina import link_models, order_models  # noqa: F401  (registers the Oficina's tables)
from handlers.plans import models as plan_models  # noqa: F401  (registers the payment plans)
from handlers.sms import models as sms_models  # noqa: F401  (registers the SMS outbox)

METADATA: list[MetaData] = [Base.metadata, LedgerBase.metadata]


@pytest.fixture
def empty(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


HEAD = "0011"  # the newest migration; bump it with each new one


def _diff(engine: Engine, metadata: list[MetaData] | MetaData = METADATA) -> list[Any]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, metadata))  # type: ignore[arg-type]  # a list works, as in env.py


def _schema(engine: Engine) -> dict[str, Any]:
    found = inspect(engine)
    return {
        table: {
            "columns": [(c["name"], str(c["type"]), c["nullable"]) for c in found.get_columns(table)],
            "pk": found.get_pk_constraint(table)["constrained_columns"],
            "fks": sorted((fk["name"] or "", tuple(fk["constrained_columns"]), fk["referred_table"])
                          for fk in found.get_foreign_keys(table)),
            "indexes": sorted((ix["name"] or "", tuple(ix["column_names"]), bool(ix["unique"]))
                              for ix in found.get_indexes(table)),
            "uniques": sorted((uq["name"] or "", tuple(uq["column_names"]))
                              for uq in found.get_unique_constraints(table)),
        }
        for table in sorted(found.get_table_names())
    }


def test_revisions_form_one_line_from_0001_to_head() -> None:
    script = ScriptDirectory.from_config(alembic_config(make_engine("sqlite://")))
    chain = [rev.revision for rev in script.walk_revisions()]
    assert chain[-1] == "0001" and chain[0] == HEAD and len(script.get_heads()) == 1


def test_empty_database_has_no_revision(empty: Engine) -> None:
    assert current_revision(empty) is None
    assert head_revision(empty) == HEAD
    assert inspect(empty).get_table_names() == []


def test_upgrade_to_head_matches_the_models(empty: Engine) -> None:
    assert upgrade(empty) == (None, head_revision(empty))
    assert current_revision(empty) == head_revision(empty) == HEAD
    declared = {name for metadata in METADATA for name in metadata.tables}
    assert set(inspect(empty).get_table_names()) == declared | {"alembic_version"}
    assert _diff(empty) == []


def test_second_upgrade_is_a_no_op(empty: Engine) -> None:
    upgrade(empty)
    before = _schema(empty)
    with empty.connect() as connection:
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    assert versions == [HEAD]

    assert upgrade(empty) == (HEAD, HEAD)
    assert _schema(empty) == before
    with empty.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [HEAD]
    assert _diff(empty) == []


def test_the_comparison_would_see_a_difference(empty: Engine) -> None:
    """Guard against a vacuous check: a dropped index and a missing table both show up."""
    upgrade(empty)
    index = next(ix for ix in Base.metadata.tables["instance"].indexes if ix.name)
    with empty.begin() as connection:
        connection.execute(text(f"DROP INDEX {index.name}"))
    diff = _diff(empty)
    assert [(d[0], d[1].name) for d in diff] == [("add_index", index.name)]

    extra = MetaData()
    for metadata in METADATA:
        for table in metadata.tables.values():
            table.to_metadata(extra)
    extra.tables["instance"].append_column(Column("note_for_test", String(10)))
    diff = _diff(empty, extra)
    assert [(d[0], d[2], d[3].name) for d in diff if d[0] == "add_column"] == [
        ("add_column", "instance", "note_for_test")]
