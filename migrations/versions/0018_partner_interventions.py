"""Partners log what their organisation agreed, and may keep an update within it: an
intervention says whether a partner logged it (the chair and coordinator see new ones on their
home page), and an update whether only the author's organisation may read its text.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 23:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('intervention', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('logged_by_partner', sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.create_index(
            'ix_intervention_panel_partner_created',
            ['panel_id', 'logged_by_partner', 'created_at'],
            unique=False,
        )
    with op.batch_alter_table('intervention_update', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('restricted', sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table('intervention_update', schema=None) as batch_op:
        batch_op.drop_column('restricted')
    with op.batch_alter_table('intervention', schema=None) as batch_op:
        batch_op.drop_index('ix_intervention_panel_partner_created')
        batch_op.drop_column('logged_by_partner')
