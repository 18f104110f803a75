"""Admins add users, change their details, reset passwords and deactivate accounts."""

import pytest

from panel.accounts import services as accounts
from panel.accounts.models import User
from panel.audit import AuditAction, AuditEvent
from tests import factories
from tests.conftest import sign_in

NEW_PASSWORD = "a long enough new password"


def user_form(people, **overrides) -> dict:
    data = {
        "full_name": "Priya Shah",
        "email": "Priya.Shah@example.org",
        "job_title": "Hate crime caseworker",
        "organisation_id": str(people.member.organisation.id),
        "password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD,
    }
    return {**data, **overrides}


def edit_form(user: User, **overrides) -> dict:
    data = {
        "full_name": user.full_name,
        "email": user.email,
        "job_title": user.job_title or "",
        "organisation_id": str(user.organisation_id),
        "active": "y" if user.active else "",
        "is_admin": "y" if user.is_admin else "",
    }
    return {key: value for key, value in {**data, **overrides}.items() if value}


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
    assert "Alex Gone" in page
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


def test_admin_creates_a_user_who_can_then_sign_in(app, admin_client, people, db):
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
    sign_in(app.test_client(), user, NEW_PASSWORD)


def test_admin_changes_a_user_and_the_change_is_audited(admin_client, people, db):
    member = people.member
    response = admin_client.post(
        f"/admin/users/{member.id}/edit",
        data=edit_form(
            member,
            full_name="Grace Mensah-Adjei",
            organisation_id=str(people.chair.organisation_id),
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
        "Select an organisation",
        "Enter a password",
        "Confirm the password",
    ):
        assert message in page


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"full_name": "a" * 10_000}, "Full name must be 120 characters or fewer"),
        ({"job_title": "a" * 10_000}, "Job title (optional) must be 120 characters or fewer"),
        ({"organisation_id": "999999"}, "Select an organisation"),
        ({"organisation_id": "not a number"}, "Select an organisation"),
        ({"confirm_password": "something else"}, "Passwords must match"),
        ({"password": "short", "confirm_password": "short"}, "Password must be between 12"),
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


def test_admin_resets_a_password_which_ends_the_users_sessions(app, admin_client, people, db):
    member_client = app.test_client()
    sign_in(member_client, people.member)
    response = admin_client.post(
        f"/admin/users/{people.member.id}/password",
        data={"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert member_client.get("/").status_code == 302
    sign_in(app.test_client(), people.member, NEW_PASSWORD)
    changes = user_changes(db, people.member)[-1].changes
    assert changes["password_hash"] == ["(hidden)", "(changed)"]


def test_admin_resetting_their_own_password_stays_signed_in(admin_client, people):
    admin_client.post(
        f"/admin/users/{people.admin.id}/password",
        data={"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
    )
    assert admin_client.get("/admin/users").status_code == 200


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
