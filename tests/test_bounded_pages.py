"""Every page is bounded: its cost does not grow with history.

Every GET route is requested on the demo data by each demo account its access rule may let in
(the chair, coordinator, partner, reader and admin; nobody signed in, or someone half-way through
signing in, for public pages: `visitors_for`), then again on the same objects after a big history
has been added to the same database (`tests/history.py`: a fraction of the national dataset, and a
couple of hundred times every list the demo accounts see). For each route and each visitor it
rendered for, on the big history:

- the page runs the same number of SQL queries as on the small one (no query per row, nothing
  loaded only when there is something to list),
- no query returns more than `MOST_ROWS` rows (lists are paginated, or cut to the most relevant
  with a link to the rest),
- the response is under `MOST_BYTES`.

A failure names the route (the test's id) and the visitor (the subtest), with the statements
that differ, the biggest query or the size. `ROUTES` names every GET route and the objects its
address names (the busiest meeting, case review, live case...); `test_every_get_route_is_walked`
fails until a new route is added to it. Downloads of a whole list (`EXPORTS`, CSV) are as long as
the list by design: they are only checked to still download.

``BOUNDED_PAGES_REPORT=costs.tsv`` writes every route's figures on both histories to a file.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections import Counter
from dataclasses import dataclass, field

import pytest
from flask import Flask, url_for
from sqlalchemy import event

from panel import access
from panel.accounts.services import find_user_by_email
from panel.demo import DEMO_PASSWORD
from panel.extensions import db
from tests import history
from tests.conftest import sign_in

MOST_ROWS = 400
MOST_BYTES = 300 * 1024

# The usual object for each URL argument, by its attribute in `history.Small`.
ARGUMENTS = {
    "panel_id": "isp",
    "meeting_id": "busy_meeting",
    "agenda_item_id": "busy_agenda_item",
    "template_item_id": "template_item",
    "case_review_id": "case_review",
    "lesson_id": "lesson",
    "recommendation_id": "recommendation",
    "live_case_id": "live_case",
    "intervention_id": "intervention",
    "minutes_id": "published_minutes",
    "key_message_id": "key_message",
    "organisation_id": "housing",
    "user_id": "partner",
    "membership_id": "partner_membership",
    "passkey_id": "passkey",
    "pool_draw_id": "pool_draw",
    "token": "calendar_token",
}

COVENTRY = {"panel_id": "coventry"}
UPCOMING = {"meeting_id": "upcoming_meeting", "agenda_item_id": "upcoming_agenda_item"}
PUBLISHED = {"meeting_id": "published_meeting"}

# fmt: off
# Every GET route: the arguments that differ from `ARGUMENTS` (by attribute of `history.Small`,
# or a literal), and query arguments after "?".
ROUTES: dict[str, dict[str, str | int]] = {
    # Signing in, accounts, links in e-mails
    "accounts.sign_in": {},
    "accounts.second_factor": {},
    "accounts.account": {},
    "accounts.confirm": {"?next": "/account"},
    "two_factor.recovery_codes": {},
    "two_factor.set_up": {},
    "two_factor.set_up_app": {},
    "accounts.passkey_sign_in": {},
    "passkeys.index": {},
    "passkeys.name": {},
    "passkeys.remove": {},
    "links.forgotten_password": {},
    "links.check_your_email": {},
    "links.invitation": {"token": "invitation_token"},
    "links.reset_password": {"token": "reset_token"},
    "health.healthz": {},
    "health.readyz": {},
    # Home and panels
    "panels.home": {},
    "panels.show": {},
    # Administration
    "admin.users": {},
    "admin.new_user": {},
    "admin.edit_user": {},
    "admin.reset_password": {},
    "admin.reset_two_factor": {},
    "admin.organisations": {},
    "admin.new_organisation": {},
    "admin.edit_organisation": {},
    "admin.panels": {},
    "admin.new_panel": {},
    "admin.show_panel": {},
    "admin.edit_panel": {},
    "admin.add_member": {},
    "admin.change_role": {},
    "admin.remove_member": {},
    "admin.audit_trail": {},
    "admin.email": {},
    # Meetings
    "meetings.index": {},
    "meetings.new": {},
    "meetings.new_series": {},
    "meetings.show": {},
    "meetings.matters_arising": {},
    "meetings.move": UPCOMING,
    "meetings.cancel": UPCOMING,
    "calendar.meeting_calendar": UPCOMING,
    "calendar.calendar_feed": {},
    # Agendas and standing items
    "agenda.manage_agenda": UPCOMING,
    "agenda.new_agenda_item": UPCOMING,
    "agenda.edit_agenda_item": UPCOMING,
    "agenda.remove_agenda_item": UPCOMING,
    "agenda.add_case_reviews": UPCOMING,
    "agenda.declare_interest": UPCOMING,
    "agenda.print_agenda": UPCOMING,
    "agenda.agenda_template": {},
    "agenda.new_standing_item": {},
    "agenda.edit_standing_item": {},
    "agenda.remove_standing_item": {},
    "agenda.case_review_duration": {},
    # Attendance, guests, actions
    "attendance.panel_settings": {},
    "attendance.record_attendance": {},
    "attendance.new_guest": {},
    "attendance.new_action": {},
    "attendance.send_apologies": UPCOMING,
    "attendance.record_apologies": UPCOMING,
    # Case reviews
    "cases.index": {},
    "cases.new": {},
    "cases.show": {},
    "cases.edit": {},
    "cases.findings": {},
    "cases.agenda": {},
    "cases.check": {},
    "agreement.agreement_page": {},
    "agreement.edit_agreement": {},
    # The pool of finalised cases and its draws
    "pool.index": {},
    "pool.upload": {},
    "pool.add": {},
    "pool.discard": {},
    "pool.draw": {},
    "pool.show": {},
    "pool.repeat": {},
    # Lessons and recommendations
    "lessons.register": {},
    "lessons.panel_register": {},
    "lessons.show": {},
    "lessons.edit": {},
    "lessons.delete": {},
    "lessons.new_for_case": {},
    "lessons.new_for_meeting": {},
    "lessons.new_recommendation": {},
    "lessons.recommendation": {},
    "lessons.edit_recommendation": {},
    "lessons.respond": {},
    "lessons.implement": {"recommendation_id": "accepted_recommendation"},
    "lessons.close": {"recommendation_id": "implemented_recommendation"},
    "lessons.withdraw": {},
    # Live cases and interventions (local panels)
    "live_cases.index": COVENTRY,
    "live_cases.new": COVENTRY,
    "live_cases.show": {},
    "live_cases.edit": {},
    "live_cases.close": {},
    "live_cases.intervention_types": COVENTRY,
    "interventions.mine": {},
    "interventions.panel_interventions": COVENTRY,
    "interventions.new_for_place": COVENTRY,
    "interventions.new_for_case": {},
    "interventions.show": {},
    "interventions.amend": {},
    "interventions.reassign": {},
    # Minutes
    "minutes.show": {},
    "minutes.edit": {},
    "minutes.start": {"meeting_id": "unminuted_meeting"},
    "minutes.approve": {"meeting_id": "submitted_meeting"},
    "minutes.publish": {"meeting_id": "approved_meeting"},
    "minutes.approver_rule": {},
    "minutes.pdf": {},
    "minutes.versions": PUBLISHED,
    "minutes.version": {**PUBLISHED, "number": 1},
    "minutes.compare": {**PUBLISHED, "?from": 1, "?to": 1},
    "minutes.index": {},
    "minutes.panel_index": {},
    "minutes.published": {},
    "minutes.published_pdf": {},
    # Key messages: written on the busiest meeting's minutes, published with the demo's.
    "key_messages.index": {},
    "key_messages.new": {},
    "key_messages.edit": {},
    "key_messages.remove": {},
    "key_messages.published": {},
    "key_messages.published_pdf": {},
    "key_messages.archive": {},
    # Insight: the scrutiny panel's, and across the coordinator's panels (scrutiny and local)
    "insight.panel_insight": {},
    "insight.index": {},
    # The annual report as stored when produced (served, never rendered again)
    "insight.annual_report_pdf": {"year": "report_year"},
    "insight.reader_safe_pdf": {"year": "report_year"},
}
# Downloads of a whole list, as filtered: as long as the list by design, written out in batches
# (`panel.core.csv_export`). Each is checked to still download on the big history.
EXPORTS: dict[str, dict[str, str | int]] = {
    "lessons.register_csv": {},
    "lessons.panel_register_csv": {},
    "interventions.panel_interventions_csv": COVENTRY,
    "admin.audit_trail_csv": {},
    "insight.panel_csv": {"?table": "stage-ratings"},
    "insight.index_csv": {"?table": "attendance"},
}
# fmt: on
SKIPPED = {
    "static": "files from the static folder, not pages",
    # Shown only moments after the password on "Confirm it's you", to one person about
    # themselves: a field or a button, and nothing from any list.
    "accounts.confirm_code": "the second step of confirming it's you",
    "accounts.confirm_passkey": "the second step of confirming it's you",
    # An upload waiting for its uploader's confirmation, which the demo data has none of: it
    # lists at most 50 rows and 200 refusals (`panel.cases.pool.queries`), whatever the file.
    "pool.preview": "the preview of one person's own upload, held for an hour",
}

VISITORS = ("anonymous", "signing in", *history.ACCOUNTS, "reader with two-factor", "newcomer")


def visitors_for(app, endpoint: str) -> tuple[str, ...]:
    """Whom to ask for `endpoint`: everyone its access rule may let in. A route for the signed
    in sends the signed out (and someone half-way through signing in) to sign in; an admin route
    refuses all but the admin. A public page is the same for every account, so the coordinator
    stands for them. The second reader differs from the demo reader only on the pages about
    their own account and two-factor sign-in (a passkey); the newcomer, who has no second factor
    yet, sees only the pages that set one up."""
    with app.app_context():
        rule = access.rule_for(endpoint)
    assert rule is not None, endpoint
    if not rule.signed_in:
        return ("anonymous", "signing in", "coordinator")
    if rule.action in access.ADMIN_ACTIONS:
        return ("admin",)
    accounts = tuple(history.ACCOUNTS)
    if endpoint.startswith("two_factor.set_up"):
        return (*accounts, "reader with two-factor", "newcomer")
    if endpoint.startswith(("accounts.", "two_factor.", "passkeys.")):
        return (*accounts, "reader with two-factor")
    return accounts


# --- Measuring a request -----------------------------------------------------------------------


@dataclass
class Cost:
    """What one request cost: its status, its queries, the most rows any of them returned (and
    which), and the bytes sent."""

    status: int
    queries: int = 0
    most_rows: int = 0
    biggest_query: str = ""
    size: int = 0
    statements: list[str] = field(default_factory=list, repr=False)
    ms: float = 0


class Recorder:
    """Records the statements a request runs, to count them and, afterwards, the rows each
    returns (by running it again on the same connection)."""

    def __init__(self) -> None:
        self.statements: list[tuple[str, object]] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN")):
            self.statements.append((statement, None if executemany else parameters))


@contextlib.contextmanager
def recording():
    recorder = Recorder()
    event.listen(db.engine, "before_cursor_execute", recorder)
    try:
        yield recorder
    finally:
        event.remove(db.engine, "before_cursor_execute", recorder)


def rows_returned(connection, statement: str, parameters) -> int:
    """How many rows `statement` returns, run again through the driver."""
    if parameters is None or not statement.lstrip().upper().startswith(("SELECT", "WITH")):
        return 0
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        cursor.execute(statement, parameters)
        return len(cursor.fetchall())
    finally:
        cursor.close()


def url_of(app: Flask, small: history.Small, endpoint: str, overrides: dict) -> str:
    rule = next(rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint)
    values: dict[str, object] = {}
    for argument in rule.arguments:
        value = overrides.get(argument, ARGUMENTS.get(argument))
        values[argument] = getattr(small, value) if isinstance(value, str) else value
    for key, value in overrides.items():
        if key.startswith("?"):
            values[key[1:]] = value
    with app.test_request_context():
        return url_for(endpoint, **values)


def walk(
    app, connection, small, sessions, wanted, *, count_rows: bool = True
) -> dict[tuple[str, str], Cost]:
    """The cost of each (endpoint, visitor) in `wanted`, each request in a savepoint rolled back
    afterwards so that what one page writes (a view of a case, an audit event) changes no
    other. With `count_rows`, the rows each query of a page returned (a download's are left
    uncounted: it is the whole list by design)."""
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    costs = {}
    for endpoint, visitor in wanted:
        url = url_of(app, small, endpoint, {**ROUTES, **EXPORTS}[endpoint])
        savepoint = connection.begin_nested()
        try:
            client = app.test_client()
            if sessions.get(visitor):
                client.set_cookie(cookie_name, sessions[visitor])
            started = time.perf_counter()
            with recording() as recorder:
                response = client.get(url)
                body = response.get_data()
            cost = Cost(
                status=response.status_code,
                queries=len(recorder.statements),
                size=len(body),
                ms=(time.perf_counter() - started) * 1000,
            )
            cost.statements = [statement for statement, _ in recorder.statements]
            if count_rows and response.status_code == 200 and endpoint not in EXPORTS:
                for statement, parameters in recorder.statements:
                    rows = rows_returned(connection, statement, parameters)
                    if rows > cost.most_rows:
                        cost.most_rows, cost.biggest_query = rows, statement
            costs[endpoint, visitor] = cost
        finally:
            savepoint.rollback()
    return costs


def _html_instead_of_pdf(document, *, created=None) -> bytes:
    """The minutes' print page without typesetting it: the PDF's size follows it, and WeasyPrint
    takes a second a copy."""
    from flask import render_template

    from panel.minutes.pdf import TEMPLATE

    return render_template(TEMPLATE, document=document, created=None).encode()


@dataclass
class Walked:
    small: dict[tuple[str, str], Cost]
    big: dict[tuple[str, str], Cost]
    # Seconds spent walking the small history, growing the big one, and walking it.
    seconds: tuple[float, float, float]


def _sessions(app) -> dict[str, str | None]:
    """Each visitor's session cookie: signed in through the real forms, once."""
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    sessions: dict[str, str | None] = {"anonymous": None}
    people = {visitor: history.account(visitor) for visitor in history.ACCOUNTS}
    people["reader with two-factor"] = find_user_by_email(history.READER_WITH_TWO_FACTOR)
    people["newcomer"] = find_user_by_email(history.NEWCOMER)  # the password only, so far
    for visitor, person in people.items():
        client = app.test_client()
        sign_in(client, person, DEMO_PASSWORD)
        sessions[visitor] = client.get_cookie(cookie_name).value
    # The password given, the second factor not yet, by someone with a passkey and an app: both
    # the passkey page and the code page are theirs.
    client = app.test_client()
    client.post(
        "/sign-in", data={"email": history.READER_WITH_TWO_FACTOR, "password": DEMO_PASSWORD}
    )
    sessions["signing in"] = client.get_cookie(cookie_name).value
    return sessions


@pytest.fixture(scope="module")
def walked(app, module_db) -> Walked:
    """Every route by every visitor on the small history; then the big history, and every route
    again by each visitor it rendered for."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("panel.minutes.pdf.render_pdf", _html_instead_of_pdf)
        small = history.small_history()
        sessions = _sessions(app)
        db.session.commit()
        started = time.perf_counter()
        everything = [(e, v) for e in [*ROUTES, *EXPORTS] for v in visitors_for(app, e)]
        small_costs = walk(app, module_db, small, sessions, everything, count_rows=False)
        walked_small = time.perf_counter()
        history.grow_history(small)
        db.session.commit()
        grown = time.perf_counter()
        shown = [key for key, cost in small_costs.items() if cost.status == 200]
        # A download is the same file for whoever may take it: one of them is enough.
        exported = {endpoint for endpoint, _ in shown if endpoint in EXPORTS}
        shown = [k for k in shown if k[0] not in EXPORTS] + [
            next(k for k in shown if k[0] == endpoint) for endpoint in sorted(exported)
        ]
        big_costs = walk(app, module_db, small, sessions, shown)
        finished = time.perf_counter()
    walked = Walked(
        small_costs,
        big_costs,
        (walked_small - started, grown - walked_small, finished - grown),
    )
    if report := os.environ.get("BOUNDED_PAGES_REPORT"):
        _write_report(walked, report)
    return walked


def _write_report(walked: Walked, path: str) -> None:
    """A table of each route and visitor's cost on both histories (tab-separated), for reading
    figures off: ``BOUNDED_PAGES_REPORT=costs.tsv pytest tests/test_bounded_pages.py``."""
    with open(path, "w") as out:
        small, grow, big = walked.seconds
        out.write(f"# seconds: small walk {small:.1f}, growing {grow:.1f}, big walk {big:.1f}\n")
        out.write("route\tvisitor\tstatus\tqueries\tmost rows\tKB\tms\tbiggest query\n")
        for key, cost in sorted(walked.big.items()):
            before = walked.small[key]
            out.write(
                "\t".join(
                    [
                        *key,
                        f"{before.status}/{cost.status}",
                        f"{before.queries}/{cost.queries}",
                        f"{before.most_rows}/{cost.most_rows}",
                        f"{before.size // 1024}/{cost.size // 1024}",
                        f"{before.ms:.0f}/{cost.ms:.0f}",
                        " ".join(cost.biggest_query.split())[:150],
                    ]
                )
                + "\n"
            )


def _shape(statement: str) -> str:
    statement = " ".join(statement.split())
    return re.sub(r"IN \((?:[^()]|\([^()]*\))*\)", "IN (...)", statement)


# --- The tests ---------------------------------------------------------------------------------


def test_every_get_route_is_walked(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods}
    listed = {*ROUTES, *EXPORTS, *SKIPPED}
    assert not endpoints - listed, "add these routes to ROUTES (or EXPORTS)"
    assert not listed - endpoints, "these routes are gone: remove them"


@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_the_page_is_bounded(endpoint, walked, subtests):
    asked = [v for v in VISITORS if (endpoint, v) in walked.small]
    shown = [v for v in asked if walked.small[endpoint, v].status == 200]
    assert shown, f"{endpoint} rendered for nobody: " + ", ".join(
        f"{v} {walked.small[endpoint, v].status}" for v in asked
    )
    for visitor in shown:
        with subtests.test(msg=visitor):
            small, big = walked.small[endpoint, visitor], walked.big[endpoint, visitor]
            assert big.status == 200
            assert big.queries == small.queries, "\n".join(
                _difference(small.statements, big.statements)
            )
            assert big.most_rows <= MOST_ROWS, big.biggest_query
            assert big.size <= MOST_BYTES, f"{big.size:,} bytes (small: {small.size:,})"


@pytest.mark.parametrize("endpoint", sorted(EXPORTS))
def test_the_export_still_downloads(endpoint, walked):
    taken = [v for v in VISITORS if (endpoint, v) in walked.big]
    assert taken, f"{endpoint} downloaded for nobody"
    assert walked.big[endpoint, taken[0]].status == 200


def _difference(small: list[str], big: list[str]) -> list[str]:
    """The statements one history ran more often than the other, shortened (a list of values in
    `IN (...)` counts as one statement whatever its length)."""
    a, b = Counter(map(_shape, small)), Counter(map(_shape, big))
    return [
        f"{b[s] - a[s]:+d} × {' '.join(s.split())[:300]}"
        for s in (a.keys() | b.keys())
        if a[s] != b[s]
    ]
