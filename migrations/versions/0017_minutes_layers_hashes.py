"""Both published layers stored with their SHA-256: beside the readers' PDF, the full minutes
(panel members') as published, so that members download, and `flask minutes-pdf --verify` checks,
the same bytes every time.

Versions published before this migration keep only the readers' PDF: the full one is left empty
rather than rendered now, since a PDF made today is not the one members were given then.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 20:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('minutes_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('full_pdf', sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column('full_sha256', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('minutes_version', schema=None) as batch_op:
        batch_op.drop_column('full_sha256')
        batch_op.drop_column('full_pdf')
