"""Changing an e-mail address, a second factor or another person's roles needs a recent sign-in:
someone who signed in (or confirmed it's them) more than `RECENT_SIGN_IN_MINUTES` ago is sent to
"Confirm it's you" (the password, then the second factor) and back, and wrong answers there are
refused and counted as at sign-in (issue 18, ASVS 5.0 7.5.1). Before, a session left open for
hours could change any of them."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from panel.accounts.models import User
from panel.core import throttle
from panel.core.audit import AuditAction, AuditEvent
from panel.core.database import utcnow
from panel.core.sessions import CONFIRMED_AT, PASSWORD_CONFIRMED_AT
from panel.panels.models import Membership, Role
from tests import factories
from tests.conftest import sign_in

WRONG_PASSWORD = "not the password"  # noqa: S105
LOCKED = "too many attempts to sign in with this email address"


def _signed_in_a_while_ago(client, minutes: int = 16) -> None:
    """As if the person signed in (or last confirmed it was them) `minutes` ago, still active."""
    then = utcnow().timestamp() - minutes * 60
    with client.session_transaction() as session:
        session[CONFIRMED_AT] = then
        session.pop(PASSWORD_CONFIRMED_AT, None)


def _sent_to_confirm(response, back_to: str, *, only_password: bool = False) -> bool:
    location = urlsplit(response.location)
    query = parse_qs(location.query)
    return (
        response.status_code == 302
        and location.path == "/account/confirm"
        and query.get("next") == [back_to]
        and (query.get("only") == ["password"]) is only_password
    )


def _confirm(client, user: User, back_to: str, password: str = factories.PASSWORD):
    """Confirm it's `user` on the two pages, as a person would: returns the last answer."""
    response = client.post(f"/account/confirm?next={back_to}", data={"password": password})
    if response.location and urlsplit(response.location).path == "/account/confirm/code":
        response = client.post(response.location, data={"code": factories.totp_code(user)})
    return response


def _events(db, action: AuditAction, user: User) -> list[AuditEvent]:
    return db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == action, AuditEvent.object_id == user.id)
    ).all()


def _membership(people, user: User) -> Membership:
    return next(m for m in people.panel.memberships if m.user_id == user.id)


# --- Which changes ask -----------------------------------------------------------------------


def _sensitive_pages(people) -> dict[str, str]:
    """Each page that changes an e-mail address, a second factor or someone's roles."""
    membership = _membership(people, people.member)
    panel = people.panel.id
    return {
        "a person's e-mail address, admin access, active account": (
            f"/admin/users/{people.member.id}/edit"
        ),
        "a new account (perhaps an administrator)": "/admin/users/new",
        "another person's second factor": f"/admin/users/{people.member.id}/two-factor",
        "adding a member to a panel": f"/admin/panels/{panel}/members/new",
        "another person's role": f"/admin/panels/{panel}/members/{membership.id}/role",
        "removing a member": f"/admin/panels/{panel}/members/{membership.id}/remove",
    }


@pytest.mark.parametrize(
    "what",
    [
        "a person's e-mail address, admin access, active account",
        "a new account (perhaps an administrator)",
        "another person's second factor",
        "adding a member to a panel",
        "another person's role",
        "removing a member",
    ],
)
def test_an_admin_who_signed_in_a_while_ago_confirms_before_changing(client, people, what):
    page = _sensitive_pages(people)[what]
    sign_in(client, people.admin)
    assert client.get(page).status_code == 200  # just signed in: nothing to confirm

    _signed_in_a_while_ago(client)
    assert _sent_to_confirm(client.get(page), page)
    assert _sent_to_confirm(client.post(page, data={}), page)

    assert _confirm(client, people.admin, page).location == page
    assert client.get(page).status_code == 200


def test_changing_an_email_address_waits_for_the_confirmation_then_goes_ahead(client, people, db):
    member = people.member
    page = f"/admin/users/{member.id}/edit"
    details = {
        "full_name": member.full_name,
        "email": "new.address@example.org",
        "organisation": member.organisation.name,
        "active": "y",
    }
    sign_in(client, people.admin)
    _signed_in_a_while_ago(client)

    refused = client.post(page, data=details)
    assert _sent_to_confirm(refused, page)
    db.session.refresh(member)
    assert member.email == "member@example.org"
    confirm_page = client.get(refused.location).get_data(as_text=True)
    assert "Confirm it’s you" in confirm_page
    assert "Nothing has been changed yet" in confirm_page

    # The password, then the second factor, then back to the page they wanted.
    step = client.post(refused.location, data={"password": factories.PASSWORD})
    assert urlsplit(step.location).path == "/account/confirm/code"
    done = client.post(step.location, data={"code": factories.totp_code(people.admin)})
    assert done.location == page

    assert client.post(page, data=details).status_code == 302
    db.session.refresh(member)
    assert member.email == "new.address@example.org"
    assert len(_events(db, AuditAction.IDENTITY_CONFIRMED, people.admin)) == 1


def test_changing_another_persons_role_waits_for_the_confirmation(client, people, db):
    membership = _membership(people, people.member)
    page = f"/admin/panels/{people.panel.id}/members/{membership.id}/role"
    sign_in(client, people.admin)
    _signed_in_a_while_ago(client)

    assert _sent_to_confirm(client.post(page, data={"role": "chair"}), page)
    db.session.refresh(membership)
    assert membership.role is Role.MEMBER

    _confirm(client, people.admin, page)
    assert client.post(page, data={"role": "chair"}).status_code == 302
    db.session.refresh(membership)
    assert membership.role is Role.CHAIR


def test_a_confirmation_lasts_the_configured_minutes(client, people, app, monkeypatch):
    monkeypatch.setitem(app.config, "RECENT_SIGN_IN_MINUTES", 30)
    page = f"/admin/users/{people.member.id}/edit"
    sign_in(client, people.admin)
    _signed_in_a_while_ago(client, minutes=29)
    assert client.get(page).status_code == 200
    _signed_in_a_while_ago(client, minutes=31)
    assert _sent_to_confirm(client.get(page), page)


# --- Their own second factor -----------------------------------------------------------------


def test_making_new_recovery_codes_asks_for_the_password_as_the_page_asks_for_a_code(
    client, people
):
    """The page asks for a code from the app itself: a second code on "Confirm it's you" in the
    same 30 seconds would be refused as a replay, so it asks for the password only."""
    page = "/account/two-factor/recovery-codes"
    sign_in(client, people.reader)
    _signed_in_a_while_ago(client)
    response = client.get(page)
    assert _sent_to_confirm(response, page, only_password=True)
    assert client.post(response.location, data={"password": factories.PASSWORD}).location == page
    assert client.get(page).status_code == 200


def test_a_reader_confirms_with_their_password_before_setting_up_a_second_factor(
    client, people, db
):
    reader = factories.user(email="iag.volunteer@example.org", two_factor=False)
    factories.membership(people.panel, reader, Role.READER)
    page = "/account/two-factor/set-up"
    sign_in(client, reader)
    _signed_in_a_while_ago(client)
    response = client.get(page)
    assert _sent_to_confirm(response, page)
    # No second factor yet: the password is the whole of it.
    assert client.post(response.location, data={"password": factories.PASSWORD}).location == page
    assert "Set up two-factor sign-in" in client.get(page).get_data(as_text=True)
    assert len(_events(db, AuditAction.IDENTITY_CONFIRMED, reader)) == 1


def test_a_password_alone_does_not_confirm_someone_with_a_second_factor(client, people):
    page = f"/admin/users/{people.member.id}/edit"
    sign_in(client, people.admin)
    _signed_in_a_while_ago(client)
    client.post("/account/confirm?only=password&next=/", data={"password": factories.PASSWORD})
    assert _sent_to_confirm(client.get(page), page)


# --- Wrong answers ---------------------------------------------------------------------------


def test_a_wrong_password_is_refused_audited_and_counted_towards_the_lock(client, people, db):
    page = f"/admin/users/{people.member.id}/edit"
    sign_in(client, people.admin)
    _signed_in_a_while_ago(client)
    for _ in range(4):
        response = client.post(f"/account/confirm?next={page}", data={"password": WRONG_PASSWORD})
        assert response.status_code == 200
        assert "Your password is not right" in response.get_data(as_text=True)
        assert _sent_to_confirm(client.get(page), page)
    assert len(_events(db, AuditAction.PASSWORD_CHECK_FAILED, people.admin)) == 4

    # The fifth locks the address: this session ends, and the right password is refused.
    locked = client.post(f"/account/confirm?next={page}", data={"password": WRONG_PASSWORD})
    assert locked.status_code == 302 and locked.location == "/sign-in"
    assert LOCKED in client.get("/sign-in").get_data(as_text=True)
    again = client.post(
        "/sign-in", data={"email": people.admin.email, "password": factories.PASSWORD}
    )
    assert LOCKED in again.get_data(as_text=True)
    assert len(_events(db, AuditAction.ACCOUNT_LOCKED, people.admin)) == 1


def test_a_wrong_code_is_refused_audited_and_counted(client, people, db):
    page = f"/admin/users/{people.member.id}/edit"
    sign_in(client, people.admin)
    _signed_in_a_while_ago(client)
    step = client.post(f"/account/confirm?next={page}", data={"password": factories.PASSWORD})
    response = client.post(step.location, data={"code": "000000"})
    assert response.status_code == 200
    assert "That code is not right" in response.get_data(as_text=True)
    assert _sent_to_confirm(client.get(page), page)
    assert len(_events(db, AuditAction.TWO_FACTOR_FAILED, people.admin)) == 1
    assert not _events(db, AuditAction.IDENTITY_CONFIRMED, people.admin)


def test_the_code_comes_only_after_the_password(client, people):
    sign_in(client, people.admin)
    _signed_in_a_while_ago(client)
    response = client.post("/account/confirm/code?next=/", data={"code": "000000"})
    assert response.status_code == 302
    assert urlsplit(response.location).path == "/account/confirm"


def test_confirming_is_throttled_like_signing_in(client, people, app, monkeypatch):
    monkeypatch.setitem(app.config, "SIGN_IN_RATE_LIMIT", "3 per minute")
    throttle.limiter_for(app).reset()
    try:
        sign_in(client, people.admin)
        statuses = [
            client.post("/account/confirm", data={"password": WRONG_PASSWORD}).status_code
            for _ in range(4)
        ]
    finally:
        throttle.limiter_for(app).reset()
    assert statuses == [200, 200, 200, 429]


def test_after_confirming_only_a_page_of_this_site_is_next(client, people):
    sign_in(client, people.admin)
    response = _confirm(client, people.admin, "https://attacker.example/")
    assert response.location == "/"
