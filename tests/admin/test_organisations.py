"""Admins add and change organisations; names are unique whatever their case."""

from panel.accounts.models import Organisation, OrganisationKind
from panel.core.audit import AuditAction, AuditEvent
from tests import factories


def latest_event(db, obj_type: str) -> AuditEvent:
    return db.session.scalars(
        db.select(AuditEvent)
        .where(AuditEvent.object_type == obj_type)
        .order_by(AuditEvent.id.desc())
    ).first()


def test_organisations_list_shows_kind_and_number_of_users(admin_client, people):
    page = admin_client.get("/admin/organisations").get_data(as_text=True)
    assert "West Midlands Police, Coventry NPU" in page
    assert "Charity" in page
    assert (
        f'href="/admin/organisations/{people.chair.organisation.id}/edit">Edit'
        '<span class="govuk-visually-hidden"> West Midlands Police, Coventry NPU</span>' in page
    )
    # Two police users sit on the people fixture's panel.
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">2</td>' in page


def test_admin_adds_an_organisation(admin_client, people, db):
    response = admin_client.post(
        "/admin/organisations/new", data={"name": " Tell MAMA ", "kind": "charity"}
    )
    assert response.status_code == 302
    assert response.location == "/admin/organisations"
    organisation = db.session.scalars(
        db.select(Organisation).where(Organisation.name == "Tell MAMA")
    ).one()
    assert organisation.kind is OrganisationKind.CHARITY
    event = latest_event(db, "organisation")
    assert event.action is AuditAction.CREATE
    assert event.actor_id == people.admin.id
    assert event.changes == {"name": "Tell MAMA", "kind": "charity"}
    assert "Tell MAMA has been added." in admin_client.get(response.location).get_data(as_text=True)


def test_admin_changes_an_organisation(admin_client, people, db):
    organisation = people.member.organisation
    form = admin_client.get(f"/admin/organisations/{organisation.id}/edit").get_data(as_text=True)
    assert 'value="Coventry Homes Partnership"' in form

    response = admin_client.post(
        f"/admin/organisations/{organisation.id}/edit",
        data={"name": "Coventry Homes", "kind": "housing_provider"},
    )
    assert response.status_code == 302
    db.session.refresh(organisation)
    assert organisation.name == "Coventry Homes"
    assert organisation.kind is OrganisationKind.HOUSING_PROVIDER
    assert latest_event(db, "organisation").changes == {
        "name": ["Coventry Homes Partnership", "Coventry Homes"],
        "kind": ["charity", "housing_provider"],
    }


def test_organisation_name_must_be_unique_whatever_its_case(admin_client, people, db):
    response = admin_client.post(
        "/admin/organisations/new",
        data={"name": "coventry homes partnership", "kind": "charity"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "An organisation with this name already exists" in page


def test_organisation_keeps_its_own_name_when_edited(admin_client, people, db):
    organisation = people.member.organisation
    response = admin_client.post(
        f"/admin/organisations/{organisation.id}/edit",
        data={"name": organisation.name, "kind": "housing_provider"},
    )
    assert response.status_code == 302


def test_empty_organisation_form_shows_each_error(admin_client, people):
    response = admin_client.post("/admin/organisations/new", data={})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: Add an organisation" in page
    assert "There is a problem" in page
    assert "Enter the organisation name" in page
    assert "Select the type of organisation" in page
    assert 'href="#name"' in page and 'href="#kind"' in page


def test_ten_thousand_character_name_and_unknown_kind_are_clear_errors(admin_client, people):
    response = admin_client.post(
        "/admin/organisations/new", data={"name": "a" * 10_000, "kind": "secret_service"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Name must be 200 characters or fewer" in page
    assert "Select the type of organisation" in page


def test_unknown_organisation_is_not_found(admin_client, people):
    assert admin_client.get("/admin/organisations/999999/edit").status_code == 404


def test_organisations_are_listed_by_name(admin_client, db, people):
    factories.organisation("aardvark trust")
    page = admin_client.get("/admin/organisations").get_data(as_text=True)
    assert page.index("aardvark trust") < page.index("Coventry Community Voices")
