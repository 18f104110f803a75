"""A coordinator builds a meeting's agenda in a real browser: case reviews added several at once
from the agenda page, each with a duration, landing before "Any other business" with start
times; then one case review's duration changed, and the panel's usual time for a case review.
axe checks every page on the way, the error page included."""

from __future__ import annotations

import re
from datetime import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import CheckedPage, LiveServer, ScrutinyMeeting, scrutiny_meeting


@pytest.fixture
def fresh_meeting_and_cases(live_server: LiveServer) -> ScrutinyMeeting:
    """An ISP meeting in five weeks with the standing agenda, and two new case reviews ready for
    it."""
    return scrutiny_meeting(live_server.app, 35, time(18), case_reviews=2)


def test_coordinator_adds_two_case_reviews_from_the_agenda_page_before_any_other_business(
    browser_page: CheckedPage, fresh_meeting_and_cases: ScrutinyMeeting
):
    page = browser_page.page
    first, second = fresh_meeting_and_cases.references
    browser_page.sign_in("coordinator@panel.example")
    browser_page.goto(f"/meetings/{fresh_meeting_and_cases.meeting_id}/agenda")
    browser_page.follow(page.get_by_role("button", name="Add case reviews"))
    # Case material waits for the confidentiality agreement, then comes back here.
    if "/confidentiality" in page.url:
        page.get_by_label("I have read the confidentiality agreement and I agree to it").check()
        browser_page.follow(page.get_by_role("button", name="Accept and continue"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Add case reviews to the agenda")

    # Nothing ticked: the error summary says so, and is focused.
    browser_page.follow(page.get_by_role("button", name="Add to the agenda"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Select at least one case review")

    page.get_by_label(first, exact=True).check()
    page.get_by_label(second, exact=True).check()
    page.get_by_label(f"Duration of case review {second}").fill("30")
    browser_page.follow(page.get_by_role("button", name="Add to the agenda"))

    expect(
        page.get_by_text("2 case reviews added to the agenda before “Any other business”.")
    ).to_be_visible()
    rows = page.get_by_role("table").get_by_role("row")
    # The header, the three standing items before, the two case reviews, Any other business.
    expect(rows).to_have_count(7)
    expect(rows.nth(4)).to_contain_text(
        re.compile(rf"6:35pm.*Case review {first}.*20 minutes", re.S)
    )
    expect(rows.nth(5)).to_contain_text(
        re.compile(rf"6:55pm.*Case review {second}.*30 minutes", re.S)
    )
    expect(rows.nth(6)).to_contain_text(re.compile(r"7:25pm.*Any other business", re.S))

    # A case review's item: its title is its reference; its duration can change.
    browser_page.follow(page.get_by_role("link", name=f"Change Case review {first}"))
    page.get_by_label("Duration (optional)").fill("25")
    browser_page.follow(page.get_by_role("button", name="Save item"))
    expect(page.get_by_text(f"“Case review {first}” updated.")).to_be_visible()
    expect(rows.nth(6)).to_contain_text("7:30pm")

    # The panel's usual time for a case review, on its settings page.
    browser_page.goto(f"/panels/{fresh_meeting_and_cases.panel_id}/settings")
    browser_page.follow(page.get_by_role("link", name="Change the time for each case review"))
    page.get_by_label("How long is a case review on the agenda").fill("25")
    browser_page.follow(page.get_by_role("button", name="Save duration"))
    expect(
        page.get_by_text("Case reviews added to an agenda now start with 25 minutes each.")
    ).to_be_visible()
    expect(
        page.get_by_text("25 minutes, unless changed when the case review is added")
    ).to_be_visible()
