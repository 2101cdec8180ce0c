"""Thread page index with official answers

The page of top-level contributions is ordered official answers first, then by date: with
is_official in the index (and id to break ties), the default order is read from the index
alone instead of sorting every top-level contribution of the thread.

Revision ID: ad1a32c9c577
Revises: f925476ded68
Create Date: 2026-11-23 07:32:45.807428

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'ad1a32c9c577'
down_revision = 'f925476ded68'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('contributions', schema=None) as batch_op:
        batch_op.drop_index('ix_contributions_thread_page')
        batch_op.create_index(
            'ix_contributions_thread_page',
            ['thread_id', 'parent_id', 'is_visible', 'is_official', 'created_at', 'id'],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table('contributions', schema=None) as batch_op:
        batch_op.drop_index('ix_contributions_thread_page')
        batch_op.create_index(
            'ix_contributions_thread_page',
            ['thread_id', 'parent_id', 'is_visible', 'created_at'],
            unique=False,
        )
