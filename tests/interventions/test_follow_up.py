"""Following interventions up: matters arising at the panel's next meeting (a partner sees only
their own organisation's), the overdue list on the chair's and coordinator's home page, and the
reminder digest."""

from __future__ import annotations

from datetime import timedelta

import pytest

from panel.cases.vocabularies import Strand
from panel.core.reminders import digests
from panel.core.time import uk_today
from panel.interventions import services
from panel.interventions.queries import overdue_for_organiser
from panel.interventions.services import InterventionDetails, LiveCaseDetails
from panel.interventions.vocabularies import InterventionStatus, RiskLevel, VictimNeed
from panel.panels.models import Role
from tests import factories
from tests.conftest import sign_in
from tests.meetings.test_matters_arising import held, upcoming


@pytest.fixture
def case(people):
    return services.refer_case(
        people.coordinator,
        people.panel,
        LiveCaseDetails(
            strands=[Strand.RACE],
            policing_area="Coventry NPU",
            risk_level=RiskLevel.HIGH,
            risk_reason="Repeated abuse at home.",
            needs=[VictimNeed.HOUSING],
            review_date=uk_today() + timedelta(days=14),
        ),
    )


def _agree(people, case, owner, days, description="Tenancy warning to Suspect 1.", meeting=None):
    kinds = services.intervention_types(people.panel)
    return services.agree_intervention(
        people.coordinator,
        people.panel,
        InterventionDetails(kinds[2], description, owner, uk_today() + timedelta(days=days)),
        live_case=case,
        meeting=meeting,
    ).intervention


def _agenda(client, meeting) -> str:
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    return page[page.index('id="agenda"') : page.index('id="attendance"')]


def test_open_interventions_arise_at_the_next_meeting_and_every_member_sees_them_all(
    client, people, case
):
    agreed_at = held(people.panel, days_ago=14)
    housing = people.member.organisation
    police = people.coordinator.organisation
    ours = _agree(people, case, housing, 7, meeting=agreed_at)
    theirs = _agree(people, case, police, 7, meeting=agreed_at)
    next_meeting = upcoming(people.panel)

    sign_in(client, people.coordinator)
    agenda = _agenda(client, next_meeting)
    assert f"/interventions/{ours.id}" in agenda and f"/interventions/{theirs.id}" in agenda
    client.post("/sign-out")

    # One picture: the housing member sees the police's intervention arise too.
    sign_in(client, people.member)
    agenda = _agenda(client, next_meeting)
    assert f"/interventions/{ours.id}" in agenda
    assert f"/interventions/{theirs.id}" in agenda

    # Reported done: it no longer arises.
    services.update_intervention(
        people.member, ours, status=InterventionStatus.COMPLETED, text="Done.", version=1
    )
    assert f"/interventions/{ours.id}" not in _agenda(client, next_meeting)


def test_an_intervention_agreed_at_this_meeting_does_not_arise_at_it(client, people, case):
    meeting = held(people.panel, days_ago=1)
    agreed = _agree(people, case, people.member.organisation, 7, meeting=meeting)
    sign_in(client, people.coordinator)
    assert f"/interventions/{agreed.id}" not in _agenda(client, meeting)


def test_the_organisers_see_overdue_interventions_on_their_home_page(client, people, case):
    late = _agree(people, case, people.member.organisation, 10)
    _agree(people, case, people.member.organisation, 30)
    eleven_days_on = uk_today() + timedelta(days=11)
    found = overdue_for_organiser(people.chair, eleven_days_on)
    assert [i.id for i in found.interventions] == [late.id]
    assert [(p.panel_id, p.count) for p in found.by_panel] == [(people.panel.id, 1)]
    assert not overdue_for_organiser(people.chair, uk_today())
    assert not overdue_for_organiser(people.member, eleven_days_on)


def test_the_digest_reminds_the_owning_organisation_and_the_organisers_when_late(people, case):
    housing = people.member.organisation
    colleague = factories.user(email="colleague@housing.example.org", organisation_=housing)
    factories.membership(people.panel, colleague, Role.MEMBER)
    without_lead = _agree(people, case, housing, 5)
    kinds = services.intervention_types(people.panel)
    with_lead = services.agree_intervention(
        people.coordinator,
        people.panel,
        InterventionDetails(
            kinds[0], "Referral to support.", housing, uk_today() + timedelta(days=5), colleague
        ),
        live_case=case,
    ).intervention
    on_time = {
        user.email: [item.label for item in items] for user, items in digests(uk_today()).items()
    }
    assert any(
        f"Intervention {without_lead.id} " in label for label in on_time[people.member.email]
    )
    # Everyone at the owning organisation on the panel, the lead or not: it answers for it.
    assert any(f"Intervention {with_lead.id} " in label for label in on_time[people.member.email])
    assert any(f"Intervention {with_lead.id} " in label for label in on_time[colleague.email])
    assert people.chair.email not in on_time or not any(
        "Intervention" in label for label in on_time[people.chair.email]
    )
    late = digests(uk_today() + timedelta(days=6))
    chair_items = [
        item for user, items in late.items() if user.id == people.chair.id for item in items
    ]
    assert {item.label.split(" ")[1] for item in chair_items} == {
        str(without_lead.id),
        str(with_lead.id),
    }
    assert all(item.overdue for item in chair_items)
    # Never the text of what was agreed.
    assert all("Tenancy" not in item.label for items in late.values() for item in items)


def test_the_owner_is_emailed_a_link_when_an_intervention_is_agreed_or_handed_to_them(
    client, people, case, mail_app_config
):
    housing = people.member.organisation
    kinds = services.intervention_types(people.panel)
    sign_in(client, people.coordinator)
    due = uk_today() + timedelta(days=20)
    response = client.post(
        f"/live-cases/{case.id}/interventions/new",
        data={
            "type_id": str(kinds[2].id),
            "description": "Tenancy warning to Suspect 1.",
            "owner_organisation_id": str(housing.id),
            "lead_id": "",
            "due_date": [str(due.day), str(due.month), str(due.year)],
            "agreed_at_id": "",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    [mail] = mail_app_config.messages
    assert mail["To"] == people.member.email
    body = mail.get_content()
    assert "/interventions/" in body and "Tenancy" not in body
    page = client.get(response.location).get_data(as_text=True)
    assert "We will e-mail 1 person at Coventry Homes Partnership" in page
