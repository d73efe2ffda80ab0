"""csat questions: the web chat polls the rating question as a customer message of kind `csat`

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 23:10:00.000000
"""
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

_KINDS = "'ticket_update', 'agent'"


def _kind_check(batch_op, kinds: str) -> None:
    batch_op.drop_constraint(batch_op.f('ck_customer_messages_kind_known'), type_='check')
    batch_op.create_check_constraint(batch_op.f('ck_customer_messages_kind_known'), f"kind IN ({kinds})")


def upgrade() -> None:
    with op.batch_alter_table('customer_messages', schema=None) as batch_op:
        _kind_check(batch_op, f"{_KINDS}, 'csat'")


def downgrade() -> None:
    op.execute("DELETE FROM customer_messages WHERE kind = 'csat'")
    with op.batch_alter_table('customer_messages', schema=None) as batch_op:
        _kind_check(batch_op, _KINDS)
