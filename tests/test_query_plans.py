"""Every query of the busiest pages can be served by an index: none reads the whole of a table that
grows with history (PostgreSQL only).

The demo data is loaded once for the module; the busiest pages are opened as the demo accounts
(`tests.query_plans.pages`), and each SELECT they issue is explained with sequential scans turned
off. A planner that still reads a large table whole (a sequential scan, or an index from end to
end with no LIMIT to stop it) has no index it could use instead, so on the national dataset (42
million rows) the page would read the table whole. Measure the real plans with
`python -m tests.query_plans DATABASE_URL` (see README, "Performance").
"""

from __future__ import annotations

import pytest

from panel import access
from panel.cases.agreement import services as agreement
from panel.demo import load_demo_data
from panel.extensions import db as _db
from panel.panels.models import Membership
from tests import query_plans


@pytest.fixture(scope="module")
def busiest_pages(app, module_db):
    """The queries the busiest pages issue, on the demo data. (Not the national dataset's small
    fraction: its loader drops and makes indexes again inside the module's transaction, where
    PostgreSQL may not use them yet, since the transaction also updated rows of their tables.)"""
    # tests/conftest.py collects this module only on PostgreSQL.
    assert module_db.dialect.name == "postgresql", "set TEST_DATABASE_URL"
    load_demo_data()
    # The demo accounts have accepted their panels' confidentiality agreements, as people who
    # use Panel every day have.
    emails = {page.email for page in query_plans.pages()}
    for membership in _db.session.scalars(_db.select(Membership)):
        user, panel = membership.user, membership.panel
        if user.email in emails and access.can(user, access.Action.VIEW_CASE_REVIEWS, panel):
            agreement.accept(user, panel)
    _db.session.commit()
    return query_plans.walk(app, query_plans.pages())


def test_every_table_is_counted_as_growing_with_history_or_small(app):
    tables = set(_db.metadata.tables) | {"alembic_version"}
    assert tables == query_plans.LARGE_TABLES | set(query_plans.SMALL_TABLES)


def test_no_query_of_the_busiest_pages_reads_a_whole_large_table(busiest_pages, module_db):
    failures, known = [], set()
    for query in busiest_pages:
        reading = query_plans.whole_tables_read(module_db, query)
        if reading.full_scans and (exemption := query_plans.known_whole_read(query)):
            known.add(exemption)
        elif reading.full_scans:
            failures.append(
                f"{', '.join(sorted(set(query.pages)))}: {', '.join(reading.full_scans)}\n"
                f"{query.statement}\n{query.parameters}\n{reading.plan}"
            )
    assert not failures, f"{len(failures)} queries read a whole table:\n\n" + "\n\n".join(failures)
    gone = set(query_plans.KNOWN_WHOLE_READS) - known
    assert not gone, f"no longer read a table whole (take them out of KNOWN_WHOLE_READS): {gone}"


def test_each_query_is_planned_for_its_own_parameters_without_jit(app):
    # A statement psycopg has prepared would otherwise get one plan for any panel or
    # organisation, and a costly-looking count would be compiled first (panel/app.py).
    with app.app_context():
        settings = dict(
            _db.session.execute(
                _db.text(
                    "SELECT name, setting FROM pg_settings WHERE name IN ('jit', 'plan_cache_mode')"
                )
            ).all()
        )
    assert settings == {"jit": "off", "plan_cache_mode": "force_custom_plan"}
