"""Who drafted and submitted each version of the minutes, kept with its approval, and a panel
setting that the approver may not be the person who drafted the version.

The drafter of minutes already started is taken from what is stored: whoever last changed a note,
or who started the minutes when no note was written since. Versions approved before this
migration keep no drafter or submitter (the record says "not recorded").

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 20:10:00

"""
from alembic import op
import sqlalchemy as sa

from panel.core.database import UTCDateTime


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

minutes = sa.table(
    'minutes',
    sa.column('id', sa.Integer),
    sa.column('started_at', UTCDateTime()),
    sa.column('started_by_id', sa.Integer),
    sa.column('drafted_at', UTCDateTime()),
    sa.column('drafted_by_id', sa.Integer),
)
minutes_note = sa.table(
    'minutes_note',
    sa.column('minutes_id', sa.Integer),
    sa.column('updated_at', UTCDateTime()),
    sa.column('updated_by_id', sa.Integer),
)


def upgrade():
    with op.batch_alter_table('minutes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('drafted_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('drafted_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_minutes_drafted_by_id_user_account'), 'user_account', ['drafted_by_id'], ['id']
        )

    with op.batch_alter_table('minutes_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('drafted_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('drafted_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('submitted_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_minutes_version_drafted_by_id_user_account'), 'user_account', ['drafted_by_id'], ['id']
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_minutes_version_submitted_by_id_user_account'), 'user_account', ['submitted_by_id'], ['id']
        )

    with op.batch_alter_table('panel', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('minutes_approver_not_drafter', sa.Boolean(), server_default=sa.false(), nullable=False)
        )

    connection = op.get_bind()
    started = connection.execute(sa.select(minutes.c.id, minutes.c.started_at, minutes.c.started_by_id)).all()
    for minutes_id, started_at, started_by_id in started:
        last_note = connection.execute(
            sa.select(minutes_note.c.updated_at, minutes_note.c.updated_by_id)
            .where(minutes_note.c.minutes_id == minutes_id)
            .order_by(minutes_note.c.updated_at.desc())
            .limit(1)
        ).first()
        drafted_at, drafted_by_id = started_at, started_by_id
        if last_note is not None and (started_at is None or last_note.updated_at >= started_at):
            drafted_at, drafted_by_id = last_note.updated_at, last_note.updated_by_id
        connection.execute(
            minutes.update()
            .where(minutes.c.id == minutes_id)
            .values(drafted_at=drafted_at, drafted_by_id=drafted_by_id)
        )


def downgrade():
    with op.batch_alter_table('panel', schema=None) as batch_op:
        batch_op.drop_column('minutes_approver_not_drafter')

    with op.batch_alter_table('minutes_version', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_minutes_version_submitted_by_id_user_account'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_minutes_version_drafted_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('submitted_by_id')
        batch_op.drop_column('submitted_at')
        batch_op.drop_column('drafted_by_id')
        batch_op.drop_column('drafted_at')

    with op.batch_alter_table('minutes', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_minutes_drafted_by_id_user_account'), type_='foreignkey')
        batch_op.drop_column('drafted_by_id')
        batch_op.drop_column('drafted_at')
