"""When a case review was closed: with its minutes' publication it starts the retention period, so
a case review never discussed at a meeting is no longer kept for ever.

Case reviews closed before this migration are dated from the audit trail (the change that closed
them); any the trail does not date get the time of the upgrade, so nothing is deleted early.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 15:00:00

"""
from alembic import op
import sqlalchemy as sa

from panel.core.database import UTCDateTime, utcnow


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

case_review = sa.table(
    'case_review', sa.column('id', sa.Integer), sa.column('status', sa.String), sa.column('closed_at', UTCDateTime())
)
audit_event = sa.table(
    'audit_event',
    sa.column('object_type', sa.String),
    sa.column('object_id', sa.Integer),
    sa.column('action', sa.String),
    sa.column('changes', sa.JSON),
    sa.column('occurred_at', UTCDateTime()),
)


def upgrade():
    with op.batch_alter_table('case_review', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True))

    connection = op.get_bind()
    closed = connection.scalars(sa.select(case_review.c.id).where(case_review.c.status == 'closed')).all()
    if not closed:
        return
    closed_at = {}
    for object_id, changes, occurred_at in connection.execute(
        sa.select(audit_event.c.object_id, audit_event.c.changes, audit_event.c.occurred_at).where(
            audit_event.c.object_type == 'case_review',
            audit_event.c.action == 'update',
            audit_event.c.object_id.in_(closed),
        )
    ):
        status = (changes or {}).get('status')
        if isinstance(status, list) and status[-1:] == ['closed']:
            closed_at[object_id] = max(closed_at.get(object_id, occurred_at), occurred_at)
    upgraded_at = utcnow()
    for case_review_id in closed:
        connection.execute(
            case_review.update()
            .where(case_review.c.id == case_review_id)
            .values(closed_at=closed_at.get(case_review_id, upgraded_at))
        )


def downgrade():
    with op.batch_alter_table('case_review', schema=None) as batch_op:
        batch_op.drop_column('closed_at')
