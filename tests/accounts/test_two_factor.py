"""Two-factor sign-in: everyone must have it, setting up an authenticator app, signing in with a
code or a recovery code, codes that work once, and an administrator's audited reset. Passkeys,
offered first, are tested in tests/accounts/test_passkeys.py."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest

from panel.accounts.models import User
from panel.accounts.two_factor import services as two_factor
from panel.accounts.two_factor.models import RecoveryCode
from panel.core.audit import AuditAction, AuditEvent
from panel.core.database import utcnow
from panel.panels.models import Role
from tests import factories
from tests.conftest import sign_in

WRONG_CODE = "That code is not right"


def _password(client, user):
    return client.post("/sign-in", data={"email": user.email, "password": factories.PASSWORD})


def _events(db, action: AuditAction, user: User) -> list[AuditEvent]:
    return db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == action, AuditEvent.object_id == user.id)
    ).all()


def _secret_on_page(page: str) -> str:
    return re.search(r'id="secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")


@pytest.fixture
def newcomer(db, people):
    """A member of the panel who has not set up a second factor yet."""
    person = factories.user(email="newcomer@example.org", full_name="Ade Bello", two_factor=False)
    factories.membership(people.panel, person, Role.MEMBER)
    return person


# --- Who needs it ------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.CHAIR, Role.COORDINATOR, Role.MEMBER, Role.READER, None])
def test_everyone_must_set_up_a_second_factor_before_seeing_anything(client, db, role):
    """Readers included (ASVS 5.0 level 2), and someone on no panel yet."""
    person = factories.user(two_factor=False)
    if role is not None:
        factories.membership(factories.panel(), person, role)
    assert _password(client, person).location == "/"
    assert client.get("/").location == "/account/two-factor/set-up"


def test_administrators_must_set_one_up_too(client, db):
    admin = factories.user(is_admin=True, two_factor=False)
    _password(client, admin)
    assert client.get("/admin/users").location == "/account/two-factor/set-up"


# --- Setting up an authenticator app -----------------------------------------------------------


def test_a_member_without_a_second_factor_must_set_one_up_before_seeing_anything(
    client, people, newcomer, db
):
    response = _password(client, newcomer)
    assert response.location == "/"
    for page in ("/", f"/panels/{people.panel.id}", "/lessons", "/interventions", "/account"):
        response = client.get(page)
        assert response.status_code == 302, page
        assert response.location == "/account/two-factor/set-up"
    page = client.get("/account/two-factor/set-up").get_data(as_text=True)
    assert "You need to set up two-factor sign-in" in page
    assert 'href="/account/two-factor/set-up/app">Set up an authenticator app instead' in page
    page = client.get("/account/two-factor/set-up/app").get_data(as_text=True)
    assert 'src="data:image/svg+xml' in page and "QR code for adding Panel" in page
    secret = _secret_on_page(page)

    wrong = client.post("/account/two-factor/set-up/app", data={"code": "000000"})
    assert WRONG_CODE in wrong.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still not through

    with client.session_transaction() as session:
        before = session["session_id"]
    done = client.post("/account/two-factor/set-up/app", data={"code": pyotp.TOTP(secret).now()})
    codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", done.get_data(as_text=True))
    assert len(set(codes)) == 10
    with client.session_transaction() as session:
        assert session["session_id"] != before  # a new session id once proven with two factors
    assert "Welcome, Ade Bello" in client.get("/").get_data(as_text=True)
    assert len(_events(db, AuditAction.TWO_FACTOR_SET_UP, newcomer)) == 1


def test_set_up_keeps_the_same_secret_until_confirmed(client, newcomer):
    _password(client, newcomer)
    first = _secret_on_page(client.get("/account/two-factor/set-up/app").get_data(as_text=True))
    again = _secret_on_page(client.get("/account/two-factor/set-up/app").get_data(as_text=True))
    assert first == again  # reloading the page does not break the app the person just set up


def test_nobody_can_turn_their_second_factor_off(client, people):
    sign_in(client, people.reader)
    assert client.get("/account/two-factor/turn-off").status_code == 404
    assert "Turn off two-factor" not in client.get("/account").get_data(as_text=True)


# --- Signing in with it ------------------------------------------------------------------------


def test_the_password_alone_does_not_sign_in_someone_with_a_second_factor(client, people, db):
    assert _password(client, people.chair).location == "/sign-in/code"
    assert client.get("/").location.startswith("/sign-in")  # not signed in yet
    wrong = client.post("/sign-in/code", data={"code": "123456"})
    assert WRONG_CODE in wrong.get_data(as_text=True)
    assert len(_events(db, AuditAction.TWO_FACTOR_FAILED, people.chair)) == 1
    right = client.post("/sign-in/code", data={"code": factories.totp_code(people.chair)})
    assert right.location == "/"
    assert client.get("/").status_code == 200
    assert len(_events(db, AuditAction.SIGN_IN, people.chair)) == 1


def test_a_code_works_only_once(app, client, people):
    _password(client, people.chair)
    code = factories.totp_code(people.chair)
    assert client.post("/sign-in/code", data={"code": code}).location == "/"

    someone_watching = app.test_client()
    _password(someone_watching, people.chair)
    replay = someone_watching.post("/sign-in/code", data={"code": code})
    assert WRONG_CODE in replay.get_data(as_text=True)


def test_the_session_id_changes_at_the_password_and_again_at_the_code(client, people):
    client.get("/sign-in")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    _password(client, people.chair)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert "session_id" not in session  # half signed in: no session yet
    client.post("/sign-in/code", data={"code": factories.totp_code(people.chair)})
    with client.session_transaction() as session:
        assert session["session_id"]
        assert session["_user_id"].startswith(f"{people.chair.id}:")


def test_the_code_must_come_within_five_minutes_of_the_password(client, people):
    _password(client, people.chair)
    with client.session_transaction() as session:
        pending = session["pending_sign_in"]
        session["pending_sign_in"] = {**pending, "at": pending["at"] - 301}
    response = client.post("/sign-in/code", data={"code": factories.totp_code(people.chair)})
    assert response.location == "/sign-in"
    assert client.get("/").location.startswith("/sign-in")


def test_the_code_page_without_a_password_first_goes_back_to_sign_in(client, db):
    assert client.get("/sign-in/code").location == "/sign-in"


def test_a_recovery_code_works_once_and_says_how_many_are_left(client, people, db):
    codes = two_factor.new_recovery_codes(people.chair, factories.totp_code(people.chair))
    _password(client, people.chair)
    response = client.post("/sign-in/code", data={"code": codes[0].upper()})
    assert response.location == "/"
    assert "You have 9 left" in client.get("/").get_data(as_text=True)
    assert len(_events(db, AuditAction.RECOVERY_CODE_USED, people.chair)) == 1

    client.post("/sign-out")
    _password(client, people.chair)
    again = client.post("/sign-in/code", data={"code": codes[0]})
    assert WRONG_CODE in again.get_data(as_text=True)


def test_recovery_codes_are_stored_hashed(db, people):
    codes = two_factor.new_recovery_codes(people.chair, factories.totp_code(people.chair))
    stored = db.session.scalars(
        db.select(RecoveryCode.code_hash).where(RecoveryCode.user_id == people.chair.id)
    ).all()
    assert len(stored) == 10
    assert not any(code.replace("-", "") in value for code in codes for value in stored)


def test_new_recovery_codes_replace_the_old_ones(client, people, db):
    old = two_factor.new_recovery_codes(people.chair, factories.totp_code(people.chair))
    sign_in(client, people.chair)
    page = client.get("/account/two-factor/recovery-codes").get_data(as_text=True)
    assert "You have 10 unused recovery codes" in page
    response = client.post(
        "/account/two-factor/recovery-codes", data={"code": factories.totp_code(people.chair)}
    )
    new = re.findall(r"<code>([a-z0-9-]+)</code>", response.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    client.post("/sign-out")
    _password(client, people.chair)
    assert WRONG_CODE in client.post("/sign-in/code", data={"code": old[1]}).get_data(as_text=True)
    assert client.post("/sign-in/code", data={"code": new[1]}).location == "/"


def test_the_clock_may_be_thirty_seconds_out_but_not_more(db, people):
    totp = pyotp.TOTP(people.chair.totp_secret)
    now = utcnow()
    assert two_factor.verify(people.chair, totp.at(now - timedelta(seconds=30)), now) == "app"
    assert two_factor.verify(people.chair, totp.at(now + timedelta(seconds=30)), now) == "app"
    assert two_factor.verify(people.chair, totp.at(now - timedelta(seconds=95)), now) is None


# --- An administrator's reset ------------------------------------------------------------------


def test_an_admin_resets_a_lost_second_factor_and_it_is_audited(app, client, people, db):
    chairs_phone = app.test_client()
    sign_in(chairs_phone, people.chair)
    sign_in(client, people.admin)
    user_page = client.get(f"/admin/users/{people.chair.id}/edit").get_data(as_text=True)
    assert "Reset two-factor sign-in for Claire Doyle" in user_page
    page = client.get(f"/admin/users/{people.chair.id}/two-factor").get_data(as_text=True)
    assert "Reset two-factor sign-in" in page
    response = client.post(f"/admin/users/{people.chair.id}/two-factor")
    assert response.location == f"/admin/users/{people.chair.id}/edit"

    db.session.refresh(people.chair)
    assert not people.chair.has_two_factor and people.chair.totp_secret is None
    assert chairs_phone.get("/").location.startswith("/sign-in")  # signed out everywhere
    (event,) = _events(db, AuditAction.TWO_FACTOR_RESET, people.chair)
    assert event.actor_id == people.admin.id

    # At the next sign-in the chair sets it up again before seeing anything.
    assert _password(chairs_phone, people.chair).location == "/"
    assert chairs_phone.get("/").location == "/account/two-factor/set-up"


def test_only_admins_reset_a_second_factor(client, people):
    sign_in(client, people.chair)
    assert client.post(f"/admin/users/{people.member.id}/two-factor").status_code in (403, 404)
    assert people.member.has_two_factor
