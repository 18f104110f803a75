"""Reserved: the panel's default duration for a case review on the agenda.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 20:10:00

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
