"""payment plans and their instalments

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 16:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _audit_columns() -> list[sa.Column]:
    return [
        sa.Column('actor', sa.String(length=64), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('instance_ref', sa.String(length=64), nullable=True),
    ]


def _money(name: str) -> sa.Column:
    return sa.Column(name, sa.Numeric(precision=14, scale=2), nullable=False)


def upgrade() -> None:
    op.create_table('ledger_payment_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=16), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    _money('total'),
    sa.Column('instalments', sa.Integer(), nullable=False),
    sa.Column('holder', sa.String(length=200), nullable=False),
    sa.Column('holder_document', sa.String(length=32), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=False),
    sa.Column('email', sa.String(length=200), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('terms_accepted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    *_audit_columns(),
    sa.CheckConstraint('instalments > 0', name=op.f('ck_ledger_payment_plan_instalments')),
    sa.CheckConstraint('total > 0', name=op.f('ck_ledger_payment_plan_total')),
    sa.ForeignKeyConstraint(['account_id'], ['ledger_account.id'],
                            name=op.f('fk_ledger_payment_plan_account_id_ledger_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_payment_plan')),
    sa.UniqueConstraint('number', name=op.f('uq_ledger_payment_plan_number'))
    )
    with op.batch_alter_table('ledger_payment_plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_payment_plan_account_id'), ['account_id'], unique=False)

    op.create_table('ledger_payment_plan_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    *_audit_columns(),
    sa.CheckConstraint("kind IN ('generado', 'activado', 'caducado')",
                       name=op.f('ck_ledger_payment_plan_event_kind')),
    sa.ForeignKeyConstraint(['plan_id'], ['ledger_payment_plan.id'],
                            name=op.f('fk_ledger_payment_plan_event_plan_id_ledger_payment_plan')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_payment_plan_event')),
    sa.UniqueConstraint('plan_id', 'kind', name='uq_ledger_payment_plan_event_plan_kind')
    )

    op.create_table('ledger_plan_instalment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    _money('amount'),
    sa.Column('due_on', sa.Date(), nullable=False),
    *_audit_columns(),
    sa.CheckConstraint('amount > 0', name=op.f('ck_ledger_plan_instalment_amount')),
    sa.ForeignKeyConstraint(['plan_id'], ['ledger_payment_plan.id'],
                            name=op.f('fk_ledger_plan_instalment_plan_id_ledger_payment_plan')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_plan_instalment')),
    sa.UniqueConstraint('plan_id', 'seq', name='uq_ledger_plan_instalment_plan_seq')
    )

    op.create_table('ledger_plan_charge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('charge_id', sa.Integer(), nullable=False),
    _money('amount'),
    *_audit_columns(),
    sa.ForeignKeyConstraint(['charge_id'], ['ledger_charge.id'],
                            name=op.f('fk_ledger_plan_charge_charge_id_ledger_charge')),
    sa.ForeignKeyConstraint(['plan_id'], ['ledger_payment_plan.id'],
                            name=op.f('fk_ledger_plan_charge_plan_id_ledger_payment_plan')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_plan_charge')),
    sa.UniqueConstraint('plan_id', 'charge_id', name='uq_ledger_plan_charge_plan_charge')
    )
    with op.batch_alter_table('ledger_plan_charge', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_plan_charge_charge_id'), ['charge_id'], unique=False)

    op.create_table('ledger_plan_instalment_payment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instalment_id', sa.Integer(), nullable=False),
    sa.Column('payment_id', sa.Integer(), nullable=False),
    _money('amount'),
    *_audit_columns(),
    sa.ForeignKeyConstraint(['instalment_id'], ['ledger_plan_instalment.id'],
                            name=op.f('fk_ledger_plan_instalment_payment_instalment_id_ledger_plan_instalment')),
    sa.ForeignKeyConstraint(['payment_id'], ['ledger_payment.id'],
                            name=op.f('fk_ledger_plan_instalment_payment_payment_id_ledger_payment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_plan_instalment_payment')),
    sa.UniqueConstraint('instalment_id', name=op.f('uq_ledger_plan_instalment_payment_instalment_id'))
    )
    with op.batch_alter_table('ledger_plan_instalment_payment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_plan_instalment_payment_payment_id'), ['payment_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('ledger_plan_instalment_payment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_plan_instalment_payment_payment_id'))
    op.drop_table('ledger_plan_instalment_payment')
    with op.batch_alter_table('ledger_plan_charge', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_plan_charge_charge_id'))
    op.drop_table('ledger_plan_charge')
    op.drop_table('ledger_plan_instalment')
    op.drop_table('ledger_payment_plan_event')
    with op.batch_alter_table('ledger_payment_plan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_payment_plan_account_id'))
    op.drop_table('ledger_payment_plan')
