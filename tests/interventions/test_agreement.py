"""Live cases and their interventions are case material: the panel's one confidentiality
agreement is asked for before the first of them, and the person is taken back where they were
going (issue 14, problem 5)."""

from __future__ import annotations

from panel.core.audit import AuditAction, AuditEvent
from panel.extensions import db as _db
from panel.panels.models import Role
from tests import factories
from tests.conftest import sign_in
from tests.interventions.conftest import intervention


def _newcomer(people):
    newcomer = factories.user(
        email="newcomer@example.org",
        full_name="Linda Shaw",
        organisation_=people.member.organisation,
    )
    factories.membership(people.panel, newcomer, Role.MEMBER)
    return newcomer


def _opened(live_case) -> int:
    return _db.session.scalar(
        _db.select(_db.func.count()).where(
            AuditEvent.action == AuditAction.VIEW,
            AuditEvent.object_type == "live_case",
            AuditEvent.object_id == live_case.id,
        )
    )


def test_a_live_case_asks_for_the_agreement_first_and_sends_the_member_back(client, partners, db):
    newcomer = _newcomer(partners.people)
    sign_in(client, newcomer)
    case_url = f"/live-cases/{partners.live_case.id}"

    response = client.get(case_url)
    assert response.status_code == 302
    assert response.location == (f"/panels/{partners.panel.id}/confidentiality?next={case_url}")
    assert _opened(partners.live_case) == 0
    page = client.get(response.location).get_data(as_text=True).replace("&#39;", "'")
    assert "Before you open this panel's case material" in page
    assert "live cases" in page

    accepted = client.post(response.location, data={"agree": "y"})
    assert accepted.status_code == 302 and accepted.location == case_url
    opened = client.get(case_url)
    assert opened.status_code == 200
    assert partners.live_case.reference in opened.get_data(as_text=True)


def test_interventions_and_the_lists_need_the_agreement_too(client, partners, db):
    people = partners.people
    owned = intervention(people.coordinator, partners.live_case, partners.housing)
    sign_in(client, _newcomer(people))
    for url in [
        f"/interventions/{owned.id}",
        f"/panels/{people.panel.id}/live-cases",
        f"/panels/{people.panel.id}/interventions",
        f"/panels/{people.panel.id}/interventions.csv",
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.location.startswith(f"/panels/{people.panel.id}/confidentiality?next="), url


def test_one_acceptance_covers_case_reviews_and_live_cases(client, partners, db):
    people = partners.people
    newcomer = _newcomer(people)
    sign_in(client, newcomer)
    client.post(f"/panels/{people.panel.id}/confidentiality", data={"agree": "y"})
    assert client.get(f"/live-cases/{partners.live_case.id}").status_code == 200
    assert client.get(f"/panels/{people.panel.id}/interventions").status_code == 200
