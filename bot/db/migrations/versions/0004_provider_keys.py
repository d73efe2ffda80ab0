"""provider keys: per-outlet API keys for the provider API (hash and prefix only)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 09:00:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('provider_api_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outlet_id', sa.Integer(), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('key_sha256', sa.String(length=64), nullable=False),
    sa.Column('label', sa.String(length=80), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['outlet_id'], ['outlets.id'], name=op.f('fk_provider_api_keys_outlet_id_outlets'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_api_keys')),
    sa.UniqueConstraint('key_sha256', name=op.f('uq_provider_api_keys_key_sha256')),
    sa.UniqueConstraint('prefix', name=op.f('uq_provider_api_keys_prefix'))
    )
    with op.batch_alter_table('provider_api_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provider_api_keys_outlet_id'), ['outlet_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('provider_api_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provider_api_keys_outlet_id'))

    op.drop_table('provider_api_keys')
