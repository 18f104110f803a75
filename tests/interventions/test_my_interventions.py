"""A partner's own list: their organisation's open interventions on every local panel they sit
on, grouped by how soon they are due, each with a one-step update that comes back to the list."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from panel.core.time import uk_today
from panel.extensions import db
from panel.interventions import services
from panel.interventions.models import Intervention
from panel.interventions.queries import organisation_interventions
from panel.interventions.vocabularies import InterventionStatus
from panel.panels.models import PanelKind, Role
from tests import factories
from tests.conftest import sign_in
from tests.interventions.conftest import agreed, live_case, local_for_now
from tests.querycount import count_queries

S = InterventionStatus
TODAY = date(2031, 3, 12)


@pytest.fixture
def warwickshire(partners):
    """A second local panel with the housing member on it, and a scrutiny panel too."""
    panel = factories.panel("Warwickshire Hate Crime Panel", PanelKind.LOCAL_HATE_CRIME_PANEL)
    factories.membership(panel, partners.people.coordinator, Role.COORDINATOR)
    factories.membership(panel, partners.people.member, Role.MEMBER)
    return panel


def _due(partners, panel, owner, days: int, today: date = TODAY, **kwargs) -> Intervention:
    return agreed(
        partners.people.coordinator, panel, owner, due=today + timedelta(days=days), **kwargs
    )


def _ids(interventions) -> list[int]:
    return [i.id for i in interventions]


def test_open_interventions_are_grouped_by_due_date_against_a_fixed_today(
    app, partners, warwickshire
):
    housing, panel = partners.housing, partners.panel
    yesterday = _due(partners, panel, housing, -1)
    today = _due(partners, warwickshire, housing, 0)
    last_soon = _due(partners, panel, housing, 14)
    first_later = _due(partners, warwickshire, housing, 15)
    started = _due(partners, panel, housing, 3)
    services.update_intervention(
        partners.people.member, started, status=S.IN_PROGRESS, text=None, version=1
    )
    # Left out: finished, another organisation's, and a panel that is not a local one.
    for status in (S.COMPLETED, S.NOT_COMPLETED, S.CANCELLED):
        done = _due(partners, panel, housing, 2)
        services.update_intervention(
            partners.people.member, done, status=status, text="Ended.", version=1
        )
    _due(partners, panel, partners.centre, 2)
    scrutiny = factories.panel("Scrutiny Panel", PanelKind.SCRUTINY_PANEL)
    factories.membership(scrutiny, partners.people.member, Role.MEMBER)
    # Its organiser agrees it (the service agrees interventions for a panel's organisers, on
    # local panels only: this one was local then).
    factories.membership(scrutiny, partners.people.coordinator, Role.COORDINATOR)
    with local_for_now(scrutiny):
        _due(partners, scrutiny, housing, 2)

    groups = organisation_interventions(partners.people.member, TODAY)
    assert _ids(groups.overdue) == [yesterday.id]
    assert _ids(groups.due_soon) == [today.id, started.id, last_soon.id]
    assert _ids(groups.later) == [first_later.id]


def test_the_chair_sees_what_their_own_organisation_owns_not_the_whole_panel(app, partners):
    _due(partners, partners.panel, partners.housing, 3)
    police = _due(partners, partners.panel, partners.police, 3, place="Hillfields")
    groups = organisation_interventions(partners.people.chair, TODAY)
    assert _ids(groups.all) == [police.id]


def test_someone_on_no_panel_has_none(app, partners):
    assert not organisation_interventions(partners.people.outsider, TODAY)


def test_the_page_shows_the_groups_with_live_case_type_due_status_and_lead(
    client, partners, warwickshire
):
    today = uk_today()
    member = partners.people.member
    overdue = _due(
        partners,
        partners.panel,
        partners.housing,
        -3,
        today,
        lead=member,
        live_case=partners.live_case,
    )
    elsewhere = _due(
        partners,
        warwickshire,
        partners.housing,
        30,
        today,
        live_case=live_case(partners.people.coordinator, warwickshire),
    )
    sign_in(client, member)
    page = client.get("/interventions").get_data(as_text=True)
    assert "Your organisation’s interventions" in page
    assert "Overdue (1)" in page and "Later (1)" in page and "Due within 14 days" not in page
    assert page.index("Overdue (1)") < page.index(f'id="intervention-{overdue.id}"')
    card = page[page.index(f'id="intervention-{overdue.id}"') : page.index("Later (1)")]
    assert "Coventry Hate Crime Panel" in card
    assert partners.live_case.reference in card
    assert "Referral to a support group or specialist service" in card
    assert "Grace Mensah" in card and "Overdue" in card
    assert "Warwickshire Hate Crime Panel" in page[page.index("Later (1)") :]
    assert elsewhere.live_case.reference in page


def test_the_inline_update_saves_and_returns_to_the_list(client, partners):
    due_soon = _due(partners, partners.panel, partners.housing, 5, uk_today())
    sign_in(client, partners.people.member)
    page = client.get("/interventions").get_data(as_text=True)
    assert f'action="/interventions/{due_soon.id}/update"' in page
    assert 'name="next" type="hidden" value="/interventions"' in page
    response = client.post(
        f"/interventions/{due_soon.id}/update",
        data={
            "status": "in_progress",
            "text": "Appointment booked.",
            "version": "1",
            "next": "/interventions",
        },
    )
    assert response.status_code == 302
    assert response.location == "/interventions"
    page = client.get(response.location).get_data(as_text=True)
    assert "Update saved." in page
    db.session.expire_all()
    stored = db.session.get(Intervention, due_soon.id)
    assert (stored.status, stored.updates[-1].text) == (S.IN_PROGRESS, "Appointment booked.")


def test_a_refused_inline_update_keeps_the_text_and_the_way_back(client, partners):
    due_soon = _due(partners, partners.panel, partners.housing, 5, uk_today())
    sign_in(client, partners.people.member)
    response = client.post(
        f"/interventions/{due_soon.id}/update",
        data={"status": "cancelled", "text": "", "version": "1", "next": "/interventions"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Say why the intervention is cancelled in the update." in page
    assert 'value="/interventions"' in page
    done = client.post(
        f"/interventions/{due_soon.id}/update",
        data={
            "status": "cancelled",
            "text": "The victim declined.",
            "version": "1",
            "next": "/interventions",
        },
    )
    assert done.location == "/interventions"


def test_the_list_runs_a_fixed_number_of_queries(client, partners, warwickshire):
    today = uk_today()
    _due(partners, partners.panel, partners.housing, 3, today)
    sign_in(client, partners.people.member)
    client.get("/interventions")
    with count_queries() as few:
        client.get("/interventions")
    for days in (-4, 1, 9, 20, 40):
        _due(partners, warwickshire, partners.housing, days, today, lead=partners.people.member)
    with count_queries() as many:
        client.get("/interventions")
    assert len(many) == len(few)
