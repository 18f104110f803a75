"""Admins add and change panels, and manage who sits on them with which role."""

from panel.core.audit import AuditAction, AuditEvent
from panel.panels.models import Membership, Panel, PanelKind, Role
from tests import factories

PANEL_FORM = {
    "name": "Birmingham Independent Scrutiny Panel",
    "kind": "scrutiny_panel",
    "area": "Birmingham",
    "description": "Reviews finalised hate crime cases each quarter.",
}


def events_for(db, object_type: str) -> list[AuditEvent]:
    return db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.object_type == object_type).order_by(AuditEvent.id)
    ).all()


def test_panels_list_shows_kind_area_and_number_of_members(admin_client, people):
    page = admin_client.get("/admin/panels").get_data(as_text=True)
    assert f'href="/admin/panels/{people.panel.id}">Coventry Hate Crime Panel</a>' in page
    assert "Local Hate Crime Panel" in page and "Coventry" in page
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">4</td>' in page


def test_admin_adds_a_panel(admin_client, people, db):
    response = admin_client.post("/admin/panels/new", data=PANEL_FORM)
    panel = db.session.scalars(db.select(Panel).where(Panel.area == "Birmingham")).one()
    assert response.location == f"/admin/panels/{panel.id}"
    assert panel.kind is PanelKind.SCRUTINY_PANEL
    assert panel.description == "Reviews finalised hate crime cases each quarter."
    event = events_for(db, "panel")[-1]
    assert (event.action, event.actor_id) == (AuditAction.CREATE, people.admin.id)
    assert event.changes["name"] == "Birmingham Independent Scrutiny Panel"
    page = admin_client.get(response.location).get_data(as_text=True)
    assert "Birmingham Independent Scrutiny Panel has been added." in page
    assert "Nobody sits on this panel yet." in page


def test_admin_changes_a_panel(admin_client, people, db):
    panel = people.panel
    form = admin_client.get(f"/admin/panels/{panel.id}/edit").get_data(as_text=True)
    assert 'value="Coventry Hate Crime Panel"' in form
    response = admin_client.post(
        f"/admin/panels/{panel.id}/edit",
        data={**PANEL_FORM, "name": "Coventry Hate Crime Partnership", "area": "Coventry"},
    )
    assert response.status_code == 302
    db.session.refresh(panel)
    assert panel.name == "Coventry Hate Crime Partnership"
    assert events_for(db, "panel")[-1].changes == {
        "name": ["Coventry Hate Crime Panel", "Coventry Hate Crime Partnership"],
        "kind": ["local_hate_crime_panel", "scrutiny_panel"],
        "description": [None, "Reviews finalised hate crime cases each quarter."],
    }


def test_panel_name_must_be_unique(admin_client, people):
    page = admin_client.post(
        "/admin/panels/new", data={**PANEL_FORM, "name": "coventry hate crime panel"}
    ).get_data(as_text=True)
    assert "A panel with this name already exists" in page


def test_bad_panel_form_shows_the_error_summary(admin_client, people):
    empty = admin_client.post("/admin/panels/new", data={})
    assert empty.status_code == 200
    page = empty.get_data(as_text=True)
    for message in ("Enter the panel name", "Select the kind of panel", "Enter the area"):
        assert message in page
    long = admin_client.post(
        "/admin/panels/new",
        data={**PANEL_FORM, "name": "a" * 10_000, "kind": "book_club", "description": "a" * 10_000},
    )
    assert long.status_code == 200
    page = long.get_data(as_text=True)
    assert "There is a problem" in page
    assert "Name must be 200 characters or fewer" in page
    assert "Select the kind of panel" in page
    assert "Description must be 5000 characters or fewer" in page


def test_panel_page_lists_members_with_organisation_and_role(admin_client, people):
    page = admin_client.get(f"/admin/panels/{people.panel.id}").get_data(as_text=True)
    assert "Grace Mensah" in page and "Coventry Homes Partnership" in page and "Chair" in page
    assert 'Change role<span class="govuk-visually-hidden"> for Grace Mensah</span>' in page


def test_add_member_offers_only_active_people_not_on_the_panel(admin_client, people, db):
    factories.user(full_name="Former Officer", active=False)
    page = admin_client.get(f"/admin/panels/{people.panel.id}/members/new").get_data(as_text=True)
    assert "Nina Patel" in page  # the outsider
    assert "Grace Mensah" not in page
    assert "Former Officer" not in page


def test_add_member_finds_people_by_name_or_email_twenty_at_a_time(admin_client, people, db):
    """Nationally there are 20,000 people: the page offers the newest accounts, or those a
    search finds, never everyone."""
    for number in range(30):
        factories.user(email=f"volunteer{number}@example.org", full_name=f"Volunteer {number:02d}")
    url = f"/admin/panels/{people.panel.id}/members/new"
    newest = admin_client.get(url).get_data(as_text=True)
    assert "Volunteer 29" in newest and "Nina Patel" not in newest
    assert "Showing the 20 newest of 32 people who could join" in newest

    found = admin_client.get(url, query_string={"q": "PATEL"}).get_data(as_text=True)
    assert "Nina Patel" in found and "Volunteer" not in found
    assert "1 person matches ‘PATEL’." in found

    by_email = admin_client.get(url, query_string={"q": "volunteer2"}).get_data(as_text=True)
    assert "Showing" not in by_email and "11 people match ‘volunteer2’." in by_email
    none = admin_client.get(url, query_string={"q": "Grace"}).get_data(as_text=True)
    assert "Nobody who could join matches ‘Grace’." in none  # already on the panel


def test_admin_adds_a_member(admin_client, people, db):
    response = admin_client.post(
        f"/admin/panels/{people.panel.id}/members/new",
        data={"user_id": str(people.outsider.id), "role": "member"},
    )
    assert response.location == f"/admin/panels/{people.panel.id}"
    membership = db.session.scalars(
        db.select(Membership).where(Membership.user_id == people.outsider.id)
    ).one()
    assert membership.role is Role.MEMBER
    event = events_for(db, "membership")[-1]
    assert event.action is AuditAction.CREATE
    assert event.changes == {
        "panel": "Coventry Hate Crime Panel",
        "user": "outsider@example.org",
        "role": "member",
    }
    assert "Nina Patel has been added as Member." in admin_client.get(response.location).get_data(
        as_text=True
    )


def test_a_person_already_on_the_panel_cannot_be_added_again(admin_client, people):
    response = admin_client.post(
        f"/admin/panels/{people.panel.id}/members/new",
        data={"user_id": str(people.member.id), "role": "chair"},
    )
    assert response.status_code == 200
    assert "Select a person to add" in response.get_data(as_text=True)


def test_empty_add_member_form_shows_the_error_summary(admin_client, people):
    response = admin_client.post(f"/admin/panels/{people.panel.id}/members/new", data={})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Select a person to add" in page and "Select a role" in page


def membership_of(people, user) -> Membership:
    return next(m for m in people.panel.memberships if m.user_id == user.id)


def test_admin_changes_a_members_role(admin_client, people, db):
    membership = membership_of(people, people.member)
    url = f"/admin/panels/{people.panel.id}/members/{membership.id}/role"
    assert "Change Grace Mensah’s role" in admin_client.get(url).get_data(as_text=True)
    response = admin_client.post(url, data={"role": "coordinator"})
    assert response.status_code == 302
    db.session.refresh(membership)
    assert membership.role is Role.COORDINATOR
    event = events_for(db, "membership")[-1]
    assert event.action is AuditAction.UPDATE
    assert event.changes == {"role": ["member", "coordinator"]}


def test_unknown_role_is_a_clear_error(admin_client, people):
    membership = membership_of(people, people.member)
    response = admin_client.post(
        f"/admin/panels/{people.panel.id}/members/{membership.id}/role", data={"role": "king"}
    )
    assert response.status_code == 200
    assert "Select a role" in response.get_data(as_text=True)


def test_admin_removes_a_member_after_confirming(admin_client, people, db):
    # Its id, kept: the object cannot be read once its row is gone.
    membership_id = membership_of(people, people.reader).id
    url = f"/admin/panels/{people.panel.id}/members/{membership_id}/remove"
    confirm = admin_client.get(url).get_data(as_text=True)
    assert "Are you sure you want to remove Tom Whitfield from this panel?" in confirm
    assert db.session.get(Membership, membership_id) is not None

    response = admin_client.post(url)
    assert response.location == f"/admin/panels/{people.panel.id}"
    assert db.session.scalar(db.select(Membership).filter_by(id=membership_id)) is None
    event = events_for(db, "membership")[-1]
    assert event.action is AuditAction.DELETE
    assert event.object_label == "reader@example.org on Coventry Hate Crime Panel"
    assert event.changes == {"role": "reader"}
    page = admin_client.get(response.location).get_data(as_text=True)
    assert "Tom Whitfield has been removed from Coventry Hate Crime Panel." in page


def test_membership_under_another_panels_address_is_not_found(admin_client, people, db):
    other = factories.panel("Solihull Hate Crime Panel")
    membership = membership_of(people, people.member)
    for action in ("role", "remove"):
        url = f"/admin/panels/{other.id}/members/{membership.id}/{action}"
        assert admin_client.get(url).status_code == 404
        assert admin_client.post(url, data={"role": "chair"}).status_code == 404
    db.session.refresh(membership)
    assert membership.role is Role.MEMBER
