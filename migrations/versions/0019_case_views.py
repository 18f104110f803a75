"""The viewing record: one row per person per case per UK day, with a count, for "Who has viewed
this case"; until now every page load was an audit event and a line in that list.

Filled from the audit trail's VIEW events, grouped by case, person and UK calendar day (worked out
in Python, the same on SQLite and PostgreSQL). The events stay in the trail.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02 23:40:00

"""
from datetime import UTC
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

UK = ZoneInfo('Europe/London')

audit_event = sa.table(
    'audit_event',
    sa.column('action', sa.String),
    sa.column('object_type', sa.String),
    sa.column('object_id', sa.Integer),
    sa.column('actor_id', sa.Integer),
    sa.column('occurred_at', sa.DateTime(timezone=True)),
)


def upgrade():
    case_view = op.create_table('case_view',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('object_type', sa.String(length=20), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('first_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_case_view_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_view')),
    sa.UniqueConstraint('object_type', 'object_id', 'user_id', 'day', name=op.f('uq_case_view_object_type'))
    )

    days = {}
    for object_type, object_id, actor_id, occurred_at in op.get_bind().execute(
        sa.select(
            audit_event.c.object_type,
            audit_event.c.object_id,
            audit_event.c.actor_id,
            audit_event.c.occurred_at,
        ).where(
            audit_event.c.action == 'view',
            audit_event.c.object_type.in_(['case_review', 'panel_case']),
            audit_event.c.object_id.is_not(None),
            audit_event.c.actor_id.is_not(None),
        )
    ):
        # SQLite keeps no zone: the app stores UTC.
        at = occurred_at.replace(tzinfo=UTC) if occurred_at.tzinfo is None else occurred_at.astimezone(UTC)
        key = (object_type, object_id, actor_id, at.astimezone(UK).date())
        first_at, last_at, count = days.get(key, (at, at, 0))
        days[key] = (min(first_at, at), max(last_at, at), count + 1)
    rows = [
        {
            'object_type': object_type,
            'object_id': object_id,
            'user_id': user_id,
            'day': day,
            'first_at': first_at,
            'last_at': last_at,
            'count': count,
        }
        for (object_type, object_id, user_id, day), (first_at, last_at, count) in days.items()
    ]
    for start in range(0, len(rows), 1000):
        op.bulk_insert(case_view, rows[start : start + 1000])


def downgrade():
    op.drop_table('case_view')
