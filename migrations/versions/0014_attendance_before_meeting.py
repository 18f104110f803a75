"""Apologies and deputies sent before the meeting: when they were sent, and by whom (the member,
or the chair or coordinator recording them for the member), so the register at the meeting starts
from them and the record says who sent them.

Lines written before this migration were all taken at the meeting, so both stay empty.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 20:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.add_column(sa.Column('apologies_sent_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('apologies_sent_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_attendance_apologies_sent_by_id_user_account'),
            'user_account',
            ['apologies_sent_by_id'],
            ['id'],
        )


def downgrade():
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_attendance_apologies_sent_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('apologies_sent_by_id')
        batch_op.drop_column('apologies_sent_at')
