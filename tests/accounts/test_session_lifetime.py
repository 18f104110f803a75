"""A signed-in session ends after 30 minutes without activity and 12 hours after sign-in (both
configurable), and production pages tell browsers to use HTTPS only."""

from __future__ import annotations

import pytest

from panel import config
from panel.core.database import utcnow
from panel.core.sessions import LAST_SEEN, SIGNED_IN_AT
from tests.conftest import sign_in


def _age(client, **seconds_ago) -> None:
    now = utcnow().timestamp()
    with client.session_transaction() as session:
        for key, ago in seconds_ago.items():
            session[key] = now - ago


def test_activity_keeps_a_session_alive(client, people):
    sign_in(client, people.member)
    _age(client, last_seen=29 * 60)
    assert client.get("/").status_code == 200
    # The request counted as activity: the idle clock starts again.
    with client.session_transaction() as session:
        assert utcnow().timestamp() - session[LAST_SEEN] < 5


def test_thirty_minutes_without_activity_signs_you_out_and_says_why(client, people):
    sign_in(client, people.member)
    _age(client, last_seen=31 * 60)
    response = client.get(f"/panels/{people.panel.id}")
    assert response.status_code == 302
    assert response.location.startswith("/sign-in?next=")
    page = client.get(response.location).get_data(as_text=True)
    assert "signed out after 30 minutes without activity" in page
    assert client.get("/").status_code == 302  # the session is gone, not just this request


def test_twelve_hours_after_sign_in_the_session_ends_however_active(client, people):
    sign_in(client, people.member)
    _age(client, signed_in_at=12 * 3600 + 60, last_seen=10)
    response = client.get("/", follow_redirects=True)
    assert "signed in more than 12 hours ago" in response.get_data(as_text=True)


def test_the_limits_are_configurable(client, people, app, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", 5)
    sign_in(client, people.member)
    _age(client, last_seen=6 * 60)
    assert client.get("/").status_code == 302


def test_a_session_without_its_times_is_not_trusted(client, people):
    sign_in(client, people.member)
    with client.session_transaction() as session:
        del session[SIGNED_IN_AT]
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("value", ["0", "-5", "half an hour"])
def test_a_bad_limit_is_refused_at_start(tmp_path, value):
    with pytest.raises(config.ConfigurationError, match="SESSION_IDLE_MINUTES"):
        config.load(str(tmp_path), {"SESSION_IDLE_MINUTES": value})


def test_production_sends_hsts_and_development_does_not(client, app, monkeypatch):
    assert "Strict-Transport-Security" not in client.get("/sign-in").headers
    monkeypatch.setitem(app.config, "PRODUCTION", True)
    header = client.get("/sign-in").headers["Strict-Transport-Security"]
    assert header == "max-age=31536000; includeSubDomains"


def test_the_health_check_is_not_activity_and_leaves_the_session_alone(client, people):
    sign_in(client, people.member)
    _age(client, last_seen=29 * 60)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    with client.session_transaction() as session:
        assert utcnow().timestamp() - session[LAST_SEEN] > 28 * 60


def test_a_session_signed_with_a_retired_key_lasts_only_while_the_key_is_a_fallback(
    app, client, people
):
    sign_in(client, people.member)
    assert client.get("/").status_code == 200
    old_key = app.config["SECRET_KEY"]
    try:
        app.config["SECRET_KEY"] = "a-new-secret-key-that-is-long-enough-for-tests"
        app.config["SECRET_KEY_FALLBACKS"] = [old_key]
        assert client.get("/").status_code == 200
        client.get("/")  # now signed with the new key
        app.config["SECRET_KEY_FALLBACKS"] = []
        assert client.get("/").status_code == 200
        app.config["SECRET_KEY"] = old_key
        assert client.get("/").status_code == 302  # signed with a key no longer known
    finally:
        app.config["SECRET_KEY"] = old_key
        app.config["SECRET_KEY_FALLBACKS"] = []


# --- The timeout warning's requests (static/js/session-timeout.js) ---------------------------


def test_staying_signed_in_from_the_warning_restarts_the_idle_clock(client, people):
    sign_in(client, people.member)
    _age(client, last_seen=29 * 60)
    response = client.post("/session/keep-alive")
    assert response.status_code == 204 and not response.data
    with client.session_transaction() as session:
        assert utcnow().timestamp() - session[LAST_SEEN] < 5


def test_staying_signed_in_too_late_is_refused(client, people):
    sign_in(client, people.member)
    _age(client, last_seen=31 * 60)
    response = client.post("/session/keep-alive")
    assert response.status_code == 302 and response.location.startswith("/sign-in")


def test_an_unanswered_warning_ends_this_session_only_and_leads_back(app, people, db):
    here, elsewhere = app.test_client(), app.test_client()
    sign_in(here, people.member)
    sign_in(elsewhere, people.member)
    page = f"http://localhost/panels/{people.panel.id}"
    response = here.post("/session/timed-out", headers={"Referer": page})
    assert response.location == f"/sign-in?next=/panels/{people.panel.id}"
    assert "signed out after 30 minutes without activity" in here.get(response.location).text
    assert here.get("/").status_code == 302
    assert elsewhere.get("/").status_code == 200  # another device's session carries on


def test_a_form_posted_after_the_session_ended_leads_back_to_it_after_signing_in(client, people):
    sign_in(client, people.member)
    _age(client, last_seen=31 * 60)
    response = client.post("/account", data={"current_password": "x"})
    assert response.location == "/sign-in?next=/account"


def test_a_one_minute_timeout_is_written_in_the_singular(app):
    from panel.core.sessions import idle_message

    with app.app_context():
        app.config["SESSION_IDLE_MINUTES"] = 1
        try:
            assert "signed out after 1 minute without activity" in idle_message()
        finally:
            app.config["SESSION_IDLE_MINUTES"] = 30
