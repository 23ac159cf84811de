"""SMS outbox, one-time sign-in codes, the user's document and mobile

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23 16:40:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('document_id', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('mobile', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('email_confirmed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('data_consent_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_app_user_document_id'), ['document_id'], unique=False)
    # Whoever is active today either confirmed the e-mail link or never needed one (accounts made by staff).
    op.execute(sa.text("UPDATE app_user SET email_confirmed_at = created_at WHERE active = :yes")
               .bindparams(yes=True))

    op.create_table('login_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['username'], ['app_user.username'], name=op.f('fk_login_code_username_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_code'))
    )
    with op.batch_alter_table('login_code', schema=None) as batch_op:
        batch_op.create_index('ix_login_code_username_created', ['username', 'created_at'], unique=False)

    op.create_table('outbox_sms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('to', sa.String(length=32), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'sent', 'kept', 'failed')", name=op.f('ck_outbox_sms_status')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_sms'))
    )
    with op.batch_alter_table('outbox_sms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_sms_to'), ['to'], unique=False)
        batch_op.create_index('ix_outbox_sms_status_next', ['status', 'next_attempt_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbox_sms', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_sms_status_next')
        batch_op.drop_index(batch_op.f('ix_outbox_sms_to'))
    op.drop_table('outbox_sms')
    with op.batch_alter_table('login_code', schema=None) as batch_op:
        batch_op.drop_index('ix_login_code_username_created')
    op.drop_table('login_code')
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_app_user_document_id'))
        batch_op.drop_column('data_consent_at')
        batch_op.drop_column('email_confirmed_at')
        batch_op.drop_column('mobile')
        batch_op.drop_column('document_id')
