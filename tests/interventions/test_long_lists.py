"""Live case and intervention pages stay the same size however long their logs: an intervention's
log and a live case's interventions come a page at a time, lists show each intervention's latest
update, and a case's referrer is one of the panel's organisations. (tests/test_bounded_pages.py
walks every page at scale.)"""

from __future__ import annotations

import re
from datetime import timedelta

from panel.core.database import utcnow
from panel.extensions import db
from panel.interventions.models import InterventionUpdate
from tests import factories
from tests.conftest import sign_in
from tests.interventions.conftest import intervention, live_case


def _numbers(pattern: str, page: str) -> list[int]:
    return [int(n) for n in re.findall(pattern, page)]


def test_an_intervention_shows_its_log_25_updates_a_page_and_lists_its_latest(client, people):
    case = live_case(people.coordinator, people.panel)
    agreed = intervention(people.coordinator, case, people.member.organisation)
    start = utcnow() - timedelta(days=40)
    db.session.add_all(
        InterventionUpdate(
            intervention_id=agreed.id,
            at=start + timedelta(days=n),
            author_id=people.member.id,
            author_organisation_id=people.member.organisation_id,
            text=f"Visit number {n:02d}",
        )
        for n in range(29)
    )
    db.session.commit()
    sign_in(client, people.member)
    page = client.get(f"/interventions/{agreed.id}").get_data(as_text=True)
    assert "30 updates, oldest first, page 1 of 2." in page
    # The visits (back-dated), then agreeing it, just now.
    assert _numbers(r"Visit number (\d\d)", page) == list(range(25))
    later = client.get(f"/interventions/{agreed.id}?updates_page=2").get_data(as_text=True)
    assert _numbers(r"Visit number (\d\d)", later) == list(range(25, 29))

    on_the_case = client.get(f"/live-cases/{case.id}").get_data(as_text=True)
    assert _numbers(r"Visit number (\d\d)", on_the_case) == [28]  # the latest words only


def test_a_live_case_lists_its_interventions_25_a_page(client, people):
    case = live_case(people.coordinator, people.panel)
    for n in range(30):
        intervention(
            people.coordinator, case, people.member.organisation, description=f"Agreed {n}"
        )
    sign_in(client, people.member)
    page = client.get(f"/live-cases/{case.id}").get_data(as_text=True)
    assert "30 interventions, in the order they were agreed, page 1 of 2." in page
    assert page.count('id="intervention-') == 25
    assert f'href="/live-cases/{case.id}?interventions_page=2#interventions"' in page
    second = client.get(f"/live-cases/{case.id}?interventions_page=2").get_data(as_text=True)
    assert second.count('id="intervention-') == 5


def test_a_cases_referrer_is_one_of_the_panels_organisations(client, people):
    """Nationally there are thousands of organisations: the form offers those on the panel."""
    factories.organisation("Somewhere Else Trust")
    sign_in(client, people.coordinator)
    page = client.get(f"/panels/{people.panel.id}/live-cases/new").get_data(as_text=True)
    assert ">Coventry Homes Partnership</option>" in page
    assert "Somewhere Else Trust" not in page
