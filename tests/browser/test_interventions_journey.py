"""A live case and its interventions in a real browser: the coordinator refers a case and agrees
two interventions owned by two partners; one partner signs in, sees only their organisation's,
updates it and completes it; the coordinator then finds the other one under matters arising at
the next meeting. axe checks every page on the way."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from panel.cases.models import AgreementAcceptance
from panel.core.time import uk_today
from panel.demo import COVENTRY
from panel.extensions import db
from panel.interventions.models import Intervention, LiveCase
from panel.meetings.models import Meeting, MeetingStatus
from panel.panels.models import Panel
from tests.browser.conftest import CheckedPage, LiveServer

HOUSING = "Coventry Homes Partnership"
COUNCIL = "Coventry City Council"
HOUSING_TASK = "Tenancy warning to the neighbour (Suspect 1) and an acceptable behaviour contract."
COUNCIL_TASK = "Place the victim with a supported work experience scheme near home."


@pytest.fixture
def journey(live_server: LiveServer) -> Iterator[dict]:
    """The Coventry panel and its next scheduled meeting; afterwards removes the cases and
    interventions this journey made, and the agreement acceptances."""
    with live_server.app.app_context():
        last_case = db.session.scalar(sa.select(sa.func.max(LiveCase.id))) or 0
        last_acceptance = db.session.scalar(sa.select(sa.func.max(AgreementAcceptance.id))) or 0
        panel_id = db.session.scalar(sa.select(Panel.id).where(Panel.name == COVENTRY))
        next_meeting = db.session.scalar(
            sa.select(Meeting.id)
            .where(
                Meeting.panel_id == panel_id,
                Meeting.status == MeetingStatus.SCHEDULED,
                Meeting.starts_at > sa.func.now(),
            )
            .order_by(Meeting.starts_at)
            .limit(1)
        )
        db.session.remove()
    yield {"panel_id": panel_id, "next_meeting": next_meeting}
    with live_server.app.app_context():
        made = sa.select(LiveCase.id).where(LiveCase.id > last_case)
        for intervention in db.session.scalars(
            sa.select(Intervention).where(Intervention.live_case_id.in_(made))
        ):
            db.session.delete(intervention)
        db.session.flush()
        for case in db.session.scalars(sa.select(LiveCase).where(LiveCase.id > last_case)):
            db.session.delete(case)
        db.session.execute(
            sa.delete(AgreementAcceptance).where(AgreementAcceptance.id > last_acceptance)
        )
        db.session.commit()
        db.session.remove()


def _sign_out(browser_page: CheckedPage) -> None:
    browser_page.follow(browser_page.page.get_by_role("button", name="Sign out"))


def _accept_the_agreement_if_asked(browser_page: CheckedPage) -> None:
    """Live cases are case material: the panel's agreement comes first, then the page asked for."""
    page = browser_page.page
    if "/confidentiality" in page.url:
        page.get_by_label("I have read the confidentiality agreement and I agree to it").check()
        browser_page.follow(page.get_by_role("button", name="Accept and continue"))


def _fill_date(page, day) -> None:
    page.get_by_label("Day").fill(str(day.day))
    page.get_by_label("Month").fill(str(day.month))
    page.get_by_label("Year").fill(str(day.year))


def _agree(browser_page: CheckedPage, kind: str, task: str, owner: str, days: int) -> None:
    page = browser_page.page
    browser_page.follow(page.get_by_role("button", name="Agree an intervention"))
    page.get_by_label("Type of intervention").select_option(label=kind)
    page.get_by_label("What was agreed").fill(task)
    page.get_by_label("Owning organisation").select_option(label=owner)
    _fill_date(page, uk_today() + timedelta(days=days))
    browser_page.follow(page.get_by_role("button", name="Agree intervention"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Intervention agreed.")


def test_coordinator_agrees_two_interventions_and_a_partner_completes_theirs(
    browser_page: CheckedPage, journey: dict
):
    page = browser_page.page

    # The coordinator refers a case from the panel's page.
    browser_page.sign_in("coordinator@panel.example")
    browser_page.goto(f"/panels/{journey['panel_id']}")
    browser_page.follow(page.get_by_role("link", name=f"Live cases of {COVENTRY}"))
    _accept_the_agreement_if_asked(browser_page)
    browser_page.follow(page.get_by_role("button", name="Refer a case"))
    page.get_by_label("Race (including nationality and ethnicity)").check()
    page.get_by_label("Policing area (NPU)").fill("Coventry NPU")
    page.get_by_label("High").check()
    page.get_by_label("Reason for the risk level").fill(
        "Repeated racist abuse at home by a neighbour; the victim is afraid to go out."
    )
    page.get_by_label("Housing").check()
    page.get_by_label("Employment").check()
    _fill_date(page, uk_today() + timedelta(days=14))
    browser_page.follow(page.get_by_role("button", name="Refer case"))
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text(re.compile(r"CHCP-\d{4}-\d{3}"))
    reference = re.search(r"CHCP-\d{4}-\d{3}", heading.inner_text()).group(0)
    case_path = urlsplit(page.url).path

    # ... and agrees two interventions with two partners.
    _agree(browser_page, "Housing action against a perpetrator", HOUSING_TASK, HOUSING, 10)
    browser_page.goto(case_path)
    _agree(browser_page, "Employment or work opportunity", COUNCIL_TASK, COUNCIL, 21)
    _sign_out(browser_page)

    # The housing partner sees their own intervention and not the council's.
    browser_page.sign_in("member@panel.example")
    # The menu's link says how many are overdue too ("Interventions 1 overdue").
    browser_page.follow(page.get_by_role("link", name=re.compile(r"^Interventions\b")).first)
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Your organisation’s interventions"
    )
    for_this_case = page.locator(".govuk-summary-card").filter(has_text=reference)
    expect(for_this_case).to_have_count(1)
    expect(for_this_case).to_contain_text("Housing action against a perpetrator")
    expect(for_this_case).not_to_contain_text("Employment or work opportunity")
    browser_page.follow(for_this_case.get_by_role("link", name=re.compile(r"Intervention \d+")))
    _accept_the_agreement_if_asked(browser_page)
    expect(page.get_by_text(HOUSING_TASK)).to_be_visible()

    # ... starts it, then completes it, each with an update in the log.
    page.get_by_label("In progress").check()
    page.get_by_label("Update", exact=True).fill("Warning letter served on the neighbour.")
    browser_page.follow(page.get_by_role("button", name="Save update"))
    expect(page.locator("#updates ~ *")).to_contain_text("Warning letter served on the neighbour.")
    page.get_by_label("Completed", exact=True).check()
    page.get_by_label("Update", exact=True).fill("Contract signed; no incidents since.")
    browser_page.follow(page.get_by_role("button", name="Save update"))
    expect(page.locator("#updates ~ *")).to_contain_text("Contract signed; no incidents since.")
    _sign_out(browser_page)

    # At the next meeting the council's intervention arises; the completed one does not.
    browser_page.sign_in("coordinator@panel.example")
    browser_page.goto(f"/meetings/{journey['next_meeting']}")
    matters = page.locator(".panel-matters-arising")
    expect(matters).to_contain_text(f"Employment or work opportunity: {reference}")
    expect(matters).not_to_contain_text(f"Housing action against a perpetrator: {reference}")
