"""the Oficina virtual: linked accounts and adhesions

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 16:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _audit_columns() -> list[sa.Column]:
    return [
        sa.Column('actor', sa.String(length=64), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('instance_ref', sa.String(length=64), nullable=True),
    ]


def upgrade() -> None:
    op.create_table('ledger_account_link_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    *_audit_columns(),
    sa.CheckConstraint("kind IN ('vinculada', 'desvinculada')", name=op.f('ck_ledger_account_link_event_kind')),
    sa.ForeignKeyConstraint(['account_id'], ['ledger_account.id'],
                            name=op.f('fk_ledger_account_link_event_account_id_ledger_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_account_link_event'))
    )
    with op.batch_alter_table('ledger_account_link_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_account_link_event_account_id'), ['account_id'], unique=False)
        batch_op.create_index('ix_ledger_account_link_event_user_account', ['username', 'account_id'],
                              unique=False)

    op.create_table('ledger_account_link_attempt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('account_code', sa.String(length=32), nullable=False),
    sa.Column('attempted_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_account_link_attempt'))
    )
    with op.batch_alter_table('ledger_account_link_attempt', schema=None) as batch_op:
        batch_op.create_index('ix_ledger_account_link_attempt_user_at', ['username', 'attempted_at'], unique=False)

    op.create_table('ledger_adhesion_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('service', sa.String(length=24), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=True),
    sa.Column('terms_accepted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('bank', sa.String(length=120), nullable=True),
    sa.Column('bank_account_type', sa.String(length=16), nullable=True),
    sa.Column('bank_account_masked', sa.String(length=16), nullable=True),
    sa.Column('bank_holder', sa.String(length=200), nullable=True),
    sa.Column('bank_holder_document', sa.String(length=32), nullable=True),
    *_audit_columns(),
    sa.CheckConstraint("service IN ('factura_digital', 'debito_automatico')",
                       name=op.f('ck_ledger_adhesion_event_service')),
    sa.CheckConstraint("kind IN ('adhesion', 'cancelacion')", name=op.f('ck_ledger_adhesion_event_kind')),
    sa.CheckConstraint("bank_account_type IS NULL OR bank_account_type IN ('ahorros', 'corriente')",
                       name=op.f('ck_ledger_adhesion_event_bank_account_type')),
    sa.ForeignKeyConstraint(['account_id'], ['ledger_account.id'],
                            name=op.f('fk_ledger_adhesion_event_account_id_ledger_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_adhesion_event'))
    )
    with op.batch_alter_table('ledger_adhesion_event', schema=None) as batch_op:
        batch_op.create_index('ix_ledger_adhesion_event_account_service', ['account_id', 'service'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('ledger_adhesion_event', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_adhesion_event_account_service')
    op.drop_table('ledger_adhesion_event')
    with op.batch_alter_table('ledger_account_link_attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_account_link_attempt_user_at')
    op.drop_table('ledger_account_link_attempt')
    with op.batch_alter_table('ledger_account_link_event', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_account_link_event_user_account')
        batch_op.drop_index(batch_op.f('ix_ledger_account_link_event_account_id'))
    op.drop_table('ledger_account_link_event')
