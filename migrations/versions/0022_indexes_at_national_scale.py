"""Indexes for the busiest pages at national scale (20 million audit events, 3 million lessons, a
busy panel's hundreds of thousands of case reviews and live cases), found by explaining every
query of those pages (tests/test_query_plans.py) and timing them on the national dataset:

- The audit trail by person or by action, newest first: (actor_id, occurred_at), which also serves
  what the index on actor_id alone did, and (action, occurred_at). A rare action (a locked
  account) was looked for among every event, newest first.
- On PostgreSQL, the audit trail's search for part of an e-mail or of an object's name: trigram
  indexes (pg_trgm) on lower(actor_email) and lower(object_label). `LIKE '%...%'` read all 20
  million events (26 s). SQLite has no such index, so the models leave them out.
- A panel's case reviews newest first: (panel_id, created_at); they were sorted whole.
- A panel's interventions soonest due first, (panel_id, due_date, id), and the same of its open
  ones only (partial): the list shows the open ones first, and reads them and the rest each in
  this order as far as the page goes; sorting by "open first" itself read all 180,000 of a busy
  panel's (0.5 s). And (panel_id, owner_organisation_id), for the organisations its list can be
  filtered by (0.5 s).
- A panel's live cases soonest review first: of one status, (panel_id, status, review_date), which
  also serves what (panel_id, status) did; and those not closed, a partial index of their own, as
  most of a busy panel's cases are closed.

Plain CREATE INDEX, in the migration's transaction: it blocks writes to the table while it builds.
On a large database in use, build them first with CREATE INDEX CONCURRENTLY under the same names
(README, "Performance"); this migration then keeps them (IF NOT EXISTS) and drops the indexes
they replace. On the national dataset the trigram indexes take the longest: about half an hour on
two cores.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03 15:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

OPEN_LIVE_CASES = sa.text("status <> 'closed'")
OPEN_INTERVENTIONS = sa.text("status IN ('agreed', 'in_progress')")
# (index, table, columns, options): in the models too.
INDEXES = (
    ('ix_audit_event_actor_occurred', 'audit_event', ['actor_id', 'occurred_at'], {}),
    ('ix_audit_event_action_occurred', 'audit_event', ['action', 'occurred_at'], {}),
    ('ix_case_review_panel_created', 'case_review', ['panel_id', 'created_at'], {}),
    (
        'ix_intervention_panel_open_due',
        'intervention',
        ['panel_id', 'due_date', 'id'],
        {'postgresql_where': OPEN_INTERVENTIONS, 'sqlite_where': OPEN_INTERVENTIONS},
    ),
    ('ix_intervention_panel_due', 'intervention', ['panel_id', 'due_date', 'id'], {}),
    ('ix_intervention_panel_owner', 'intervention', ['panel_id', 'owner_organisation_id'], {}),
    ('ix_live_case_panel_status_review', 'live_case', ['panel_id', 'status', 'review_date'], {}),
    (
        'ix_live_case_panel_open_review',
        'live_case',
        ['panel_id', 'review_date'],
        {'postgresql_where': OPEN_LIVE_CASES, 'sqlite_where': OPEN_LIVE_CASES},
    ),
)
# What the new indexes replace: (index, table, columns).
REPLACED = (
    ('ix_audit_event_actor_id', 'audit_event', ['actor_id']),
    ('ix_live_case_panel_status', 'live_case', ['panel_id', 'status']),
)
# PostgreSQL only, not in the models: panel.core.audit.TRIGRAM_INDEXES.
TRIGRAM_INDEXES = {
    'ix_audit_event_actor_email_trgm': 'actor_email',
    'ix_audit_event_object_label_trgm': 'object_label',
}


# Not in batch mode: SQLite would copy the tables, and the audit trail's triggers (which refuse
# updates and deletes) would go with the old one. Indexes need no copy on either database.
def upgrade():
    for name, table, columns, options in INDEXES:
        op.create_index(name, table, columns, unique=False, if_not_exists=True, **options)
    for name, table, _ in REPLACED:
        op.drop_index(name, table_name=table)
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        # In the public schema, where a database keeps its extensions: one made in the app's own
        # schema (a test worker's) would go, with every index using it, when that schema goes.
        op.execute('CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public')
        # Named with its schema, which need not be on the search path.
        schema = bind.exec_driver_sql(
            "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm'"
        ).scalar_one()
        for name, column in TRIGRAM_INDEXES.items():
            op.execute(
                f'CREATE INDEX IF NOT EXISTS {name} ON audit_event '
                f'USING gin (lower({column}) {schema}.gin_trgm_ops)'
            )


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for name in TRIGRAM_INDEXES:
            op.execute(f'DROP INDEX IF EXISTS {name}')
        # The extension stays: something else in the database may use it.
    for name, table, columns in REPLACED:
        op.create_index(name, table, columns, unique=False)
    for name, table, _, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
