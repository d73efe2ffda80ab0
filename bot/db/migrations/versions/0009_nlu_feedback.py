"""nlu feedback: customer messages whose category a person confirmed (masked), and the labels they gave

`nlu_examples` holds the masked text of a message (never the raw conversation id: its SHA-256), what the model
predicted, where the example came from (did_you_mean | agent | low_confidence) and the supervisor's review;
`nlu_labels` one label per example × source × actor.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 21:30:00.000000
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

_CATEGORIES = (
    "'report_fault', 'warranty_query', 'parts_availability', 'ticket_status', 'complaint', 'request_human', "
    "'installation_request', 'return_refund', 'find_service_centre', 'greet', 'out_of_scope'"
)


def upgrade() -> None:
    op.create_table('nlu_examples',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('conversation_hash', sa.String(length=64), nullable=False),
    sa.Column('message_key', sa.String(length=64), nullable=False),
    sa.Column('channel', sa.String(length=24), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('text_hash', sa.String(length=64), nullable=False),
    sa.Column('predicted_intent', sa.String(length=64), nullable=True),
    sa.Column('predicted_confidence', sa.Float(), nullable=True),
    sa.Column('candidates', sa.Text(), nullable=False),
    sa.Column('origin', sa.String(length=16), nullable=False),
    sa.Column('review_status', sa.String(length=12), nullable=False),
    sa.Column('reviewed_by', sa.String(length=64), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('final_label', sa.String(length=32), nullable=True),
    sa.CheckConstraint("language IN ('zh', 'en', 'mixed')", name=op.f('ck_nlu_examples_language_known')),
    sa.CheckConstraint("origin IN ('did_you_mean', 'agent', 'low_confidence')",
                       name=op.f('ck_nlu_examples_origin_known')),
    sa.CheckConstraint("review_status IN ('pending', 'accepted', 'rejected')",
                       name=op.f('ck_nlu_examples_review_status_known')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nlu_examples')),
    sa.UniqueConstraint('conversation_hash', 'message_key', name='uq_nlu_examples_conversation_message')
    )
    with op.batch_alter_table('nlu_examples', schema=None) as batch_op:
        batch_op.create_index('ix_nlu_examples_review', ['review_status', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_nlu_examples_text_hash'), ['text_hash'], unique=False)

    op.create_table('nlu_labels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('example_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=32), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('actor', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint(f"label IN ({_CATEGORIES})", name=op.f('ck_nlu_labels_label_known')),
    sa.CheckConstraint("source IN ('customer', 'agent', 'supervisor')", name=op.f('ck_nlu_labels_source_known')),
    sa.ForeignKeyConstraint(['example_id'], ['nlu_examples.id'], name=op.f('fk_nlu_labels_example_id_nlu_examples'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_nlu_labels')),
    sa.UniqueConstraint('example_id', 'source', 'actor', name='uq_nlu_labels_example_source_actor')
    )
    with op.batch_alter_table('nlu_labels', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_nlu_labels_example_id'), ['example_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('nlu_labels', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_nlu_labels_example_id'))
    op.drop_table('nlu_labels')
    with op.batch_alter_table('nlu_examples', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_nlu_examples_text_hash'))
        batch_op.drop_index('ix_nlu_examples_review')
    op.drop_table('nlu_examples')
