"""provider telegram: outlets' Telegram group chats and the routing notices posted there by the provider bot

The notices' scan of ticket events has its own cursor row (`provider_telegram`) in `webhook_cursors`; it starts
at 0, and each group only receives events after its own `since_event_id` (set when the group is configured).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 17:52:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('outlet_telegram_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outlet_id', sa.Integer(), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('since_event_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['outlet_id'], ['outlets.id'], name=op.f('fk_outlet_telegram_groups_outlet_id_outlets'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outlet_telegram_groups')),
    sa.UniqueConstraint('outlet_id', name=op.f('uq_outlet_telegram_groups_outlet_id'))
    )
    with op.batch_alter_table('outlet_telegram_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outlet_telegram_groups_chat_id'), ['chat_id'], unique=False)

    op.create_table('provider_telegram_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outlet_id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=True),
    sa.Column('message_id', sa.BigInteger(), nullable=True),
    sa.Column('last_error', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'sent', 'failed', 'skipped')",
                       name=op.f('ck_provider_telegram_notices_status_known')),
    sa.ForeignKeyConstraint(['event_id'], ['ticket_events.id'],
                            name=op.f('fk_provider_telegram_notices_event_id_ticket_events')),
    sa.ForeignKeyConstraint(['outlet_id'], ['outlets.id'], name=op.f('fk_provider_telegram_notices_outlet_id_outlets'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_provider_telegram_notices_ticket_id_tickets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_telegram_notices')),
    sa.UniqueConstraint('event_id', 'outlet_id', name='uq_provider_telegram_notices_event_outlet')
    )
    with op.batch_alter_table('provider_telegram_notices', schema=None) as batch_op:
        batch_op.create_index('ix_provider_telegram_notices_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_provider_telegram_notices_outlet_id'), ['outlet_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_provider_telegram_notices_ticket_id'), ['ticket_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('provider_telegram_notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provider_telegram_notices_ticket_id'))
        batch_op.drop_index(batch_op.f('ix_provider_telegram_notices_outlet_id'))
        batch_op.drop_index('ix_provider_telegram_notices_due')
    op.drop_table('provider_telegram_notices')
    with op.batch_alter_table('outlet_telegram_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outlet_telegram_groups_chat_id'))
    op.drop_table('outlet_telegram_groups')
