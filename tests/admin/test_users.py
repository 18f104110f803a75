"""Admins add users (who are invited to set their own password), change their details, send
password reset links and deactivate accounts."""

import re

import pytest

from panel.accounts import services as accounts
from panel.accounts.links import services as links
from panel.accounts.links.models import LinkPurpose
from panel.accounts.models import User
from panel.core.audit import AuditAction, AuditEvent
from panel.core.outbox import OutboxMessage, OutboxStatus
from panel.core.passwords import verify_password
from tests import factories
from tests.conftest import sign_in
from tests.mailserver import SMTPServer, point_app_at
from tests.test_mail import closed_port

NEW_PASSWORD = "a long enough new password"


def user_form(people, **overrides) -> dict:
    data = {
        "full_name": "Priya Shah",
        "email": "Priya.Shah@example.org",
        "job_title": "Hate crime caseworker",
        "organisation": people.member.organisation.name,
    }
    return {**data, **overrides}


def edit_form(user: User, **overrides) -> dict:
    data = {
        "full_name": user.full_name,
        "email": user.email,
        "job_title": user.job_title or "",
        "organisation": user.organisation.name,
        "active": "y" if user.active else "",
        "is_admin": "y" if user.is_admin else "",
    }
    return {key: value for key, value in {**data, **overrides}.items() if value}


def link_in(message) -> str:
    """The path of the one Panel link in an e-mail."""
    [path] = re.findall(r"http://127\.0\.0\.1:5000(/\S+)", message.get_content())
    return path


def events(db, action: AuditAction, user: User) -> list[AuditEvent]:
    return db.session.scalars(
        db.select(AuditEvent)
        .where(AuditEvent.action == action, AuditEvent.object_id == user.id)
        .order_by(AuditEvent.id)
    ).all()


def user_changes(db, user: User) -> list[AuditEvent]:
    """The creations and changes recorded for `user`, oldest first (not their sign-ins)."""
    return db.session.scalars(
        db.select(AuditEvent)
        .where(
            AuditEvent.object_type == "user_account",
            AuditEvent.object_id == user.id,
            AuditEvent.action.in_([AuditAction.CREATE, AuditAction.UPDATE]),
        )
        .order_by(AuditEvent.id)
    ).all()


def test_users_list_shows_organisation_admin_and_active(admin_client, people, db):
    factories.user(email="gone@example.org", full_name="Alex Gone", active=False)
    page = admin_client.get("/admin/users").get_data(as_text=True)
    assert "Grace Mensah" in page and "Coventry Homes Partnership" in page
    assert "Alex Gone" in page and "Deactivated" in page
    assert (
        f'href="/admin/users/{people.member.id}/edit">Edit'
        '<span class="govuk-visually-hidden"> Grace Mensah</span>' in page
    )


def test_users_list_searches_by_name_or_email(admin_client, people):
    by_name = admin_client.get("/admin/users", query_string={"q": "mensah"})
    assert "Grace Mensah" in by_name.get_data(as_text=True)
    assert "Claire Doyle" not in by_name.get_data(as_text=True)
    by_email = admin_client.get("/admin/users", query_string={"q": "CHAIR@"}).get_data(as_text=True)
    assert "Claire Doyle" in by_email and "Grace Mensah" not in by_email
    nothing = admin_client.get("/admin/users", query_string={"q": "%"}).get_data(as_text=True)
    assert "No users match ‘%’." in nothing


def test_the_new_user_page_asks_for_no_password_and_says_an_invitation_goes(admin_client, people):
    page = admin_client.get("/admin/users/new").get_data(as_text=True)
    assert 'type="password"' not in page
    assert "We will email the new user an invitation" in page
    assert "The link works once, for 7 days" in page


def test_admin_creates_a_user_who_is_invited_to_set_their_own_password(
    app, admin_client, people, db, mail_app_config
):
    response = admin_client.post("/admin/users/new", data=user_form(people))
    assert response.status_code == 302
    user = accounts.find_user_by_email("priya.shah@example.org")
    assert user.full_name == "Priya Shah"
    assert user.job_title == "Hate crime caseworker"
    assert user.organisation == people.member.organisation
    assert not user.is_admin and user.active
    [event] = user_changes(db, user)
    assert event.action is AuditAction.CREATE
    assert event.changes == {
        "email": "priya.shah@example.org",
        "organisation": "Coventry Homes Partnership",
        "is_admin": False,
    }
    [sent] = events(db, AuditAction.INVITATION_SENT, user)
    assert sent.actor_id == people.admin.id
    assert "We will email priya.shah@example.org a link to set their password" in (
        admin_client.get("/admin/users").get_data(as_text=True)
    )

    [message] = mail_app_config.messages
    assert message.envelope_to == ["priya.shah@example.org"]
    assert message["Subject"] == "You have been invited to Panel"
    assert "Dear Priya Shah," in message.get_content()
    assert "Coventry Homes Partnership" not in message.get_content()
    invitation = link_in(message)
    assert invitation.startswith("/invitation/")

    member_client = app.test_client()
    page = member_client.get(invitation).get_data(as_text=True)
    assert "Welcome to Panel, Priya Shah" in page and "Coventry Homes Partnership" in page
    member_client.post(
        invitation, data={"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    )
    sign_in(app.test_client(), user, NEW_PASSWORD)


def test_an_invited_user_shows_as_invited_until_they_set_their_password(
    app, admin_client, people, db
):
    admin_client.post("/admin/users/new", data=user_form(people))
    user = accounts.find_user_by_email("priya.shah@example.org")
    row = _row(admin_client.get("/admin/users").get_data(as_text=True), "Priya Shah")
    assert "Invited" in row
    assert f'action="/admin/users/{user.id}/invitation"' in row
    assert "Resend invitation" in row
    assert "Resend invitation" not in _row(
        admin_client.get("/admin/users").get_data(as_text=True), "Grace Mensah"
    )

    token = links.issue(people.admin, user, LinkPurpose.INVITATION)
    link = links.usable_link(token, LinkPurpose.INVITATION, production=False)
    links.set_password(link, NEW_PASSWORD)
    row = _row(admin_client.get("/admin/users").get_data(as_text=True), "Priya Shah")
    assert "Invited" not in row and "Active" in row and "Resend invitation" not in row


def _row(page: str, name: str) -> str:
    rows = page.split('<tr class="govuk-table__row">')[1:]
    [row] = [row for row in rows if name in row]
    return row


def test_nobody_can_sign_in_as_an_invited_user_before_they_set_a_password(admin_client, people, db):
    admin_client.post("/admin/users/new", data=user_form(people))
    user = accounts.find_user_by_email("priya.shah@example.org")
    for guess in ("", NEW_PASSWORD, factories.PASSWORD):
        assert not verify_password(user.password_hash, guess)


def test_resending_an_invitation_voids_the_earlier_one(
    app, admin_client, people, db, mail_app_config
):
    admin_client.post("/admin/users/new", data=user_form(people))
    user = accounts.find_user_by_email("priya.shah@example.org")
    response = admin_client.post(f"/admin/users/{user.id}/invitation")
    assert response.status_code == 302
    first, second = mail_app_config.messages
    client = app.test_client()
    assert "This link has expired" in client.get(link_in(first)).get_data(as_text=True)
    assert client.get(link_in(second)).status_code == 200
    assert len(events(db, AuditAction.INVITATION_SENT, user)) == 2
    assert "A new invitation is on its way to Priya Shah" in (
        admin_client.get("/admin/users").get_data(as_text=True)
    )


def test_there_is_no_invitation_to_resend_once_accepted(admin_client, people, db, mail_app_config):
    response = admin_client.post(f"/admin/users/{people.member.id}/invitation")
    assert response.status_code == 302
    assert mail_app_config.messages == []
    assert "There is no invitation to resend to Grace Mensah" in (
        admin_client.get("/admin/users").get_data(as_text=True)
    )


def test_an_invitation_the_mail_server_cannot_take_waits_and_goes_later(
    app, admin_client, people, db, monkeypatch, smtp_server
):
    point_app_at(app, SMTPServer(host="127.0.0.1", port=closed_port()), monkeypatch)
    response = admin_client.post("/admin/users/new", data=user_form(people))
    assert response.status_code == 302
    user = accounts.find_user_by_email("priya.shah@example.org")
    assert links.is_invited(user)
    page = admin_client.get("/admin/users").get_data(as_text=True)
    assert "We will email priya.shah@example.org a link to set their password" in page
    [waiting] = db.session.scalars(db.select(OutboxMessage)).all()
    assert waiting.status is OutboxStatus.PENDING and waiting.attempts == 1

    point_app_at(app, smtp_server, monkeypatch)  # the server is back
    result = app.test_cli_runner().invoke(args=["send-outbox"])
    assert result.exit_code == 0, result.output
    [message] = smtp_server.messages
    assert message.envelope_to == ["priya.shah@example.org"]
    assert message["Subject"] == "You have been invited to Panel"
    assert db.session.scalars(db.select(OutboxMessage)).all() == []


def test_the_organisation_is_typed_by_name_not_chosen_from_every_organisation(
    admin_client, people, db
):
    """Nationally there are thousands of organisations: the form has a text field for the name,
    filled in with the account's own, and lists none of the others."""
    for number in range(30):
        factories.organisation(f"Community Trust {number}")
    page = admin_client.get(f"/admin/users/{people.member.id}/edit").get_data(as_text=True)
    assert 'name="organisation" type="text"' in page
    assert 'value="Coventry Homes Partnership"' in page
    assert "Community Trust" not in page
    assert "<option" not in page[page.index('name="organisation"') - 500 :]


def test_a_very_long_organisation_name_is_refused_beside_the_field_not_with_an_error(
    admin_client, people
):
    # Two thousand words, each looked for in organisations' names, were once two thousand
    # conditions in one query: SQLite refused so deep an expression, and the page was a 500.
    name = " ".join(f"w{number}" for number in range(2000))
    response = admin_client.post("/admin/users/new", data=user_form(people, organisation=name))
    assert response.status_code == 200
    assert "Organisation must be 200 characters or fewer" in response.get_data(as_text=True)


def test_admin_changes_a_user_and_the_change_is_audited(admin_client, people, db):
    member = people.member
    response = admin_client.post(
        f"/admin/users/{member.id}/edit",
        data=edit_form(
            member,
            full_name="Grace Mensah-Adjei",
            organisation=people.chair.organisation.name.upper(),
            is_admin="y",
        ),
    )
    assert response.status_code == 302
    db.session.refresh(member)
    assert member.full_name == "Grace Mensah-Adjei"
    assert member.is_admin
    assert user_changes(db, member)[-1].changes == {
        "full_name": ["Grace Mensah", "Grace Mensah-Adjei"],
        "organisation": ["Coventry Homes Partnership", "West Midlands Police, Coventry NPU"],
        "is_admin": [False, True],
    }


def test_email_must_be_unique(admin_client, people):
    page = admin_client.post(
        "/admin/users/new", data=user_form(people, email="MEMBER@example.org")
    ).get_data(as_text=True)
    assert "An account with this email address already exists" in page
    page = admin_client.post(
        f"/admin/users/{people.chair.id}/edit",
        data=edit_form(people.chair, email="member@example.org"),
    ).get_data(as_text=True)
    assert "An account with this email address already exists" in page


def test_email_must_look_like_an_email_address(admin_client, people):
    page = admin_client.post(
        "/admin/users/new", data=user_form(people, email="priya at example")
    ).get_data(as_text=True)
    assert "Enter an email address in the correct format, like name@example.com" in page


def test_empty_user_form_shows_the_error_summary(admin_client, people):
    response = admin_client.post("/admin/users/new", data={})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in page
    for message in (
        "Enter the full name",
        "Enter an email address",
        "Enter the name of their organisation",
    ):
        assert message in page


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"full_name": "a" * 10_000}, "Full name must be 120 characters or fewer"),
        ({"job_title": "a" * 10_000}, "Job title (optional) must be 120 characters or fewer"),
        (
            {"organisation": "Coventry Homes"},
            "No organisation is called ‘Coventry Homes’. Did you mean Coventry Homes Partnership?",
        ),
        (
            {"organisation": "Nowhere Trust"},
            "No organisation is called ‘Nowhere Trust’: check its name, or add the organisation",
        ),
    ],
)
def test_bad_user_details_are_clear_errors(admin_client, people, overrides, message):
    response = admin_client.post("/admin/users/new", data=user_form(people, **overrides))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)


def test_admin_cannot_deactivate_themselves_or_remove_their_own_admin_access(
    admin_client, people, db
):
    admin = people.admin
    page = admin_client.post(
        f"/admin/users/{admin.id}/edit", data=edit_form(admin, active="", is_admin="")
    ).get_data(as_text=True)
    assert "You cannot deactivate your own account" in page
    assert "You cannot remove your own administrator access" in page
    db.session.refresh(admin)
    assert admin.active and admin.is_admin


def test_the_service_refuses_an_admin_deactivating_themselves(people):
    with pytest.raises(ValueError):
        accounts.update_user(people.admin, people.admin, active=False)


def test_deactivated_user_is_signed_out_and_cannot_sign_in_again(app, admin_client, people, db):
    member_client = app.test_client()
    sign_in(member_client, people.member)
    assert member_client.get("/").status_code == 200

    response = admin_client.post(
        f"/admin/users/{people.member.id}/edit", data=edit_form(people.member, active="")
    )
    assert response.status_code == 302
    assert member_client.get("/").status_code == 302  # sent to sign in
    refused = member_client.post(
        "/sign-in", data={"email": people.member.email, "password": factories.PASSWORD}
    )
    assert "Enter a correct email address and password" in refused.get_data(as_text=True)
    assert user_changes(db, people.member)[-1].changes["active"] == [True, False]


def test_admin_sends_a_password_reset_link_and_chooses_no_password(
    app, admin_client, people, db, mail_app_config
):
    member = people.member
    member_client = app.test_client()
    sign_in(member_client, member)
    page = admin_client.get(f"/admin/users/{member.id}/password").get_data(as_text=True)
    assert "Send a password reset link" in page and 'type="password"' not in page

    response = admin_client.post(f"/admin/users/{member.id}/password")
    assert response.status_code == 302
    [sent] = events(db, AuditAction.RESET_LINK_SENT, member)
    assert sent.actor_id == people.admin.id
    [message] = mail_app_config.messages
    assert message.envelope_to == ["member@example.org"]
    reset = link_in(message)
    assert reset.startswith("/reset-password/")
    # Nothing changes until the person uses the link.
    db.session.refresh(member)
    assert verify_password(member.password_hash, factories.PASSWORD)
    assert member_client.get("/").status_code == 200

    app.test_client().post(reset, data={"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert member_client.get("/").status_code == 302  # every session has ended
    sign_in(app.test_client(), member, NEW_PASSWORD)


def test_no_reset_link_for_a_deactivated_account(admin_client, people, db, mail_app_config):
    gone = factories.user(email="gone@example.org", full_name="Alex Gone", active=False)
    page = admin_client.get(f"/admin/users/{gone.id}/password").get_data(as_text=True)
    assert "account is not active" in page
    admin_client.post(f"/admin/users/{gone.id}/password")
    assert mail_app_config.messages == []


def test_users_list_runs_the_same_queries_for_3_and_30_users(
    admin_client, people, db, count_queries
):
    def queries_for_users_page() -> int:
        with count_queries() as statements:
            assert admin_client.get("/admin/users").status_code == 200
        return len(statements)

    few = queries_for_users_page()
    for _ in range(30):
        factories.user()  # each in an organisation of their own
    assert queries_for_users_page() == few


def test_the_admin_sees_failed_email_and_sends_it_again(
    app, admin_client, people, db, monkeypatch, smtp_server
):
    point_app_at(app, SMTPServer(host="127.0.0.1", port=closed_port()), monkeypatch)
    monkeypatch.setitem(app.config, "JOBS_RETRY_INTERVALS", [])  # one attempt, then failed
    admin_client.post("/admin/users/new", data=user_form(people))
    admin_client.get("/admin/users")  # where the answer's message is shown
    page = admin_client.get("/admin/email").get_data(as_text=True)
    assert "the invitation for user" in page and "Connection refused" in page
    assert "priya.shah@example.org" not in page.split("<main")[1]  # only what it is about

    point_app_at(app, smtp_server, monkeypatch)
    response = admin_client.post("/admin/email/retry")
    assert response.status_code == 302
    [message] = smtp_server.messages
    assert message["Subject"] == "You have been invited to Panel"
    assert "No e-mail has failed." in admin_client.get("/admin/email").get_data(as_text=True)
