"""Secrets checked again once signed in (the code on "Make new recovery codes", the current
password on "Change password") are guarded as at sign-in:
throttled per client address, each wrong answer audited and counted towards the same lock on
the address, and the lock ends the session. Before, 40 wrong codes went through in half a
second, with no 429, no lock and nothing in the audit trail (issue 18, finding 1)."""

from __future__ import annotations

import pytest

from panel.core import throttle
from panel.core.audit import AuditAction, AuditEvent
from tests import factories
from tests.conftest import sign_in

LOCKED = "too many attempts to sign in with this email address"
WRONG_PASSWORD = "not the password"  # noqa: S105
NEW_PASSWORD = "wattle pylon marzipan fjord"  # noqa: S105


def _new_codes(client, code="000000"):
    return client.post("/account/two-factor/recovery-codes", data={"code": code})


def _change_password(client, current=WRONG_PASSWORD):
    return client.post(
        "/account",
        data={
            "current_password": current,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )


def _events(db, action: AuditAction) -> list[AuditEvent]:
    return db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == action)).all()


@pytest.fixture
def tight_limits(app, monkeypatch):
    monkeypatch.setitem(app.config, "SIGN_IN_RATE_LIMIT", "3 per minute")
    monkeypatch.setitem(app.config, "TWO_FACTOR_RATE_LIMIT", "3 per minute")
    throttle.limiter_for(app).reset()
    yield
    throttle.limiter_for(app).reset()


@pytest.mark.parametrize("attempt", [_new_codes, _change_password])
def test_guessing_a_secret_while_signed_in_is_throttled(client, people, db, tight_limits, attempt):
    sign_in(client, people.chair)
    statuses = [attempt(client).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert "Too many attempts" in attempt(client).get_data(as_text=True)


def test_wrong_codes_for_new_recovery_codes_are_audited_and_lock_the_address(client, people, db):
    sign_in(client, people.chair)
    for _ in range(4):
        response = _new_codes(client)
        assert response.status_code == 200
        assert "That code is not right" in response.get_data(as_text=True)
    locked = _new_codes(client)
    # Locked: this session ends too, and the address stays locked against the right password.
    assert locked.status_code == 302 and locked.location == "/sign-in"
    assert LOCKED in client.get("/sign-in").get_data(as_text=True)
    assert client.get("/account").location.startswith("/sign-in")
    again = client.post(
        "/sign-in", data={"email": people.chair.email, "password": factories.PASSWORD}
    )
    assert LOCKED in again.get_data(as_text=True)
    failed = _events(db, AuditAction.TWO_FACTOR_FAILED)
    assert [event.object_id for event in failed] == [people.chair.id] * 5
    assert [event.object_id for event in _events(db, AuditAction.ACCOUNT_LOCKED)] == [
        people.chair.id
    ]


def test_wrong_current_passwords_are_audited_and_lock_the_address(client, people, db):
    sign_in(client, people.member)
    for _ in range(4):
        response = _change_password(client)
        assert "Your current password is not right" in response.get_data(as_text=True)
    locked = _change_password(client)
    assert locked.status_code == 302 and locked.location == "/sign-in"
    assert LOCKED in client.get("/sign-in").get_data(as_text=True)
    again = client.post(
        "/sign-in", data={"email": people.member.email, "password": factories.PASSWORD}
    )
    assert LOCKED in again.get_data(as_text=True)
    failed = _events(db, AuditAction.PASSWORD_CHECK_FAILED)
    assert [event.object_id for event in failed] == [people.member.id] * 5
    assert all(event.actor_id == people.member.id for event in failed)
    assert [event.object_id for event in _events(db, AuditAction.ACCOUNT_LOCKED)] == [
        people.member.id
    ]


def test_the_lock_ends_every_session_of_the_person(client, people, db):
    other = client.application.test_client()
    for browser in (other, client):
        sign_in(browser, people.member)
    for _ in range(5):
        _change_password(client)  # the fifth locks the address, and ends every session
    assert other.get("/account").location.startswith("/sign-in")
