"""Admins read the audit trail, newest first, and narrow it by action, actor or object."""

from panel.accounts import services as accounts
from panel.audit import AuditAction
from panel.panels import services as panels
from panel.panels.models import Role
from tests.conftest import sign_in


def cell(text: str) -> str:
    return f'<td class="govuk-table__cell">{text}</td>'


def test_audit_trail_shows_who_did_what_to_which_object_newest_first(admin_client, people, db):
    accounts.update_user(people.admin, people.member, full_name="Grace Mensah-Adjei")
    panels.change_role(people.admin, people.panel.memberships[0], Role.COORDINATOR)
    page = admin_client.get("/admin/audit-trail").get_data(as_text=True)

    assert "User account: member@example.org" in page
    assert "Full name: Grace Mensah to Grace Mensah-Adjei" in page
    assert "Membership: chair@example.org on Coventry Hate Crime Panel" in page
    assert "Role: chair to coordinator" in page
    assert cell("admin@example.org") in page
    assert cell("Changed") in page
    # Newest first: the admin signed in before making both changes.
    assert (
        page.index("Role: chair to coordinator")
        < page.index("Full name: Grace Mensah")
        < page.index(cell("Signed in"))
    )


def test_audit_trail_hides_secret_values(admin_client, people):
    accounts.update_user(people.admin, people.member, password="a new password for grace")
    page = admin_client.get("/admin/audit-trail").get_data(as_text=True)
    assert "Password: (hidden) to (changed)" in page
    assert "argon2" not in page


def test_audit_trail_filters_by_action(admin_client, people):
    panels.change_role(people.admin, people.panel.memberships[0], Role.COORDINATOR)
    page = admin_client.get(
        "/admin/audit-trail", query_string={"action": AuditAction.UPDATE.value}
    ).get_data(as_text=True)
    assert "Role: chair to coordinator" in page
    assert cell("Signed in") not in page
    assert '<option value="update" selected>' in page


def test_audit_trail_filters_by_actor_or_object_text(admin_client, people, app):
    sign_in(app.test_client(), people.reader)
    by_actor = admin_client.get("/admin/audit-trail", query_string={"q": "READER@"})
    assert cell("reader@example.org") in by_actor.get_data(as_text=True)
    assert cell("admin@example.org") not in by_actor.get_data(as_text=True)
    none = admin_client.get("/admin/audit-trail", query_string={"q": "nobody"})
    assert "No events match." in none.get_data(as_text=True)


def test_unknown_action_filter_shows_every_action(admin_client, people):
    response = admin_client.get("/admin/audit-trail", query_string={"action": "explode"})
    assert response.status_code == 200
    assert cell("Signed in") in response.get_data(as_text=True)


def test_ten_thousand_character_filter_is_a_clear_error(admin_client, people):
    response = admin_client.get("/admin/audit-trail", query_string={"q": "a" * 10_000})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Actor email or object must be 254 characters or fewer" in page
