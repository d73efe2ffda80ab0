"""unrouted handoffs: a ticket nobody can take is queued for an agent with the reason `unrouted`

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 15:40:00.000000
"""
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

_REASONS = "'requested', 'fallback', 'safety', 'complaint', 'unserved_brand'"


def _reason_check(batch_op, reasons: str) -> None:
    batch_op.drop_constraint(batch_op.f('ck_handoffs_reason_known'), type_='check')
    batch_op.create_check_constraint(batch_op.f('ck_handoffs_reason_known'), f"reason IN ({reasons})")


def upgrade() -> None:
    with op.batch_alter_table('handoffs', schema=None) as batch_op:
        _reason_check(batch_op, f"{_REASONS}, 'unrouted'")


def downgrade() -> None:
    op.execute("UPDATE handoffs SET reason = 'requested' WHERE reason = 'unrouted'")
    with op.batch_alter_table('handoffs', schema=None) as batch_op:
        _reason_check(batch_op, _REASONS)
