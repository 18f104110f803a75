"""A keyed audit chain: events from now on are linked with HMAC-SHA256 under AUDIT_CHAIN_KEY,
which lives outside the database, so that someone who can write the database cannot recompute
the links after changing an event. The chain's head says from which event links are keyed, with
the key's signature over that number.

Events already recorded keep their plain SHA-256 links: re-linking them would rewrite every row
of the trail (20 million on the national data), and the first keyed link covers the last plain
hash, so changing an earlier event and recomputing the plain links after it still breaks the
chain there.

Downgrading drops the boundary and leaves keyed events as they were written (the trail is
append-only): the code before this migration cannot verify them. Upgrading again finds where the
keyed events begin.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-04 00:10:00

"""
import hashlib
import hmac
import json
from datetime import timezone

import sqlalchemy as sa
from alembic import op
from flask import current_app


# revision identifiers, used by Alembic.
revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None

EVENTS = sa.table(
    'audit_event',
    sa.column('occurred_at', sa.DateTime(timezone=True)), sa.column('actor_id', sa.Integer),
    sa.column('actor_email', sa.String), sa.column('action', sa.String),
    sa.column('object_type', sa.String), sa.column('object_id', sa.Integer),
    sa.column('object_label', sa.String), sa.column('changes', sa.JSON),
    sa.column('remote_addr', sa.String), sa.column('sequence', sa.Integer),
    sa.column('previous_hash', sa.String), sa.column('hash', sa.String),
)
HEAD = sa.table(
    'audit_chain_head',
    sa.column('id', sa.Integer), sa.column('last_sequence', sa.Integer),
    sa.column('keyed_from', sa.Integer), sa.column('keyed_from_seal', sa.String),
)


def _keyed_hash(key, previous_hash, sequence, occurred_at, actor_id, actor_email, action, *rest):
    # A frozen copy of panel.core.audit.chain_hash as it is at this migration: migrations never
    # import app code.
    if occurred_at.tzinfo is None:
        occurred_at = occurred_at.replace(tzinfo=timezone.utc)
    payload = json.dumps(
        [sequence, occurred_at.astimezone(timezone.utc).isoformat(), actor_id, actor_email, action]
        + list(rest),
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hmac.digest(key, f"{previous_hash or ''}|{payload}".encode(), hashlib.sha256).hex()


def _seal(key, keyed_from):
    # A frozen copy of panel.core.audit._keyed_from_seal.
    return hmac.digest(key, f"panel-audit-keyed-from|{keyed_from}".encode(), hashlib.sha256).hex()


def _is_keyed(connection, key, sequence):
    row = connection.execute(
        sa.select(
            EVENTS.c.previous_hash, EVENTS.c.sequence, EVENTS.c.occurred_at, EVENTS.c.actor_id,
            EVENTS.c.actor_email, EVENTS.c.action, EVENTS.c.object_type, EVENTS.c.object_id,
            EVENTS.c.object_label, EVENTS.c.changes, EVENTS.c.remote_addr, EVENTS.c.hash,
        ).where(EVENTS.c.sequence == sequence)
    ).first()
    return row is not None and row.hash == _keyed_hash(key, *row[:-1])


def _keyed_from(connection, key, last_sequence):
    """After the last event, when it is linked the plain way (every trail before this migration).
    If it is keyed, the trail was keyed once already and migrated down and up again: its keyed
    events follow its plain ones, so the first keyed one is found by halving."""
    if last_sequence == 0 or not _is_keyed(connection, key, last_sequence):
        return last_sequence + 1
    low, high = 1, last_sequence
    while low < high:
        middle = (low + high) // 2
        if _is_keyed(connection, key, middle):
            high = middle
        else:
            low = middle + 1
    return low


def upgrade():
    with op.batch_alter_table('audit_chain_head', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('keyed_from', sa.Integer(), server_default='1', nullable=False)
        )
        batch_op.add_column(sa.Column('keyed_from_seal', sa.String(length=64), nullable=True))

    key = current_app.config['AUDIT_CHAIN_KEY'].encode()
    connection = op.get_bind()
    head = connection.execute(sa.select(HEAD.c.last_sequence).where(HEAD.c.id == 1)).first()
    if head is None:
        return  # no event yet: the first one recorded makes a head keyed from the start
    keyed_from = _keyed_from(connection, key, head.last_sequence)
    connection.execute(
        HEAD.update()
        .where(HEAD.c.id == 1)
        .values(keyed_from=keyed_from, keyed_from_seal=_seal(key, keyed_from))
    )


def downgrade():
    with op.batch_alter_table('audit_chain_head', schema=None) as batch_op:
        batch_op.drop_column('keyed_from_seal')
        batch_op.drop_column('keyed_from')
