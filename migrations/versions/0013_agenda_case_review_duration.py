"""The panel's default duration for a case review on the agenda: the minutes each case review is
given when the coordinator adds it (changeable for each case), so that the items after it keep
their start times. Existing panels get 20 minutes.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 20:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('panel', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('default_case_review_minutes', sa.Integer(), server_default=sa.text('20'), nullable=False)
        )


def downgrade():
    with op.batch_alter_table('panel', schema=None) as batch_op:
        batch_op.drop_column('default_case_review_minutes')
