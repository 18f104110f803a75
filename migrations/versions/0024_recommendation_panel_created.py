"""A panel's recommendations made in a period, for insight: (panel_id, created_at). Insight read
all 600,000 recommendations of the national dataset to find a busy panel's year of them.

On a large database in use, build it first with CREATE INDEX CONCURRENTLY under the same name
(README, "Performance"); this migration then keeps it.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-03 22:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_recommendation_panel_created',
        'recommendation',
        ['panel_id', 'created_at'],
        unique=False,
        if_not_exists=True,
    )


def downgrade():
    op.drop_index('ix_recommendation_panel_created', table_name='recommendation')
