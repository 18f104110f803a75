"""`/readyz`, and the request log: one JSON line per request, with ids and never personal data."""

from __future__ import annotations

import io
import json
import logging
import socket
from datetime import timedelta

import pytest
from alembic.runtime.migration import MigrationContext

from panel.core import request_log
from panel.core.time import uk_today
from panel.interventions import services as interventions
from tests import factories
from tests.cases import factories as cases
from tests.cases.conftest import scrutiny_panel_people
from tests.conftest import sign_in
from tests.interventions.conftest import accept_agreement, date_fields

SEARCH_TERM = "Wolverhampton allotment"
FINDINGS_TEXT = "The officer told Mrs Okonkwo-Reyes the report was closed without asking her."


@pytest.fixture
def json_log(app):
    """What Panel logs during the test, formatted as production writes it (LOG_FORMAT=json)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(request_log.formatter("json"))
    panel_logger = logging.getLogger("panel")
    panel_logger.addHandler(handler)
    try:
        yield stream
    finally:
        panel_logger.removeHandler(handler)


def _lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_readyz_is_ready_when_the_database_answers_at_the_head_revision(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ready",
        "checks": {"database": "ok", "migrations": "ok"},
    }


def test_readyz_is_not_ready_when_the_database_is_behind_the_migrations(client, db, monkeypatch):
    monkeypatch.setattr(MigrationContext, "get_current_heads", lambda self: ("an_older_revision",))
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"] == {"database": "ok", "migrations": "failed"}


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # free, and nobody listens once the probe closes


def test_readyz_is_not_ready_when_redis_does_not_answer(app, client, monkeypatch):
    url = f"redis://127.0.0.1:{_closed_port()}/0"
    monkeypatch.setitem(app.config, "RATELIMIT_STORAGE_URI", url)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.get_data(as_text=True)
    assert json.loads(body)["checks"] == {"database": "ok", "migrations": "ok", "redis": "failed"}
    assert "127.0.0.1" not in body and str(url) not in body


def test_readyz_checks_the_jobs_redis_when_jobs_are_queued_there(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "JOBS_REDIS_URL", f"redis://127.0.0.1:{_closed_port()}/1")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["jobs_redis"] == "failed"
    monkeypatch.setitem(app.config, "JOBS_REDIS_URL", "redis://127.0.0.1:6379/1")
    response = client.get("/readyz")
    assert response.get_json()["checks"]["jobs_redis"] == "ok", "is redis-server running?"
    assert response.status_code == 200


def test_each_request_gets_an_id_that_a_client_cannot_choose(client, json_log):
    response = client.get("/healthz", headers={"X-Request-ID": "chosen-by-the-client"})
    request_id = response.headers["X-Request-ID"]
    assert request_id and request_id != "chosen-by-the-client"
    [line] = _lines(json_log)
    assert line["request_id"] == request_id
    assert line["route"] == "/healthz" and line["status"] == 200 and line["user_id"] is None


def test_a_trusted_proxy_s_request_id_is_kept(app, client, json_log, monkeypatch):
    monkeypatch.setitem(app.config, "PROXY_COUNT", 1)
    response = client.get("/healthz", headers={"X-Request-ID": "from-nginx-42"})
    assert response.headers["X-Request-ID"] == "from-nginx-42"
    response = client.get("/healthz", headers={"X-Request-ID": "forged {line}"})
    assert response.headers["X-Request-ID"] not in ("forged {line}", "")
    assert [line["request_id"] for line in _lines(json_log)][0] == "from-nginx-42"


def test_a_journey_s_log_holds_ids_and_never_personal_data_or_secrets(app, client, db, json_log):
    isp = scrutiny_panel_people()
    with app.test_request_context():
        case_review = cases.case_review(isp.coordinator, isp.panel)
    db.session.commit()
    coordinator = isp.coordinator

    sign_in(client, coordinator)
    assert client.get(f"/case-reviews/{case_review.id}").status_code == 200
    assert client.get("/lessons", query_string={"q": SEARCH_TERM}).status_code == 200
    response = client.post(
        f"/case-reviews/{case_review.id}/findings",
        data={"report_rating": "good_practice", "overall_view": FINDINGS_TEXT},
    )
    assert response.status_code in (200, 302)
    client.post("/sign-out")

    text = json_log.getvalue()
    session_cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    never = [
        coordinator.email,
        coordinator.full_name,
        cases.NARRATIVE,
        SEARCH_TERM,
        SEARCH_TERM.replace(" ", "+"),
        FINDINGS_TEXT,
        "Okonkwo",
        factories.PASSWORD,
        app.config["SECRET_KEY"],
    ]
    if session_cookie is not None:
        never.append(session_cookie.value)
    for secret in never:
        assert secret not in text, secret

    access_lines = [line for line in _lines(json_log) if line["logger"] == "panel.requests"]
    assert len(access_lines) >= 6
    for line in access_lines:
        assert {"request_id", "user_id", "method", "route", "status", "duration_ms"} <= set(line)
        assert isinstance(line["duration_ms"], float)
    routes = {(line["route"], line["user_id"]) for line in access_lines}
    assert ("/case-reviews/<int:case_review_id>", coordinator.id) in routes
    assert ("/lessons", coordinator.id) in routes
    assert "/sign-in" in {route for route, _user_id in routes}
    assert all(line["user_id"] in (None, coordinator.id) for line in access_lines)


# Case text a journey types, in words the personal-data guard lets through, so each is saved.
EDITED_NARRATIVE = (
    "The victim, a taxi driver, was racially abused by two passengers late at night. "
    "Suspect 1 was charged after the CCTV was reviewed."
)
OVERALL_VIEW = "Good charging, poor victim care at the front counter."
INTERVENTION_TEXT = "Tenancy warning to Suspect 1 and a visit to the victim."
PLACE = "Foleshill, around the shops"


def test_a_whole_journey_logged_as_production_logs_holds_no_case_text_or_personal_data(
    app, client, db, people, json_log, mail_app_config
):
    """Signing in with a code, changing a case review's text and its findings, agreeing an
    intervention (which e-mails its owner), signing out: the JSON log says who (by id) did what
    (by route), and none of the words, names, addresses or secrets involved."""
    isp = scrutiny_panel_people()
    with app.test_request_context():
        case_review = cases.case_review(isp.coordinator, isp.panel)
    accept_agreement(people)
    db.session.commit()

    sign_in(client, isp.coordinator)
    edit = client.post(
        f"/case-reviews/{case_review.id}/edit",
        data=cases.form_data(narrative=EDITED_NARRATIVE),
    )
    findings = client.post(
        f"/case-reviews/{case_review.id}/findings",
        data={"report_rating": "good_practice", "overall_view": OVERALL_VIEW},
    )
    assert (edit.status_code, findings.status_code) == (302, 302)  # both saved
    client.post("/sign-out")

    sign_in(client, people.coordinator)
    kinds = interventions.intervention_types(people.panel)
    agreed = client.post(
        f"/panels/{people.panel.id}/interventions/new",
        data={
            "type_id": str(kinds[0].id),
            "description": INTERVENTION_TEXT,
            "place_or_community": PLACE,
            "owner_organisation_id": str(people.member.organisation_id),
            "lead_id": str(people.member.id),
            **date_fields("due_date", uk_today() + timedelta(days=28)),
            "agreed_at_id": "",
        },
    )
    assert agreed.status_code == 302
    client.post("/sign-out")
    db.session.refresh(case_review)
    assert case_review.narrative == EDITED_NARRATIVE and case_review.overall_view == OVERALL_VIEW
    [mail] = mail_app_config.messages_to(people.member.email)  # the owner's person was told

    text = json_log.getvalue()
    never = [
        EDITED_NARRATIVE,
        OVERALL_VIEW,
        INTERVENTION_TEXT,
        PLACE,
        "taxi driver",
        mail["Subject"],
        factories.PASSWORD,
        app.config["SECRET_KEY"],
    ]
    for person in (isp.coordinator, people.coordinator, people.member):
        never += [person.email, person.full_name]
    for secret in never:
        assert secret not in text, secret

    lines = _lines(json_log)  # every line one JSON object
    access_lines = [line for line in lines if line["logger"] == "panel.requests"]
    routes = {(line["method"], line["route"], line["user_id"]) for line in access_lines}
    assert ("POST", "/case-reviews/<int:case_review_id>/edit", isp.coordinator.id) in routes
    assert ("POST", "/panels/<int:panel_id>/interventions/new", people.coordinator.id) in routes
    assert ("POST", "/sign-in/code", people.coordinator.id) in routes
    assert len({line["request_id"] for line in access_lines}) == len(access_lines)
