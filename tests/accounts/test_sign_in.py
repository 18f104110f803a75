"""Signing in and out: messages that reveal nothing, sessions that really end, and an audit."""

import pytest

from panel.accounts import services
from panel.core.audit import AuditAction, AuditEvent
from tests import factories
from tests.conftest import sign_in

WRONG = "Enter a correct email address and password"


def test_sign_in_takes_the_user_to_their_home_page(client, people):
    response = client.post(
        "/sign-in", data={"email": " Member@Example.org ", "password": factories.PASSWORD}
    )
    assert response.location == "/sign-in/code"  # the second factor comes next
    response = client.post("/sign-in/code", data={"code": factories.totp_code(people.member)})
    assert response.status_code == 302
    assert response.location == "/"
    assert "Welcome, Grace Mensah" in client.get("/").get_data(as_text=True)


def test_sign_in_returns_to_the_page_asked_for(client, people):
    response = sign_in(client, people.member, next_page=f"/panels/{people.panel.id}")
    assert response.location == f"/panels/{people.panel.id}"


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/", "//evil.example/", "/\\evil.example"]
)
def test_sign_in_never_redirects_to_another_site(client, people, next_url):
    response = client.post(
        "/sign-in",
        query_string={"next": next_url},
        data={"email": people.member.email, "password": factories.PASSWORD},
    )
    response = client.post("/sign-in/code", data={"code": factories.totp_code(people.member)})
    assert response.location == "/"


def test_wrong_password_and_unknown_email_get_the_same_message(client, people, db):
    wrong_password = client.post(
        "/sign-in", data={"email": people.member.email, "password": "not the password"}
    )
    unknown = client.post(
        "/sign-in", data={"email": "nobody@example.org", "password": "not the password"}
    )
    for response in (wrong_password, unknown):
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "There is a problem" in page
        assert WRONG in page
    assert wrong_password.get_data(as_text=True).count(WRONG) == unknown.get_data(
        as_text=True
    ).count(WRONG)
    failed = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == AuditAction.SIGN_IN_FAILED)
    ).all()
    recorded = [event.actor_email for event in failed]
    assert len(recorded) == 2 and people.member.email in recorded
    assert "nobody@example.org" not in recorded  # no account's: a keyed hash (test_lockout.py)


def test_deactivated_account_cannot_sign_in(client, db):
    person = factories.user(email="left@example.org", active=False)
    response = client.post("/sign-in", data={"email": person.email, "password": factories.PASSWORD})
    assert WRONG in response.get_data(as_text=True)


def test_empty_form_names_both_fields(client, db):
    page = client.post("/sign-in", data={}).get_data(as_text=True)
    assert "Enter your email address" in page
    assert "Enter your password" in page
    assert 'href="#email"' in page and 'href="#password"' in page


def test_ten_thousand_character_email_is_a_clear_error(client, db):
    response = client.post("/sign-in", data={"email": "a" * 10_000, "password": "x"})
    assert response.status_code == 200
    assert "Email address must be 254 characters or fewer" in response.get_data(as_text=True)


def test_sign_in_is_audited(client, people, db):
    sign_in(client, people.chair)
    event = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == AuditAction.SIGN_IN)
    ).one()
    assert event.actor_id == people.chair.id
    assert event.occurred_at is not None


def test_session_is_renewed_at_sign_in(client, people):
    client.get("/sign-in")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    sign_in(client, people.member)
    with client.session_transaction() as session:
        assert "planted" not in session


def test_sign_out_ends_the_session_even_for_a_copied_cookie(app, client, people):
    sign_in(client, people.member)
    stolen = client.get_cookie("panel_session").value
    client.post("/sign-out")
    assert client.get("/").status_code == 302

    replay = app.test_client()
    replay.set_cookie("panel_session", stolen)
    assert replay.get("/").status_code == 302  # sent to sign in, not the home page


def test_sign_out_needs_a_post(client, people):
    sign_in(client, people.member)
    assert client.get("/sign-out").status_code == 405
    assert client.get("/").status_code == 200


def test_session_cookie_is_httponly_and_samesite_lax(client, people):
    response = sign_in(client, people.member)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # development over http; production sets Secure (test_config)


def test_changing_password_ends_other_sessions(app, client, people):
    sign_in(client, people.member)
    other_device = app.test_client()
    sign_in(other_device, people.member)
    response = client.post(
        "/account",
        data={
            "current_password": factories.PASSWORD,
            "new_password": "a brand new long password",
            "confirm_password": "a brand new long password",
        },
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert other_device.get("/").status_code == 302


def test_changing_password_with_a_wrong_current_password_is_refused(client, people):
    sign_in(client, people.member)
    page = client.post(
        "/account",
        data={
            "current_password": "wrong",
            "new_password": "a brand new long password",
            "confirm_password": "a brand new long password",
        },
    ).get_data(as_text=True)
    assert "Your current password is not right" in page


def test_new_password_must_be_long_enough_and_match(client, people):
    sign_in(client, people.member)
    page = client.post(
        "/account",
        data={
            "current_password": factories.PASSWORD,
            "new_password": "short",
            "confirm_password": "different",
        },
    ).get_data(as_text=True)
    assert "Password must be between 12 and 256 characters" in page
    assert "Passwords must match" in page


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("password1234", "this is a very common password"),
        ("qwertyuiopasdf", "Password is too easy to guess"),
        ("aaaaaaaaaaaaaa", "repeats like"),
    ],
)
def test_a_common_or_guessable_new_password_is_refused_with_the_reason(
    client, people, password, reason
):
    sign_in(client, people.member)
    response = client.post(
        "/account",
        data={
            "current_password": factories.PASSWORD,
            "new_password": password,
            "confirm_password": password,
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert reason.lower() in page.lower()
    assert "Try three or four unrelated words" in page


# --- The steps of signing in, as plain functions ----------------------------------------------


def test_the_password_step_gives_the_person_or_says_what_is_wrong(people):
    assert services.check_password(people.member.email, factories.PASSWORD, production=False) == (
        people.member
    )
    with pytest.raises(services.SignInRefused, match=WRONG):
        services.check_password(people.member.email, "not the password", production=False)
    with pytest.raises(services.SignInRefused, match=WRONG):
        services.check_password("nobody@example.org", factories.PASSWORD, production=False)


def test_the_password_step_says_a_locked_address_is_locked(people):
    for _ in range(4):
        with pytest.raises(services.SignInRefused, match=WRONG):
            services.check_password(people.member.email, "not the password", production=False)
    for password in ("not the password", factories.PASSWORD):
        with pytest.raises(services.SignInRefused, match="locked for 15 minutes"):
            services.check_password(people.member.email, password, production=False)


def test_the_code_step_says_how_the_code_was_given_and_counts_a_wrong_one(people):
    code = "That code is not right"
    assert services.check_second_factor(people.member, factories.totp_code(people.member)) == "app"
    for _ in range(4):
        with pytest.raises(services.SignInRefused, match=code):
            services.check_second_factor(people.member, "000000")
    with pytest.raises(services.SignInLocked):
        services.check_second_factor(people.member, "000000")
    # Once locked, even the right code is not tried.
    with pytest.raises(services.SignInLocked):
        services.check_second_factor(people.member, factories.totp_code(people.member))
