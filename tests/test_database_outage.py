"""While the database cannot be reached, pages say so kindly (a 503 a browser may retry), and what
the log says of database errors never carries case text: in-process, on either database.

tests/test_database_outage_gunicorn.py proves the same of a real server whose PostgreSQL goes
away and comes back.
"""

from __future__ import annotations

import io
import json
import logging
import socket
import threading
import time
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask import has_request_context
from sqlalchemy.exc import DBAPIError, OperationalError

from panel import access, create_app
from panel.accounts.models import Organisation, OrganisationKind
from panel.cases.models import CaseReview
from panel.core import request_log, sessions
from panel.core.audit import AuditEvent
from panel.extensions import db as _db
from tests import factories
from tests.cases import factories as cases
from tests.cases.conftest import scrutiny_panel_people
from tests.conftest import sign_in

CASE_TEXT = "Mrs Adebayo-Lindqvist was followed home from the Foleshill Road mosque."
# What the panel's overall view says (words the personal-data guard lets through).
OVERALL_VIEW = "Good charging, poor victim care at the front counter."
UNAVAILABLE = "Sorry, Panel is not available at the moment"


@pytest.fixture
def log(app):
    """What Panel logs during the test, as production writes it (LOG_FORMAT=json): each line one
    JSON object, tracebacks included."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(request_log.formatter("json"))
    panel_logger = logging.getLogger("panel")
    panel_logger.addHandler(handler)
    try:
        yield stream
    finally:
        panel_logger.removeHandler(handler)


def _records(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # free, and nobody listens once the probe closes


def _assert_friendly_503(response) -> str:
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    # 30 seconds; on the throttled sign-in pages Flask-Limiter's own count of seconds
    assert response.headers["Retry-After"].isdigit()
    assert UNAVAILABLE in page and "Try again in a few minutes" in page
    for never in ("Traceback", "SELECT", "UPDATE", "sqlalchemy", "psycopg", CASE_TEXT):
        assert never not in page, never
    return page


@pytest.fixture
def unreachable(app):
    """Panel configured for a PostgreSQL server that is not there (a closed port on this
    machine): every connection is refused, as when the database is stopped."""
    url = f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/panel"
    other = create_app({**app.config, "SQLALCHEMY_DATABASE_URI": url})
    return other


def test_pages_say_panel_is_not_available_while_the_database_is_stopped(unreachable, log):
    client = unreachable.test_client()
    signed_out = client.post("/sign-in", data={"email": "chair@example.org", "password": "x"})
    _assert_friendly_503(signed_out)
    _assert_friendly_503(client.get("/reset-password/a-link-from-an-e-mail"))

    # Someone signed in earlier: their session cookie names them, and the page cannot look them
    # up. It shows as to someone signed out (no navigation to pages that would fail too).
    now = datetime.now(UTC).timestamp()
    with client.session_transaction() as session:
        session["_user_id"] = "7:a-session-token"
        session.update({sessions.SIGNED_IN_AT: now, sessions.LAST_SEEN: now})
        session[sessions.TWO_FACTOR_VERIFIED] = True
    page = _assert_friendly_503(client.get("/"))
    assert "Sign out" not in page and "OFFICIAL-SENSITIVE</p>" not in page
    _assert_friendly_503(client.post("/case-reviews/1/findings", data={"overall_view": CASE_TEXT}))

    assert client.get("/healthz").status_code == 200  # the process is up
    ready = client.get("/readyz")
    assert ready.status_code == 503 and ready.get_json()["checks"]["database"] == "failed"

    records = _records(log)
    unreachable_lines = [r for r in records if r["message"].startswith("Database unreachable")]
    assert len(unreachable_lines) == 4  # one a page, each with its access line
    assert all(r["level"] == "ERROR" and "exception" not in r for r in unreachable_lines)
    assert "Connection refused" in unreachable_lines[0]["message"]
    statuses = [r["status"] for r in records if r["logger"] == "panel.requests"]
    assert statuses == [503, 503, 503, 503, 200, 503]
    assert CASE_TEXT not in log.getvalue() and "Traceback" not in log.getvalue()


def test_a_database_host_that_stops_answering_is_a_503_within_the_connect_timeout(app):
    """A network cut rather than a refusal: the address takes the connection and says nothing.
    The page must come before gunicorn's worker timeout (30 s) would kill the worker."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)  # the system completes each connection; nothing ever answers on it
        url = f"postgresql+psycopg://postgres@127.0.0.1:{silent.getsockname()[1]}/panel"
        other = create_app(
            {
                **app.config,
                "SQLALCHEMY_DATABASE_URI": url,
                "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
                "DATABASE_CONNECT_TIMEOUT": 2,  # libpq's least; 10 s by default
            }
        )
        answers: list = []
        asking = threading.Thread(
            target=lambda: answers.append(other.test_client().get("/reset-password/a-link")),
            daemon=True,
        )
        started = time.monotonic()
        asking.start()
        asking.join(timeout=20)
        waited = time.monotonic() - started
    assert answers, "no answer within 20 s"
    _assert_friendly_503(answers[0])
    assert 2 <= waited < 10


def _lost_connection(cls=OperationalError):
    """What SQLAlchemy raises when the connection is cut while a statement runs."""
    return cls(
        "SELECT case_review.overall_view FROM case_review WHERE case_review.id = %(id)s",
        {"id": 1, "overall_view": CASE_TEXT},
        Exception("server closed the connection unexpectedly"),
        connection_invalidated=True,
    )


@pytest.mark.parametrize("error_class", [OperationalError, DBAPIError])
def test_a_connection_cut_while_a_page_is_made_is_a_503_and_the_next_page_works(
    app, client, db, people, log, monkeypatch, error_class
):
    sign_in(client, people.chair)
    from panel.accounts import services

    found = services.user_for_session

    def cut(*args, **kwargs):
        raise _lost_connection(error_class)

    monkeypatch.setattr(services, "user_for_session", cut)
    _assert_friendly_503(client.get("/"))
    _assert_friendly_503(client.post("/sign-out"))
    monkeypatch.setattr(services, "user_for_session", found)
    assert client.get("/").status_code == 200  # the same session, once the database is back

    lines = [r for r in _records(log) if r["message"].startswith("Database unreachable")]
    assert len(lines) == 2 and all("connection lost" in line["message"] for line in lines)
    assert CASE_TEXT not in log.getvalue() and "Traceback" not in log.getvalue()


def test_a_database_error_that_is_not_an_outage_is_still_a_500(app, db, log):
    other = create_app({**app.config, "TESTING": False, "PROPAGATE_EXCEPTIONS": False})

    @other.get("/wrong-statement")
    @access.rule(access.PUBLIC)
    def wrong_statement():
        raise DBAPIError("SELECT 1", {}, Exception("a statement the database refused"))

    response = other.test_client().get("/wrong-statement")
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.get_data(as_text=True)


def test_a_save_whose_commit_fails_is_a_503_and_nothing_of_it_is_kept(app, client, db, log):
    isp = scrutiny_panel_people()
    with app.test_request_context():
        case_review = cases.case_review(isp.coordinator, isp.panel)
    db.session.commit()
    sign_in(client, isp.coordinator)
    events_before = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
    commit = db.session.commit

    def commit_fails_in_a_request():
        if has_request_context():
            raise _lost_connection()
        commit()

    db.session.commit = commit_fails_in_a_request
    try:
        response = client.post(
            f"/case-reviews/{case_review.id}/findings",
            data={"report_rating": "good_practice", "overall_view": OVERALL_VIEW},
        )
    finally:
        del db.session.commit
    # The view had saved and redirected; the commit failed, so the person is told, not misled.
    _assert_friendly_503(response)
    db.session.expire_all()
    assert db.session.get(CaseReview, case_review.id).overall_view != OVERALL_VIEW
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == events_before

    # Saved again once the database is back: saved once.
    response = client.post(
        f"/case-reviews/{case_review.id}/findings",
        data={"report_rating": "good_practice", "overall_view": OVERALL_VIEW},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(CaseReview, case_review.id).overall_view == OVERALL_VIEW


# --- What the log says of other database errors ------------------------------------------------


def test_a_failed_statement_s_traceback_never_carries_its_values(app, db, log):
    """An unexpected error's traceback is logged in full for the operator, but neither the
    statement's parameters nor the database's message (PostgreSQL quotes values in it) are."""
    other = create_app({**app.config, "TESTING": False, "PROPAGATE_EXCEPTIONS": False})
    statements = [
        # The driver cannot send a mapping: the error's message would list the parameters.
        (sa.text("SELECT :text AS said, :extra AS extra"), {"text": CASE_TEXT, "extra": {}}),
    ]
    if db.engine.dialect.name == "postgresql":
        # PostgreSQL's message: invalid input syntax for type integer: "<the value>"
        statements.append((sa.text("SELECT CAST(:text AS INTEGER)"), {"text": CASE_TEXT}))

    @other.get("/statement/<int:number>")
    @access.rule(access.PUBLIC)
    def statement(number):
        _db.session.execute(*statements[number])

    client = other.test_client()
    for number in range(len(statements)):
        response = client.get(f"/statement/{number}")
        assert response.status_code == 500
        assert CASE_TEXT not in response.get_data(as_text=True)
    errors = [r for r in _records(log) if r["level"] == "ERROR"]
    assert len(errors) == len(statements)
    for record in errors:
        assert "Traceback (most recent call last)" in record["exception"]
        assert "the database's message withheld" in record["exception"]
        assert ", in statement\n" in record["exception"]  # the frames are all there
    assert CASE_TEXT not in log.getvalue()
    assert "Adebayo" not in log.getvalue()


def test_a_clashing_save_is_logged_by_its_constraint_not_its_values(app, db, log):
    factories.organisation(CASE_TEXT)
    other = create_app({**app.config, "TESTING": False, "PROPAGATE_EXCEPTIONS": False})

    @other.post("/clash")
    @access.rule(access.PUBLIC)
    def clash():
        _db.session.add(Organisation(name=CASE_TEXT, kind=OrganisationKind.CHARITY))
        _db.session.flush()

    assert other.test_client().post("/clash").status_code == 409
    [line] = [r for r in _records(log) if r["message"].startswith("Conflicting save")]
    assert "IntegrityError" in line["message"]
    assert CASE_TEXT not in log.getvalue() and "Adebayo" not in log.getvalue()
