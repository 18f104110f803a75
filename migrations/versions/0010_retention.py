"""Retention periods per panel: months to keep case review details and closed live case details.

Existing panels get the defaults (24 and 12 months) from the server defaults.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 11:50:02

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('panel', schema=None) as batch_op:
        batch_op.add_column(sa.Column('case_review_retention_months', sa.Integer(), server_default=sa.text('24'), nullable=False))
        batch_op.add_column(sa.Column('live_case_retention_months', sa.Integer(), server_default=sa.text('12'), nullable=False))


def downgrade():
    with op.batch_alter_table('panel', schema=None) as batch_op:
        batch_op.drop_column('live_case_retention_months')
        batch_op.drop_column('case_review_retention_months')
