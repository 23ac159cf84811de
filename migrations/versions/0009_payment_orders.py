"""online payment orders and gateway notifications

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 16:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('ledger_payment_order',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=32), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('vat', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('vat_base', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('transaction_id', sa.String(length=64), nullable=True),
    sa.Column('notification_id', sa.String(length=64), nullable=True),
    sa.Column('payment_id', sa.Integer(), nullable=True),
    sa.Column('voucher', sa.JSON(), nullable=True),
    sa.Column('messages', sa.JSON(), nullable=True),
    sa.Column('client_ip', sa.String(length=64), nullable=True),
    sa.CheckConstraint("status IN ('pendiente', 'aprobada', 'rechazada', 'vencida')", name=op.f('ck_ledger_payment_order_status')),
    sa.CheckConstraint('amount > 0', name=op.f('ck_ledger_payment_order_amount_positive')),
    sa.ForeignKeyConstraint(['account_id'], ['ledger_account.id'], name=op.f('fk_ledger_payment_order_account_id_ledger_account')),
    sa.ForeignKeyConstraint(['payment_id'], ['ledger_payment.id'], name=op.f('fk_ledger_payment_order_payment_id_ledger_payment')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_payment_order')),
    sa.UniqueConstraint('reference', name=op.f('uq_ledger_payment_order_reference')),
    sa.UniqueConstraint('transaction_id', name=op.f('uq_ledger_payment_order_transaction_id')),
    sa.UniqueConstraint('payment_id', name=op.f('uq_ledger_payment_order_payment_id'))
    )
    with op.batch_alter_table('ledger_payment_order', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_payment_order_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_payment_order_username'), ['username'], unique=False)

    op.create_table('ledger_payment_order_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('ref', sa.String(length=64), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_ledger_payment_order_item_amount_positive')),
    sa.ForeignKeyConstraint(['order_id'], ['ledger_payment_order.id'], name=op.f('fk_ledger_payment_order_item_order_id_ledger_payment_order')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_payment_order_item')),
    sa.UniqueConstraint('order_id', 'seq', name=op.f('uq_ledger_payment_order_item_order_id'))
    )
    with op.batch_alter_table('ledger_payment_order_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_payment_order_item_order_id'), ['order_id'], unique=False)

    op.create_table('ledger_gateway_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('notification_id', sa.String(length=64), nullable=True),
    sa.Column('reference', sa.String(length=32), nullable=True),
    sa.Column('transaction_id', sa.String(length=64), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('outcome', sa.String(length=24), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.Column('remote_addr', sa.String(length=64), nullable=True),
    sa.CheckConstraint("outcome IN ('applied', 'already_applied', 'rejected', 'refused_signature', 'refused_replay', 'refused_malformed', 'refused_unknown', 'refused_amount', 'refused_conflict')", name=op.f('ck_ledger_gateway_notice_outcome')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_gateway_notice'))
    )
    with op.batch_alter_table('ledger_gateway_notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_gateway_notice_notification_id'), ['notification_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_gateway_notice_reference'), ['reference'], unique=False)
        batch_op.create_index('ix_ledger_gateway_notice_remote_addr_received_at', ['remote_addr', 'received_at'],
                              unique=False)


def downgrade() -> None:
    op.drop_table('ledger_gateway_notice')
    op.drop_table('ledger_payment_order_item')
    op.drop_table('ledger_payment_order')
