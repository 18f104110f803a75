"""What a meeting decided about the previous minutes, and where minutes were agreed.

On the minutes of the deciding meeting: its decision on the minutes of the meeting before
(agreed as a correct record, agreed with amendments, not yet agreed) and the amendments. On the
previous minutes: when and at which meeting they were agreed as a correct record. Minutes written
before this migration have no recorded decision and were not agreed in Panel, so all stay empty.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 20:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('minutes', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'previous_decision',
                sa.Enum(
                    'agreed',
                    'agreed_with_amendments',
                    'not_agreed',
                    name='previousminutesdecision',
                    native_enum=False,
                ),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column('previous_amendments', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('agreed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('agreed_at_meeting_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_minutes_agreed_at_meeting_id_meeting'), 'meeting', ['agreed_at_meeting_id'], ['id']
        )


def downgrade():
    with op.batch_alter_table('minutes', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_minutes_agreed_at_meeting_id_meeting'), type_='foreignkey')
        batch_op.drop_column('agreed_at_meeting_id')
        batch_op.drop_column('agreed_at')
        batch_op.drop_column('previous_amendments')
        batch_op.drop_column('previous_decision')
