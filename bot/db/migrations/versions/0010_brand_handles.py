"""brand handles: brands' support handles, the brands we know but do not service, and their handoff reason

`brands.support_handles` lists a brand's social-media support accounts without "@" ("AppleSupport"); existing
rows get an empty list. `other_brands` holds brands customers name that we do not service (code, names, aliases,
handles): the NLU recognises them so that a person can take over, with the new handoff reason `unserved_brand`.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 10:00:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

_REASONS = "'requested', 'fallback', 'safety', 'complaint'"


def _reason_check(batch_op, reasons: str) -> None:
    batch_op.drop_constraint(batch_op.f('ck_handoffs_reason_known'), type_='check')
    batch_op.create_check_constraint(batch_op.f('ck_handoffs_reason_known'), f"reason IN ({reasons})")


def upgrade() -> None:
    with op.batch_alter_table('brands', schema=None) as batch_op:
        batch_op.add_column(sa.Column('support_handles', sa.JSON(), server_default=sa.text("'[]'"), nullable=False))

    op.create_table('other_brands',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name_zh', sa.String(length=80), nullable=False),
    sa.Column('name_en', sa.String(length=80), nullable=False),
    sa.Column('aliases', sa.JSON(), nullable=False),
    sa.Column('support_handles', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_other_brands')),
    sa.UniqueConstraint('code', name=op.f('uq_other_brands_code'))
    )

    with op.batch_alter_table('handoffs', schema=None) as batch_op:
        _reason_check(batch_op, f"{_REASONS}, 'unserved_brand'")


def downgrade() -> None:
    op.execute("UPDATE handoffs SET reason = 'requested' WHERE reason = 'unserved_brand'")
    with op.batch_alter_table('handoffs', schema=None) as batch_op:
        _reason_check(batch_op, _REASONS)
    op.drop_table('other_brands')
    with op.batch_alter_table('brands', schema=None) as batch_op:
        batch_op.drop_column('support_handles')
