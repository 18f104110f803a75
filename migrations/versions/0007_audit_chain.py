"""A tamper-evident audit trail: each event gets a sequence number, the previous event's hash
and its own hash (a hash chain), with the chain's head in a one-row table. Existing events are
chained in the order they were recorded.

The append-only triggers are dropped while the new columns are added and filled (SQLite rebuilds
the table for the unique constraint, which drops its triggers anyway) and created again after.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 09:42:57.175688

"""
import hashlib
import json
from datetime import timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def _chain_hash(previous_hash, sequence, occurred_at, actor_id, actor_email, action, *rest):
    # A frozen copy of panel.core.audit.chain_hash as it was at this migration: migrations never
    # import app code. Changing how events are hashed needs a new migration that re-chains.
    if occurred_at.tzinfo is None:
        occurred_at = occurred_at.replace(tzinfo=timezone.utc)
    payload = json.dumps(
        [sequence, occurred_at.astimezone(timezone.utc).isoformat(), actor_id, actor_email, action]
        + list(rest),
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(f"{previous_hash or ''}|{payload}".encode()).hexdigest()


def _drop_append_only_triggers():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_delete")


def _create_append_only_triggers():
    # As migration 0001 created them (the PostgreSQL function is still there).
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
            "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()"
        )
    else:
        for verb in ('UPDATE', 'DELETE'):
            op.execute(
                f"CREATE TRIGGER audit_event_no_{verb.lower()} BEFORE {verb} ON audit_event "
                "BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END"
            )


def upgrade():
    op.create_table('audit_chain_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('last_sequence', sa.Integer(), nullable=False),
    sa.Column('last_hash', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_chain_head'))
    )
    _drop_append_only_triggers()
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sequence', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('previous_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_audit_event_sequence'), ['sequence'])

    connection = op.get_bind()
    events = sa.table(
        'audit_event',
        sa.column('id', sa.Integer), sa.column('occurred_at', sa.DateTime(timezone=True)),
        sa.column('actor_id', sa.Integer), sa.column('actor_email', sa.String),
        sa.column('action', sa.String), sa.column('object_type', sa.String),
        sa.column('object_id', sa.Integer), sa.column('object_label', sa.String),
        sa.column('changes', sa.JSON), sa.column('remote_addr', sa.String),
        sa.column('sequence', sa.Integer), sa.column('previous_hash', sa.String),
        sa.column('hash', sa.String),
    )
    rows = connection.execute(
        sa.select(
            events.c.id, events.c.occurred_at, events.c.actor_id, events.c.actor_email,
            events.c.action, events.c.object_type, events.c.object_id, events.c.object_label,
            events.c.changes, events.c.remote_addr,
        ).order_by(events.c.id)
    ).all()
    previous = None
    for sequence, row in enumerate(rows, start=1):
        digest = _chain_hash(previous, sequence, *row[1:])
        connection.execute(
            events.update()
            .where(events.c.id == row.id)
            .values(sequence=sequence, previous_hash=previous, hash=digest)
        )
        previous = digest
    connection.execute(
        sa.text(
            "INSERT INTO audit_chain_head (id, last_sequence, last_hash) VALUES (1, :n, :h)"
        ),
        {"n": len(rows), "h": previous},
    )
    _create_append_only_triggers()


def downgrade():
    _drop_append_only_triggers()
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_audit_event_sequence'), type_='unique')
        batch_op.drop_column('hash')
        batch_op.drop_column('previous_hash')
        batch_op.drop_column('sequence')
    _create_append_only_triggers()
    op.drop_table('audit_chain_head')
