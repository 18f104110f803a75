"""The busiest pages' queries and their plans on PostgreSQL.

`walk` opens the pages people open most (the home page, the lessons register with each filter, a
meeting with its matters arising, the panel page, the interventions lists, the audit trail with
each filter, published minutes) as the demo accounts, and `capture` records every SELECT they
issue with its parameters. `plan` asks PostgreSQL how it would run one, and `full_scans` names
each node of the plan that reads the whole of a table that grows with history.

`tests/test_query_plans.py` checks the plans on the test database with sequential scans turned
off, so that a small database still shows whether an index *can* serve each query. Run as a
module, it measures the real plans (EXPLAIN ANALYZE) on a loaded database, such as the national
dataset, inside a read-only transaction, so that nothing is written to it:

    python -m tests.query_plans postgresql://postgres@127.0.0.1:5432/national
"""

from __future__ import annotations

import argparse
import contextlib
import json
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from panel.accounts.models import Organisation, User
from panel.core import sessions
from panel.core.database import utcnow
from panel.core.time import uk_today
from panel.demo import COVENTRY, ISP
from panel.extensions import db
from panel.meetings.models import Meeting, MeetingStatus
from panel.panels.models import Panel

# Tables that grow with history, from the models: a full read of one is a page whose cost grows
# with the years. Every table in the schema is in this set or in SMALL_TABLES (the test checks).
LARGE_TABLES = frozenset(
    {
        "account_link",
        "agenda_item",
        "agreement_acceptance",
        "annual_report",
        "annual_report_request",
        "attendance",
        "audit_event",
        "case_review",
        "case_review_strand",
        "case_view",
        "guard_override",
        "guest",
        "insight_snapshot",
        "interest_declaration",
        "intervention",
        "intervention_update",
        "key_message",
        "key_messages_publication",
        "lesson",
        "lesson_strand",
        "live_case",
        "live_case_need",
        "live_case_strand",
        "meeting",
        "meeting_action",
        "meeting_series",
        "membership",
        "minutes",
        "minutes_note",
        "minutes_version",
        "outbox_message",
        "passkey",
        "passkey_challenge",
        "pool_case",
        "pool_case_strand",
        "pool_draw",
        "pool_import",
        "recommendation",
        "recommendation_event",
        "recovery_code",
        "reminder_claim",
        "sign_in_failures",
        "stage_finding",
        "user_account",
    }
)

# Vocabulary and configuration: a row or a few per panel, read whole where a page lists them.
SMALL_TABLES = {
    "alembic_version": "one row",
    "audit_chain_head": "one row: the head of the hash chain",
    "panel": "about 430 at national scale",
    "organisation": "a few thousand at national scale, listed whole in choice lists",
    "confidentiality_agreement": "one per panel",
    "agenda_template_item": "a few standing items per panel",
    "intervention_type": "a dozen kinds per panel",
}


# Queries of the busiest pages that still read a large table whole, by the start of their SQL,
# each with why it is left and who takes it on. The test fails when one is no longer issued or no
# longer reads the table whole, so that an exemption goes when its reason does.
# None today: the audit trail's "Who" list, which offered every user, became a search.
KNOWN_WHOLE_READS: dict[str, str] = {}


def known_whole_read(query: Query) -> str | None:
    """The start of the SQL under which `query` is a known whole read, if it is one."""
    statement = " ".join(query.statement.split())
    return next((known for known in KNOWN_WHOLE_READS if statement.startswith(known)), None)


# --- The pages ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    name: str
    email: str
    path: str
    query: dict[str, Any] = field(default_factory=dict)


def _day(day) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def _next_meeting(panel_id: int) -> int | None:
    return db.session.scalar(
        sa.select(Meeting.id)
        .where(
            Meeting.panel_id == panel_id,
            Meeting.status == MeetingStatus.SCHEDULED,
            Meeting.starts_at > utcnow(),
        )
        .order_by(Meeting.starts_at)
        .limit(1)
    )


def pages() -> list[Page]:
    """The busiest pages, on the demo panels (the busiest panels in the national dataset), as
    the demo accounts who open them."""
    panel_ids = dict(db.session.execute(sa.select(Panel.name, Panel.id)).tuples().all())
    isp, coventry = panel_ids[ISP], panel_ids[COVENTRY]
    users = dict(db.session.execute(sa.select(User.email, User.id)).tuples().all())
    partner_organisation = db.session.scalar(
        sa.select(User.organisation_id).where(User.email == "member@panel.example")
    )
    cps = db.session.scalar(
        sa.select(Organisation.id).where(Organisation.name == "CPS West Midlands")
    )
    today = uk_today()
    chair, coordinator, partner = (
        "chair@panel.example",
        "coordinator@panel.example",
        "member@panel.example",
    )
    found = [
        Page("home, chair", chair, "/"),
        Page("home, local panel chair", "inspector.coventry@panel.example", "/"),
        Page("home, coordinator", coordinator, "/"),
        Page("home, partner", partner, "/"),
        Page("panel, scrutiny", chair, f"/panels/{isp}"),
        Page("panel, local", coordinator, f"/panels/{coventry}"),
        Page("register", chair, "/lessons"),
        Page("register, search", chair, "/lessons", {"q": "victim"}),
        Page("register, search for a rare word", chair, "/lessons", {"q": "khat"}),
        Page("register, strand", chair, "/lessons", {"strand": "religion"}),
        Page("register, stage", chair, "/lessons", {"stage": "charging"}),
        Page("register, kind", chair, "/lessons", {"kind": "improvement"}),
        Page(
            "register, organisation", chair, "/lessons", {"organisation": str(partner_organisation)}
        ),
        Page("register, status", chair, "/lessons", {"status": "accepted"}),
        Page("register, overdue", chair, "/lessons", {"overdue": "y"}),
        Page(
            "register, recorded dates",
            chair,
            "/lessons",
            {"recorded_from": _day(today - timedelta(days=365)), "recorded_to": _day(today)},
        ),
        Page("register, panel", chair, f"/panels/{isp}/lessons"),
        Page("register, panel and search", chair, f"/panels/{isp}/lessons", {"q": "housing"}),
        Page("register, partner", partner, "/lessons"),
        Page("meetings, scrutiny", coordinator, f"/panels/{isp}/meetings"),
        Page("meetings, local", coordinator, f"/panels/{coventry}/meetings"),
        Page("case reviews", coordinator, f"/panels/{isp}/case-reviews"),
        Page("live cases", coordinator, f"/panels/{coventry}/live-cases"),
        Page("interventions, panel", coordinator, f"/panels/{coventry}/interventions"),
        Page(
            "interventions, panel, overdue",
            coordinator,
            f"/panels/{coventry}/interventions",
            {"overdue": "y"},
        ),
        Page(
            "interventions, panel, organisation",
            coordinator,
            f"/panels/{coventry}/interventions",
            {"organisation": str(partner_organisation)},
        ),
        Page("interventions, partner's", partner, "/interventions"),
        Page("published minutes", "reader@panel.example", "/minutes"),
        Page("published minutes, panel", "reader@panel.example", f"/panels/{coventry}/minutes"),
        Page("minutes, panel, coordinator", coordinator, f"/panels/{coventry}/minutes"),
        Page("audit trail", "admin@panel.example", "/admin/audit-trail"),
        Page(
            "audit trail, who",
            "admin@panel.example",
            "/admin/audit-trail",
            {"user": str(users[chair])},
        ),
        Page(
            "audit trail, organisation",
            "admin@panel.example",
            "/admin/audit-trail",
            {"organisation": str(cps)},
        ),
        Page(
            "audit trail, action", "admin@panel.example", "/admin/audit-trail", {"action": "update"}
        ),
        Page(
            "audit trail, object",
            "admin@panel.example",
            "/admin/audit-trail",
            {"object_type": "case_review"},
        ),
        Page(
            "audit trail, one object",
            "admin@panel.example",
            "/admin/audit-trail",
            {"object_type": "panel", "object_id": str(isp)},
        ),
        Page(
            "audit trail, dates",
            "admin@panel.example",
            "/admin/audit-trail",
            {"occurred_from": _day(today - timedelta(days=7)), "occurred_to": _day(today)},
        ),
        Page(
            "audit trail, search",
            "admin@panel.example",
            "/admin/audit-trail",
            {"q": "coordinator@"},
        ),
    ]
    for name, panel_id in (("scrutiny", isp), ("local", coventry)):
        meeting_id = _next_meeting(panel_id)
        if meeting_id is not None:
            found.append(
                Page(
                    f"meeting with matters arising, {name}", coordinator, f"/meetings/{meeting_id}"
                )
            )
    return found


def sign_in(client: FlaskClient, user: User) -> None:
    """A signed-in session for `user` with the second factor given, as `sessions.start` makes it,
    without the sign-in form: the form writes (its audit events), and the pages are what is
    measured here."""
    now = utcnow().timestamp()
    with client.session_transaction() as session:
        session.clear()
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        session[sessions.SIGNED_IN_AT] = now
        session[sessions.LAST_SEEN] = now
        session[sessions.SESSION_ID] = secrets.token_urlsafe(16)
        session[sessions.TWO_FACTOR_VERIFIED] = True


# --- Capturing queries -------------------------------------------------------------------------


@dataclass
class Query:
    """One SELECT a page issued, with its parameters; `pages` lists every page that issued it."""

    statement: str
    parameters: Any
    pages: list[str] = field(default_factory=list)


@contextlib.contextmanager
def capture() -> Iterator[list[tuple[str, Any]]]:
    """``with capture() as statements:`` every SELECT run meanwhile, with its parameters."""
    statements: list[tuple[str, Any]] = []

    def listen(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")) and not executemany:
            statements.append((statement, parameters))

    engine = db.engine
    event.listen(engine, "before_cursor_execute", listen)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", listen)


def walk(app: Flask, pages_: list[Page]) -> list[Query]:
    """Open each page as its person; every distinct SELECT the pages issued, in order."""
    queries: dict[tuple[str, str], Query] = {}
    client = app.test_client()
    users = {
        user.email: user
        for user in db.session.scalars(
            sa.select(User).where(User.email.in_({page.email for page in pages_}))
        )
    }
    for page in pages_:
        sign_in(client, users[page.email])
        with capture() as statements:
            response = client.get(page.path, query_string=page.query)
        if response.status_code != 200:
            raise AssertionError(
                f"{page.name} ({page.path}) answered {response.status_code} "
                f"{response.headers.get('Location', '')}"
            )
        for statement, parameters in statements:
            key = (statement, repr(parameters))
            queries.setdefault(key, Query(statement, parameters)).pages.append(page.name)
    return list(queries.values())


# --- Plans -------------------------------------------------------------------------------------


def plan(connection: sa.Connection, query: Query, *, analyze: bool = False) -> dict:
    """PostgreSQL's plan for the query (and, with `analyze`, its run: times and buffers)."""
    options = "ANALYZE, BUFFERS, FORMAT JSON" if analyze else "FORMAT JSON"
    result = connection.exec_driver_sql(f"EXPLAIN ({options}) {query.statement}", query.parameters)
    found = result.scalar_one()
    return (json.loads(found) if isinstance(found, str) else found)[0]


def nodes(node: dict) -> Iterator[dict]:
    yield node
    for child in node.get("Plans", []):
        yield from nodes(child)


# Nodes that hand rows on as they read them, so that a LIMIT above them stops the reading below
# (an incremental sort sorts each run of rows already in order of its first keys).
STREAMING = frozenset(
    {"Limit", "Result", "Subquery Scan", "Unique", "Gather Merge", "Append", "Incremental Sort"}
)
INDEX_SCANS = frozenset({"Index Scan", "Index Only Scan"})


def full_scans(found: dict, partial: frozenset[str] = frozenset()) -> list[str]:
    """The nodes of a plan that read every row of a table that grows with history: a sequential
    scan, or an index read from end to end (what the planner does instead when sequential scans
    are turned off), as a bitmap or in order. A scan is bounded only when a LIMIT above it
    (through nodes that stream) stops it, and it filters nothing out, so that it reads no more
    rows than the LIMIT: a whole list counted or sorted in memory, or a filter tested row by
    row until the page is full, may read every row. A `partial` index (by name) holds only the
    rows of its condition, such as the open ones, so reading all of it is not reading the
    table."""
    scans = []

    def visit(node: dict, limited: bool) -> None:
        kind, table = node["Node Type"], node.get("Relation Name")
        bounded = limited and "Filter" not in node
        if table in LARGE_TABLES:
            if kind == "Seq Scan" and not bounded:
                scans.append(f"Seq Scan on {table}")
            elif (
                kind in INDEX_SCANS
                and "Index Cond" not in node
                and not bounded
                and node["Index Name"] not in partial
            ):
                scans.append(f"{kind} of all of {node['Index Name']} on {table}")
            elif kind == "Bitmap Heap Scan":
                scans.extend(
                    f"Bitmap Heap Scan of all of {bitmap['Index Name']} on {table}"
                    for bitmap in nodes(node)
                    if bitmap["Node Type"] == "Bitmap Index Scan"
                    and "Index Cond" not in bitmap
                    and bitmap["Index Name"] not in partial
                )
        for child in node.get("Plans", []):
            # A nested loop reads its outer side as it goes; it runs its inner side once per row.
            streams = kind in STREAMING or (
                kind == "Nested Loop" and child.get("Parent Relationship") == "Outer"
            )
            visit(child, kind == "Limit" or (limited and streams))

    visit(found["Plan"], False)
    return scans


def text_plan(connection: sa.Connection, query: Query, *, analyze: bool = False) -> str:
    explain = "EXPLAIN (ANALYZE, BUFFERS)" if analyze else "EXPLAIN"
    rows = connection.exec_driver_sql(f"{explain} {query.statement}", query.parameters)
    return "\n".join(row[0] for row in rows)


# Planner settings that leave it only the index scans that look rows up by a condition (bitmap
# scans), where the first try, with sequential scans off, still read a table whole.
WITHOUT_SCANS = ("enable_seqscan",)
BY_CONDITION_ONLY = ("enable_seqscan", "enable_indexscan", "enable_indexonlyscan")


@dataclass(frozen=True)
class Reading:
    """What a query reads whole, if anything, and the plan that says so."""

    full_scans: list[str]
    plan: str


def whole_tables_read(connection: sa.Connection, query: Query) -> Reading:
    """Whether the query must read a table that grows with history whole, on a database of any
    size. With sequential scans off the planner uses an index wherever one can serve; on a small
    database it may still prefer reading a whole index in order (it costs next to nothing there)
    to looking the rows up by their condition, so a plan that reads a table whole is asked for
    again with bitmap scans only: if the table is still read whole, no index serves the query."""
    found = Reading([], "")
    partial = frozenset(
        connection.exec_driver_sql(
            "SELECT indexrelid::regclass::text FROM pg_index WHERE indpred IS NOT NULL"
        ).scalars()
    )
    for settings in (WITHOUT_SCANS, BY_CONDITION_ONLY):
        with connection.begin_nested() as savepoint:
            for setting in settings:
                connection.exec_driver_sql(f"SET LOCAL {setting} = off")
            found = Reading(
                full_scans(plan(connection, query), partial), text_plan(connection, query)
            )
            savepoint.rollback()
        if not found.full_scans:
            break
    return found


# --- Measuring on a loaded database ------------------------------------------------------------


def measure(
    url: str,
    repeat: int = 3,
    top: int = 25,
    out: str | None = None,
    settings: tuple[str, ...] = (),
) -> None:
    """EXPLAIN ANALYZE every query of the busiest pages on the database at `url`, in a read-only
    transaction that is rolled back; prints the slowest (best of `repeat` runs each), and writes
    every query's figures to `out` (JSON) if given. `settings` ("random_page_cost=1.1") are set
    for the transaction only, to try a setting before asking the operators for it."""
    from panel import create_app
    from tests.conftest import IsolatedClient, rolled_back

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": secrets.token_hex(32),
            "WTF_CSRF_ENABLED": False,
        }
    )
    # Each request in a context of its own, as in production and the tests.
    app.test_client_class = IsolatedClient
    with rolled_back(app) as connection:
        connection.exec_driver_sql("SET TRANSACTION READ ONLY")
        for setting in settings:
            name, _, value = setting.partition("=")
            connection.execute(
                sa.select(sa.func.set_config(name.strip(), value.strip(), sa.true()))
            )
        started = time.perf_counter()
        queries = walk(app, pages())
        print(f"{len(queries)} distinct queries in {time.perf_counter() - started:.1f} s")
        timed = []
        for query in queries:
            runs = [plan(connection, query, analyze=True) for _ in range(repeat)]
            best = min(runs, key=lambda run: run["Execution Time"])
            timed.append((best["Execution Time"] + best["Planning Time"], best, query))
        timed.sort(key=lambda item: item[0], reverse=True)
        if out:
            figures = [
                {
                    "ms": round(total, 2),
                    # Pages of 8 kB the query touched, in memory or read: its work, whatever
                    # else the machine was doing.
                    "buffers": best["Plan"].get("Shared Hit Blocks", 0)
                    + best["Plan"].get("Shared Read Blocks", 0),
                    "pages": sorted(set(query.pages)),
                    "statement": " ".join(query.statement.split()),
                    "parameters": repr(query.parameters),
                    "full_scans": full_scans(best),
                }
                for total, best, query in timed
            ]
            with open(out, "w") as handle:
                json.dump(figures, handle, indent=1)
        for total, best, query in timed[:top]:
            scans = ", ".join(full_scans(best)) or "-"
            buffers = best["Plan"].get("Shared Hit Blocks", 0) + best["Plan"].get(
                "Shared Read Blocks", 0
            )
            print(
                f"\n{total:9.1f} ms  (plan {best['Planning Time']:.1f}, run "
                f"{best['Execution Time']:.1f}, {buffers:,} buffers)  full scans: {scans}\n"
                f"  pages: {', '.join(sorted(set(query.pages)))}\n"
                f"  {' '.join(query.statement.split())[:600]}\n"
                f"  parameters: {query.parameters}"
            )
            print("  " + text_plan(connection, query, analyze=True).replace("\n", "\n  "))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="the database, e.g. postgresql://postgres@127.0.0.1/national")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--json", help="write every query's figures to this file")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a planner setting for this run only, e.g. random_page_cost=1.1 (repeatable)",
    )
    arguments = parser.parse_args()
    from panel.config import database_url

    measure(
        database_url(arguments.url, "instance"),
        arguments.repeat,
        arguments.top,
        arguments.json,
        tuple(arguments.set),
    )
