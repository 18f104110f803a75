"""A partner updates only what their own organisation owns. Another organisation's intervention
is read-only for them (one picture per live case: they see it, and are refused a change with a
403), and no field of a form (ids, the hidden version, where to go next) can change it. Readers
and outsiders see none (404); the chair and coordinator update any."""

from __future__ import annotations

from datetime import timedelta

import pytest

from panel.access import NotAllowed
from panel.core.audit import AuditEvent
from panel.core.time import uk_today
from panel.extensions import db
from panel.interventions import services
from panel.interventions.models import Intervention, InterventionUpdate
from panel.interventions.vocabularies import InterventionStatus
from tests import factories
from tests.conftest import sign_in
from tests.interventions.conftest import agreed, date_fields

S = InterventionStatus


@pytest.fixture
def two(partners):
    """One intervention for the housing provider (the `member`), one for the LGBT+ centre."""
    due = uk_today() + timedelta(days=21)
    coordinator, panel, case = partners.people.coordinator, partners.panel, partners.live_case
    housing = agreed(coordinator, panel, partners.housing, due=due, live_case=case)
    centre = agreed(
        coordinator,
        panel,
        partners.centre,
        due=due,
        live_case=case,
        description="Referral to the centre's support group.",
    )
    return housing, centre


def _untouched(intervention_id: int) -> bool:
    db.session.expire_all()
    stored = db.session.get(Intervention, intervention_id)
    updates = db.session.scalar(
        db.select(db.func.count(InterventionUpdate.id)).where(
            InterventionUpdate.intervention_id == intervention_id
        )
    )
    return (stored.status, stored.version, updates) == (S.AGREED, 1, 1)


def _reassign_data(partners) -> dict:
    return {
        "owner_organisation_id": str(partners.housing.id),
        "lead_id": "",
        **date_fields("due_date", uk_today() + timedelta(days=30)),
        "version": "1",
    }


def test_a_partner_reads_but_cannot_update_or_reassign_another_organisations_intervention(
    client, partners, two
):
    housing, centre = two
    sign_in(client, partners.people.member)
    assert client.get(f"/interventions/{housing.id}").status_code == 200
    page = client.get(f"/interventions/{centre.id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "support group" in text
    assert "Add an update" not in text and 'action="/interventions/' not in text
    assert "only its people on the panel, the chair and the coordinator update it" in text
    assert client.get("/interventions/999999").status_code == 404
    update = client.post(
        f"/interventions/{centre.id}/update",
        data={"status": "in_progress", "text": "Taken over.", "version": "1"},
    )
    assert update.status_code == 403
    assert client.get(f"/interventions/{centre.id}/reassign").status_code == 403
    reassign = client.post(f"/interventions/{centre.id}/reassign", data=_reassign_data(partners))
    assert reassign.status_code == 403
    assert _untouched(centre.id)


def test_another_organisations_intervention_is_listed_but_not_among_a_partners_own(
    client, partners, two
):
    housing, centre = two
    sign_in(client, partners.people.member)
    listed = client.get(f"/panels/{partners.panel.id}/interventions").get_data(as_text=True)
    assert f"/interventions/{housing.id}" in listed
    assert f"/interventions/{centre.id}" in listed
    mine = client.get("/interventions").get_data(as_text=True)
    assert f"/interventions/{centre.id}" not in mine


def test_form_tampering_never_changes_another_organisations_intervention(client, partners, two):
    housing, centre = two
    sign_in(client, partners.people.member)
    # The other intervention's id, in every field name a form might be read from.
    response = client.post(
        f"/interventions/{housing.id}/update",
        data={
            "status": "in_progress",
            "text": "Letter sent.",
            "version": "1",
            "intervention_id": str(centre.id),
            "id": str(centre.id),
            "owner_organisation_id": str(partners.housing.id),
        },
    )
    assert response.status_code == 302
    assert _untouched(centre.id)
    db.session.expire_all()
    assert db.session.get(Intervention, housing.id).status == S.IN_PROGRESS


@pytest.mark.parametrize("version", ["2", "0", "-1", "abc", "", None])
def test_a_changed_or_missing_hidden_version_saves_nothing(client, partners, two, version):
    housing, _centre = two
    sign_in(client, partners.people.member)
    data = {"status": "in_progress", "text": "Letter sent."}
    if version is not None:
        data["version"] = version
    response = client.post(f"/interventions/{housing.id}/update", data=data)
    assert response.status_code == 200
    assert "Someone else saved a change to this intervention" in response.get_data(as_text=True)
    assert _untouched(housing.id)


def test_the_other_organisations_version_does_not_open_its_intervention(client, partners, two):
    _housing, centre = two
    sign_in(client, partners.people.member)
    response = client.post(
        f"/interventions/{centre.id}/update",
        data={"status": "cancelled", "text": "Not needed.", "version": str(centre.version)},
    )
    assert response.status_code == 403
    assert _untouched(centre.id)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example"])
def test_the_return_address_after_an_update_stays_on_panel(client, partners, two, target):
    housing, _centre = two
    sign_in(client, partners.people.member)
    response = client.post(
        f"/interventions/{housing.id}/update",
        data={"status": "in_progress", "text": "", "version": "1", "next": target},
    )
    assert response.status_code == 302
    assert response.location == "/"


def test_a_partner_cannot_reassign_even_their_own(client, partners, two):
    housing, _centre = two
    sign_in(client, partners.people.member)
    assert client.get(f"/interventions/{housing.id}/reassign").status_code == 403
    data = {**_reassign_data(partners), "owner_organisation_id": str(partners.centre.id)}
    assert client.post(f"/interventions/{housing.id}/reassign", data=data).status_code == 403
    assert _untouched(housing.id)
    assert "Reassign" not in client.get(f"/interventions/{housing.id}").get_data(as_text=True)


@pytest.mark.parametrize("who", ["reader", "outsider", "admin"])
def test_readers_outsiders_and_admins_see_no_intervention(client, partners, two, who):
    housing, _centre = two
    sign_in(client, getattr(partners.people, who))
    assert client.get(f"/interventions/{housing.id}").status_code == 404
    update = client.post(
        f"/interventions/{housing.id}/update", data={"text": "Hello.", "version": "1"}
    )
    assert update.status_code == 404
    assert client.get(f"/interventions/{housing.id}/reassign").status_code == 404
    # Across panels: the admin and the outsider are on none (403); a reader is not told of it.
    assert client.get("/interventions").status_code == (404 if who == "reader" else 403)
    assert client.get(f"/panels/{partners.panel.id}/interventions").status_code == 404
    assert client.get(f"/panels/{partners.panel.id}/interventions.csv").status_code == 404
    assert _untouched(housing.id)


def test_a_colleague_who_is_not_on_the_panel_cannot_see_their_organisations_intervention(
    client, partners, two
):
    housing, _centre = two
    colleague = factories.user(email="colleague@example.org", organisation_=partners.housing)
    sign_in(client, colleague)
    assert client.get(f"/interventions/{housing.id}").status_code == 404


def test_the_chair_and_coordinator_update_any_intervention(client, partners, two):
    housing, centre = two
    for organiser, intervention in [
        (partners.people.chair, centre),
        (partners.people.coordinator, housing),
    ]:
        sign_in(client, organiser)
        response = client.post(
            f"/interventions/{intervention.id}/update",
            data={"status": "in_progress", "text": "Chased at the panel.", "version": "1"},
        )
        assert response.status_code == 302
        client.post("/sign-out")
        db.session.expire_all()
        last = db.session.get(Intervention, intervention.id).updates[-1]
        assert (last.author_id, last.author_organisation_id) == (organiser.id, partners.police.id)


def _audit_events() -> int:
    return db.session.scalar(db.select(db.func.count(AuditEvent.id)))


def test_the_service_refuses_a_partner_updating_another_organisations_intervention(partners, two):
    # A command, another service or a tampered request gets the same answer as the page.
    _housing, centre = two
    events = _audit_events()
    with pytest.raises(NotAllowed):
        services.update_intervention(
            partners.people.member, centre, status=S.CANCELLED, text="Not needed.", version=1
        )
    assert _untouched(centre.id)
    assert _audit_events() == events


def test_the_service_refuses_a_partner_reassigning_or_amending_even_their_own(partners, two):
    housing, _centre = two
    member, due = partners.people.member, uk_today() + timedelta(days=60)
    events = _audit_events()
    with pytest.raises(NotAllowed):
        services.reassign_intervention(
            member, housing, owner=partners.centre, lead=None, due_date=due, version=1
        )
    with pytest.raises(NotAllowed):
        services.amend_intervention(
            member,
            housing,
            type=housing.type,
            description="Something else entirely.",
            due_date=due,
            version=1,
        )
    assert _untouched(housing.id)
    db.session.refresh(housing)
    assert housing.owner_organisation_id == partners.housing.id
    assert housing.description != "Something else entirely."
    assert _audit_events() == events
