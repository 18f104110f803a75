"""A lesson and its recommendation in a real browser, through every hand it passes: the chair
records an area for improvement with a recommendation to the police; a police member of the
panel accepts it and reports it implemented; the chair closes it; the register shows its history.
axe checks every page on the way."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from panel.cases.models import CaseReview
from panel.core.time import format_datetime
from panel.demo import ISP
from panel.extensions import db
from panel.lessons.queries import uk_today
from panel.panels.models import Panel
from tests.browser.conftest import CheckedPage, LiveServer, committing

POLICE = "West Midlands Police, Coventry NPU"
LESSON = (
    "The victim was not offered an interpreter when the first account was taken, so the "
    "hostility shown was missed from the statement."
)
RECOMMENDATION = "Offer an interpreter before any first account is taken from a victim."


@pytest.fixture
def first_demo_case(live_server: LiveServer) -> int:
    """The id of the scrutiny panel's first demo case."""
    with committing(live_server.app):
        case_id = db.session.scalar(
            sa.select(sa.func.min(CaseReview.id))
            .join(Panel, Panel.id == CaseReview.panel_id)
            .where(Panel.name == ISP)
        )
    return case_id


def _sign_out(browser_page: CheckedPage) -> None:
    browser_page.follow(browser_page.page.get_by_role("button", name="Sign out"))


def _accept_agreement_if_asked(browser_page: CheckedPage) -> None:
    page = browser_page.page
    if "/confidentiality" in page.url:
        page.get_by_label("I have read the confidentiality agreement and I agree to it").check()
        browser_page.follow(page.get_by_role("button", name="Accept and continue"))


def _flash(page: Page, text: str) -> None:
    expect(page.locator(".govuk-notification-banner")).to_contain_text(text)


def test_a_recommendation_goes_from_the_chair_to_the_police_and_back_until_closed(
    browser_page: CheckedPage, first_demo_case: int
):
    page = browser_page.page
    case_id = first_demo_case

    # The chair records an area for improvement against the case's investigation stage.
    browser_page.sign_in("chair@panel.example")
    browser_page.goto(f"/case-reviews/{case_id}")
    _accept_agreement_if_asked(browser_page)
    browser_page.follow(page.get_by_role("link", name="Record a lesson learnt"))
    page.get_by_label("Stage of the criminal justice process").select_option(label="Investigation")
    page.get_by_label("Area for improvement").check()
    page.get_by_label("Lesson learnt").fill(LESSON)
    browser_page.follow(page.get_by_role("button", name="Save lesson"))
    _flash(page, "Lesson saved. Add a recommendation if an agency should act on it.")
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile(r"Lesson \d+"))

    # ... and addresses a recommendation to the police, due in six weeks.
    browser_page.follow(page.get_by_role("button", name="Add a recommendation"))
    page.get_by_label("Addressed to").select_option(label=POLICE)
    page.get_by_label("Recommendation", exact=True).fill(RECOMMENDATION)
    due = uk_today() + timedelta(days=42)
    page.get_by_label("Day").fill(str(due.day))
    page.get_by_label("Month").fill(str(due.month))
    page.get_by_label("Year").fill(str(due.year))
    browser_page.follow(page.get_by_role("button", name="Save recommendation"))
    _flash(page, "Recommendation saved. We will e-mail")
    _flash(page, f"at {POLICE}.")
    _sign_out(browser_page)

    # A police member of the panel finds it on their home page and accepts it.
    browser_page.sign_in("inspector.coventry@panel.example")
    mine = page.locator("#organisation-due")
    expect(mine).to_be_visible()
    row = mine.locator("tbody tr").filter(has_text=format_datetime(due, "date"))
    browser_page.follow(row.get_by_role("link", name=re.compile(r"Recommendation \d+")))
    expect(page.get_by_text(RECOMMENDATION)).to_be_visible()
    expect(page.get_by_role("button", name="Close the recommendation")).to_have_count(0)
    browser_page.follow(page.get_by_role("button", name="Record the response"))
    page.get_by_label("Accepted", exact=True).check()
    page.get_by_label("The agency’s response").fill("Accepted: interpreters briefing for teams.")
    browser_page.follow(page.get_by_role("button", name="Save response"))
    _flash(page, "Response recorded.")

    # ... and later reports it implemented, with evidence.
    browser_page.follow(page.get_by_role("button", name="Report implementation"))
    page.get_by_label("Evidence of implementation").fill("Every response team was briefed.")
    browser_page.follow(page.get_by_role("button", name="Report as implemented"))
    _flash(page, "The chair will review it.")
    _sign_out(browser_page)

    # The chair sees it waiting for sign-off, and closes it.
    browser_page.sign_in("chair@panel.example")
    waiting = page.locator("#chair-sign-off")
    row = waiting.locator("tbody tr").filter(has_text=POLICE)
    browser_page.follow(row.get_by_role("link", name=re.compile(r"Recommendation \d+")))
    browser_page.follow(page.get_by_role("button", name="Close the recommendation"))
    browser_page.follow(page.get_by_role("button", name="Close recommendation"))
    _flash(page, "Recommendation closed.")

    # The register finds it by a word of its text and shows its whole story.
    browser_page.follow(page.get_by_role("link", name="Lessons", exact=True))
    page.get_by_label("Search lessons and recommendations").fill("interpreters")
    browser_page.follow(page.get_by_role("button", name="Apply filters"))
    expect(page.get_by_text("1 lesson matches the filters")).to_be_visible()
    story = page.locator(".panel-recommendation").filter(has_text=RECOMMENDATION)
    expect(story).to_contain_text("Closed")
    history = story.locator(".panel-history li")
    expect(history).to_have_count(4)
    expect(history.nth(0)).to_contain_text("Addressed")
    expect(history.nth(0)).to_contain_text("Harriet Lang")
    expect(history.nth(1)).to_contain_text("Accepted")
    expect(history.nth(1)).to_contain_text("Claire Doyle")
    expect(history.nth(2)).to_contain_text("Implemented")
    expect(history.nth(3)).to_contain_text("Closed")
    expect(history.nth(3)).to_contain_text("Harriet Lang")
