"""Insight snapshots: a page's figures as worked out, served for a few minutes, so that a busy
panel's insight page does not work out every measure again on every load.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-04 00:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('insight_snapshot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('figures', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_insight_snapshot')),
    sa.UniqueConstraint('key', name=op.f('uq_insight_snapshot_key'))
    )
    op.create_index(op.f('ix_insight_snapshot_computed_at'), 'insight_snapshot', ['computed_at'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_insight_snapshot_computed_at'), table_name='insight_snapshot')
    op.drop_table('insight_snapshot')
