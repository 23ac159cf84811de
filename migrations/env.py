"""Alembic environment: one history for the engine's tables and the ledger's."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, engine_from_config, pool

from engine import identity, jobs, messages, models  # noqa: F401  (registers the tables)
from engine.db import Base
from handlers.casos import models as case_models  # noqa: F401  (registers the case tables)
from handlers.ledger.models import LedgerBase
from handlers.mail import models as mail_models  # noqa: F401  (registers the outbox)
from handlers.oficina import link_models, order_models  # noqa: F401  (registers the Oficina's tables)
from handlers.plans import models as plan_models  # noqa: F401  (registers the payment plans)
from handlers.sms import models as sms_models  # noqa: F401  (registers the SMS outbox)
from webui import models as web_models  # noqa: F401  (registers the web tables)

config = context.config
target_metadata = [Base.metadata, LedgerBase.metadata]


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    connectable = engine_from_config(config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.",
                                     poolclass=pool.NullPool)
    with connectable.connect() as conn:
        _run(conn)


def _run(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
