"""Invitation and password reset links: e-mailed, single use, short-lived, and silent about
whether an account exists."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from panel.accounts.links import services as links
from panel.accounts.links.models import AccountLink, LinkPurpose
from panel.core import throttle
from panel.core.audit import AuditAction, AuditEvent
from panel.core.database import utcnow
from panel.core.outbox import OutboxMessage, OutboxStatus
from panel.core.passwords import verify_password
from tests import factories
from tests.conftest import sign_in
from tests.mailserver import SMTPServer, point_app_at
from tests.querycount import count_queries
from tests.test_mail import closed_port

NEW_PASSWORD = "wattle pylon marzipan fjord"
EXPIRED = "This link has expired or has already been used"
CHECK_EMAIL = "If an account exists for that address, we have sent a link to reset your password"


@pytest.fixture(autouse=True)
def _tests_close_responses(request):
    """These tests close a response themselves: the reset e-mail goes only once the answer has."""
    if "client" in request.fixturenames:
        request.getfixturevalue("client").close_responses = False


def issue_reset(user, now=None) -> str:
    return links.issue(None, user, LinkPurpose.PASSWORD_RESET, now=now)


def link_in(body: str) -> str:
    """The path of the one Panel link in an e-mail body."""
    [url] = re.findall(r"http://127\.0\.0\.1:5000(/\S+)", body)
    return url


def new_password(password: str = NEW_PASSWORD, confirm: str | None = None) -> dict:
    return {"password": password, "confirm_password": password if confirm is None else confirm}


def events(db, action: AuditAction) -> list[AuditEvent]:
    return db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
    ).all()


def ask_for_reset(client, email: str):
    """Ask for a reset link, then close the response: the e-mail goes once the answer has."""
    response = client.post("/forgotten-password", data={"email": email})
    response.close()
    return response


# --- Asking for a link ------------------------------------------------------------------------


def test_sign_in_page_links_to_forgotten_password(client):
    page = client.get("/sign-in").get_data(as_text=True)
    assert 'href="/forgotten-password">Forgotten your password?</a>' in page


def test_forgotten_password_journey_from_email_to_sign_in(client, people, db, mail_app_config):
    member = people.member

    response = client.post("/forgotten-password", data={"email": " Member@Example.org "})
    assert response.status_code == 302
    assert response.location == "/forgotten-password/check-your-email"
    assert mail_app_config.messages == []  # nothing is sent before the answer has gone
    response.close()

    [message] = mail_app_config.messages
    assert message.envelope_to == ["member@example.org"]
    assert message["Subject"] == "Reset your Panel password"
    body = message.get_content()
    assert "Dear Grace Mensah," in body
    assert "works once, for 30 minutes" in body
    path = link_in(body)
    assert path.startswith("/reset-password/")
    page = client.get("/forgotten-password/check-your-email").get_data(as_text=True)
    assert CHECK_EMAIL in page and "works once, for 30 minutes" in page

    form = client.get(path)
    assert form.status_code == 200
    assert "Reset your password" in form.get_data(as_text=True)
    done = client.post(path, data=new_password())
    assert done.status_code == 302 and done.location == "/sign-in"
    assert "Your password has been reset" in client.get("/sign-in").get_data(as_text=True)
    db.session.refresh(member)
    assert verify_password(member.password_hash, NEW_PASSWORD)
    assert not verify_password(member.password_hash, factories.PASSWORD)
    assert EXPIRED in client.get(path).get_data(as_text=True)


def test_reset_email_holds_the_link_and_no_personal_data_but_the_name(app, people, db):
    member = people.member
    with app.test_request_context():
        email = links.reset_email(member, "the-token")
    assert email.to == "member@example.org"
    assert "http://127.0.0.1:5000/reset-password/the-token" in email.body
    assert "Grace Mensah" in email.body
    for other in (member.organisation.name, people.panel.name, "member@example.org", "Coventry"):
        assert other not in email.body and other not in email.subject


def test_the_answer_never_says_whether_an_account_exists(client, people, db, mail_app_config):
    factories.user(email="gone@example.org", active=False)
    known = ask_for_reset(client, people.member.email)
    assert len(mail_app_config.messages) == 1

    for address in ("nobody@example.org", "gone@example.org"):
        other = ask_for_reset(client, address)
        assert other.status_code == known.status_code == 302
        assert other.location == known.location
        assert other.get_data() == known.get_data()
    assert len(mail_app_config.messages) == 1  # no e-mail for an unknown or deactivated account
    assert len(events(db, AuditAction.RESET_LINK_SENT)) == 1


def test_the_answer_does_the_same_work_whether_or_not_an_account_exists(
    client, people, db, mail_app_config
):
    """How long the answer took told real addresses from unknown ones (11-27 ms against 5-10,
    issue 18, finding 2): the answer now runs the very same statements either way, and finding
    the account, issuing its link and sending the e-mail all wait until it has gone."""
    statements = {}
    for address in ("nobody@example.org", people.member.email):
        with count_queries() as queries:
            response = client.post("/forgotten-password", data={"email": address})
        statements[address] = queries.statements
        assert response.location == "/forgotten-password/check-your-email"
        assert db.session.scalars(db.select(AccountLink)).all() == []  # nothing issued yet
        assert mail_app_config.messages == []
        response.close()
    assert statements[people.member.email] == statements["nobody@example.org"]
    [link] = db.session.scalars(db.select(AccountLink)).all()
    assert link.user_id == people.member.id
    [message] = mail_app_config.messages
    assert message.envelope_to == [people.member.email]
    # Issued after the answer, and still audited with where the request came from.
    [sent] = events(db, AuditAction.RESET_LINK_SENT)
    assert sent.object_id == people.member.id and sent.remote_addr == "127.0.0.1"


def test_one_person_gets_at_most_three_reset_emails_an_hour(client, people, db, mail_app_config):
    answers = [ask_for_reset(client, people.member.email) for _ in range(5)]
    assert {answer.location for answer in answers} == {answers[0].location}
    assert len(mail_app_config.messages) == 3
    later = utcnow() + timedelta(hours=1, seconds=1)
    assert (
        links.password_reset_requested(people.member.email, production=False, now=later) is not None
    )


def test_demo_accounts_get_no_reset_link_in_production(
    app, client, db, mail_app_config, monkeypatch
):
    demo = factories.user(email="demo@example.org", is_demo=True)
    monkeypatch.setitem(app.config, "PRODUCTION", True)
    ask_for_reset(client, demo.email)
    assert mail_app_config.messages == []
    monkeypatch.setitem(app.config, "PRODUCTION", False)
    ask_for_reset(client, demo.email)
    assert len(mail_app_config.messages) == 1


def test_a_mail_server_failure_gives_the_same_answer_and_keeps_the_email(
    app, client, people, db, monkeypatch, caplog
):
    point_app_at(app, SMTPServer(host="127.0.0.1", port=closed_port()), monkeypatch)
    response = ask_for_reset(client, people.member.email)
    assert response.location == "/forgotten-password/check-your-email"
    assert "(a password reset link) not sent at attempt 1" in caplog.text
    [waiting] = db.session.scalars(db.select(OutboxMessage)).all()
    assert waiting.status is OutboxStatus.PENDING  # delivered later, by the next delivery


def test_an_empty_address_is_a_clear_error(client):
    page = client.post("/forgotten-password", data={"email": ""}).get_data(as_text=True)
    assert "There is a problem" in page and "Enter your email address" in page


# --- Links: lifetime, single use, voiding -----------------------------------------------------


def test_a_reset_link_works_for_30_minutes(people, db):
    issued = utcnow()
    token = issue_reset(people.member, now=issued)
    almost = issued + timedelta(minutes=29, seconds=59)
    assert links.usable_link(token, LinkPurpose.PASSWORD_RESET, production=False, now=almost)
    for later in (issued + timedelta(minutes=30), issued + timedelta(days=1)):
        assert not links.usable_link(token, LinkPurpose.PASSWORD_RESET, production=False, now=later)
        assert not links.set_password(
            links.usable_link(token, LinkPurpose.PASSWORD_RESET, production=False, now=almost),
            NEW_PASSWORD,
            now=later,
        )


def test_an_invitation_works_for_7_days(people, db):
    issued = utcnow()
    token = links.issue(people.admin, people.member, LinkPurpose.INVITATION, now=issued)
    week = issued + timedelta(days=7)
    assert links.usable_link(
        token, LinkPurpose.INVITATION, production=False, now=week - timedelta(seconds=1)
    )
    assert not links.usable_link(token, LinkPurpose.INVITATION, production=False, now=week)


def test_an_expired_link_shows_what_to_do_next(client, people, db):
    token = issue_reset(people.member, now=utcnow() - timedelta(minutes=31))
    response = client.get(f"/reset-password/{token}")
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert EXPIRED in page
    assert 'href="/forgotten-password">ask for a new link</a>' in page
    assert 'href="/sign-in">sign in</a>' in page


def test_unknown_used_expired_and_wrong_purpose_links_look_the_same(app, client, people, db):
    used = issue_reset(people.member)
    app.test_client().post(f"/reset-password/{used}", data=new_password())
    expired = issue_reset(people.chair, now=utcnow() - timedelta(hours=1))
    invitation = links.issue(people.admin, people.reader, LinkPurpose.INVITATION)
    responses = [
        client.get(f"/reset-password/{token}")
        for token in (used, expired, invitation, "not-a-token", "x" * 500)
    ]
    assert {response.status_code for response in responses} == {404}
    # The same page, but for the script nonce that every page gets afresh.
    pages = {
        re.sub(r'nonce="[^"]*"', "", response.get_data(as_text=True)) for response in responses
    }
    assert len(pages) == 1
    assert EXPIRED in pages.pop()


def test_a_link_works_once(client, people, db):
    token = issue_reset(people.member)
    assert client.post(f"/reset-password/{token}", data=new_password()).status_code == 302
    again = client.post(f"/reset-password/{token}", data=new_password("another long passphrase"))
    assert again.status_code == 404 and EXPIRED in again.get_data(as_text=True)
    db.session.refresh(people.member)
    assert verify_password(people.member.password_hash, NEW_PASSWORD)
    link = db.session.scalar(db.select(AccountLink).where(AccountLink.user_id == people.member.id))
    assert link.used_at is not None


def test_a_new_link_voids_the_older_ones_of_its_purpose(people, db):
    member = people.member
    invitation = links.issue(people.admin, member, LinkPurpose.INVITATION)
    first = issue_reset(member)
    second = issue_reset(member)
    assert not links.usable_link(first, LinkPurpose.PASSWORD_RESET, production=False)
    assert links.usable_link(second, LinkPurpose.PASSWORD_RESET, production=False)
    # A reset link leaves a waiting invitation alone, until a password is set through either.
    assert links.usable_link(invitation, LinkPurpose.INVITATION, production=False)
    links.set_password(
        links.usable_link(second, LinkPurpose.PASSWORD_RESET, production=False), NEW_PASSWORD
    )
    assert not links.usable_link(invitation, LinkPurpose.INVITATION, production=False)


def test_changing_the_password_voids_a_reset_link_sent_before(client, people, db):
    token = issue_reset(people.member)
    sign_in(client, people.member)
    client.post(
        "/account",
        data={
            "current_password": factories.PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert not links.usable_link(token, LinkPurpose.PASSWORD_RESET, production=False)


def test_only_the_tokens_hash_is_stored(people, db):
    token = issue_reset(people.member)
    link = db.session.scalar(db.select(AccountLink))
    assert link.token_hash == links.hash_token(token) != token
    assert len(token) >= 43  # 32 random bytes
    stored = [str(getattr(link, column.key)) for column in AccountLink.__table__.columns]
    assert not any(token in value for value in stored)


def test_a_deactivated_accounts_link_does_not_work(client, people, db):
    token = issue_reset(people.member)
    people.member.active = False
    db.session.commit()
    assert EXPIRED in client.get(f"/reset-password/{token}").get_data(as_text=True)


# --- The new password -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, message",
    [
        (new_password("password1234"), "Password is too easy to guess: this is a very common"),
        # Grace Mensah's own name, though she is not signed in.
        (new_password("mensahgrace1"), "Password must not contain your name"),
        (new_password("too short"), "Password must be between 12 and 256 characters"),
        (new_password(confirm="something else"), "Passwords must match"),
        ({}, "Enter a new password"),
    ],
)
def test_a_weak_or_mistyped_password_is_refused_with_the_reason(client, people, db, data, message):
    token = issue_reset(people.member)
    response = client.post(f"/reset-password/{token}", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in page and message in page
    assert links.usable_link(token, LinkPurpose.PASSWORD_RESET, production=False)


def test_a_reset_ends_every_session(app, people, db, sign_in_as):
    signed_in = sign_in_as(people.member)
    assert signed_in.get("/").status_code == 200
    old_token = people.member.session_token
    token = issue_reset(people.member)
    app.test_client().post(f"/reset-password/{token}", data=new_password())
    db.session.refresh(people.member)
    assert people.member.session_token != old_token
    home = signed_in.get("/")
    assert home.status_code == 302 and home.location.startswith("/sign-in")


def test_issuing_and_using_links_is_audited_without_the_token(client, people, db):
    token = links.issue(people.admin, people.member, LinkPurpose.PASSWORD_RESET)
    client.post(f"/reset-password/{token}", data=new_password())

    [sent] = events(db, AuditAction.RESET_LINK_SENT)
    assert sent.actor_id == people.admin.id
    assert sent.object_id == people.member.id and sent.object_type == "user_account"
    assert list(sent.changes) == ["expires_at"]
    [used] = events(db, AuditAction.PASSWORD_RESET)
    assert used.actor_id == people.member.id and used.object_id == people.member.id
    assert used.changes == {
        "password_hash": ["(hidden)", "(changed)"],
        "session_token": ["(hidden)", "(changed)"],
    }
    everything = json.dumps([[str(e.changes), e.object_label] for e in (sent, used)])
    assert token not in everything and links.hash_token(token) not in everything


# --- Invitations ------------------------------------------------------------------------------


def test_the_invitation_page_welcomes_the_person_and_sets_their_password(client, people, db):
    token = links.issue(people.admin, people.member, LinkPurpose.INVITATION)
    page = client.get(f"/invitation/{token}").get_data(as_text=True)
    assert "Welcome to Panel, Grace Mensah" in page
    assert "Coventry Homes Partnership" in page
    assert client.get(f"/reset-password/{token}").status_code == 404  # not a reset link

    done = client.post(f"/invitation/{token}", data=new_password())
    assert done.location == "/sign-in"
    assert "Your password has been set" in client.get("/sign-in").get_data(as_text=True)
    db.session.refresh(people.member)
    assert verify_password(people.member.password_hash, NEW_PASSWORD)
    [accepted] = events(db, AuditAction.INVITATION_ACCEPTED)
    assert accepted.actor_id == people.member.id
    assert not links.is_invited(people.member)


# --- Headers and throttling -------------------------------------------------------------------


def test_link_pages_never_send_their_address_onwards(client, people, db):
    reset = issue_reset(people.member)
    invitation = links.issue(people.admin, people.chair, LinkPurpose.INVITATION)
    for path in (
        f"/reset-password/{reset}",
        f"/invitation/{invitation}",
        "/reset-password/unknown",
        "/forgotten-password",
    ):
        response = client.get(path)
        assert response.headers["Referrer-Policy"] == "no-referrer", path
        assert response.headers["Cache-Control"] == "no-store", path
    assert client.get("/sign-in").headers["Referrer-Policy"] == "same-origin"


@pytest.fixture
def fresh_limits(app):
    throttle.limiter_for(app).reset()
    yield
    throttle.limiter_for(app).reset()


def test_asking_for_reset_links_is_throttled(app, client, people, monkeypatch, fresh_limits):
    monkeypatch.setitem(app.config, "PASSWORD_RESET_RATE_LIMIT", "3 per minute")
    for _ in range(3):
        assert ask_for_reset(client, "nobody@example.org").status_code == 302
    refused = client.post("/forgotten-password", data={"email": "nobody@example.org"})
    assert refused.status_code == 429
    assert client.get("/forgotten-password").status_code == 200  # reading the form is free


def test_trying_reset_tokens_is_throttled(app, client, monkeypatch, fresh_limits):
    monkeypatch.setitem(app.config, "PASSWORD_RESET_RATE_LIMIT", "2 per minute")
    for attempt in range(2):
        assert client.post(f"/reset-password/guess{attempt}", data={}).status_code == 404
    assert client.post("/reset-password/guess", data={}).status_code == 429
    assert client.post("/invitation/guess", data={}).status_code == 404  # counted on its own
