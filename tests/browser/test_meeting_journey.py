"""A coordinator's meetings in a real browser: scheduling a fortnightly series, then recording who
came to a meeting, with a member represented by a deputy. axe checks every page on the way."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

import pytest
from playwright.sync_api import expect

from panel.accounts.models import User
from panel.demo import COVENTRY
from panel.extensions import db
from panel.meetings import services
from panel.panels.models import Panel
from tests.browser.conftest import CheckedPage, LiveServer, committing

SERIES_PLACE = "Foleshill Community Centre, Room 3"
PAST_PLACE = "Coventry Central Library, Meeting Room 1"


@pytest.fixture
def past_meeting(live_server: LiveServer) -> None:
    """A Coventry meeting three days ago: attendance is recorded once a meeting has started, and
    no page schedules one in the past."""
    with committing(live_server.app):
        coordinator = db.session.scalar(
            db.select(User).where(User.email == "coordinator@panel.example")
        )
        panel = db.session.scalar(db.select(Panel).where(Panel.name == COVENTRY))
        venue = services.Venue(
            start_time=time(18), duration_minutes=120, place=PAST_PLACE, online_link=None
        )
        services.schedule_meeting(coordinator, panel, date.today() - timedelta(days=3), venue)


def test_coordinator_schedules_a_fortnightly_series_and_records_attendance_with_a_deputy(
    browser_page: CheckedPage, past_meeting
):
    page = browser_page.page
    browser_page.sign_in("coordinator@panel.example")

    # The panels table, not the list of next meetings, which other journeys may add to.
    browser_page.follow(page.get_by_role("table").get_by_role("link", name=COVENTRY, exact=True))
    browser_page.follow(page.get_by_role("link", name=f"All meetings of {COVENTRY}"))

    # A fortnightly series of six, starting next week.
    browser_page.follow(page.get_by_role("button", name="Schedule a series"))
    first = date.today() + timedelta(days=7)
    first_date = page.get_by_role("group", name="Date of the first meeting")
    first_date.get_by_label("Day").fill(str(first.day))
    first_date.get_by_label("Month").fill(str(first.month))
    first_date.get_by_label("Year").fill(str(first.year))
    page.get_by_label("Start time").fill("18:00")
    page.get_by_label("Place").fill(SERIES_PLACE)
    page.get_by_role("radio", name="Every few weeks").check()
    page.get_by_label("how many weeks apart").fill("2")
    page.get_by_role("radio", name="After a number of meetings").check()
    page.get_by_label("how many meetings").fill("6")
    browser_page.follow(page.get_by_role("button", name="Schedule series"))

    expect(page.get_by_text("6 meetings scheduled.")).to_be_visible()
    expect(page.locator("table tbody tr", has_text=SERIES_PLACE)).to_have_count(6)

    # The meeting three days ago, among the past meetings.
    browser_page.follow(page.get_by_role("link", name="Past meetings"))
    past = page.locator("table tbody tr", has_text=PAST_PLACE)
    browser_page.follow(past.get_by_role("link"))
    expect(page.get_by_text("Attendance has not been recorded yet.")).to_be_visible()
    browser_page.follow(page.get_by_role("link", name="Record attendance"))

    # Everyone present, except Grace Mensah, whose organisation sent a deputy.
    register = page.locator("form fieldset")
    assert register.count() >= 10
    for group in register.all():
        group.get_by_role("radio", name="Present", exact=True).check()
    grace = page.get_by_role("group", name="Grace Mensah, Coventry Homes Partnership")
    grace.get_by_role("radio", name="Represented by a deputy").check()
    grace.get_by_label("Deputy’s name").fill("Sam Collins")
    browser_page.follow(page.get_by_role("button", name="Save attendance"))

    expect(page).to_have_url(re.compile(r"/meetings/\d+#attendance$"))
    expect(page.get_by_text("Attendance saved.")).to_be_visible()
    expect(page.get_by_text("Quorum met", exact=True)).to_be_visible()
    expect(
        page.get_by_text(re.compile(r"\d+ organisations represented; the quorum is 3\."))
    ).to_be_visible()
    row = page.locator("table tbody tr", has_text="Grace Mensah")
    expect(row).to_contain_text("Coventry Homes Partnership")
    expect(row).to_contain_text("Represented by a deputy: Sam Collins")

    # An action agreed at the meeting comes back under matters arising at the next one.
    browser_page.follow(page.get_by_role("link", name="Add an action"))
    page.get_by_label("What is the action?").fill("Offer the family a referral to victim support")
    owner = page.get_by_label("Which organisation owns it?")
    owner.select_option(label="Coventry Homes Partnership")
    browser_page.follow(page.get_by_role("button", name="Add action"))
    expect(page.get_by_text("Action added.")).to_be_visible()

    browser_page.follow(page.get_by_role("link", name="Meetings", exact=True))
    next_meeting = page.locator("table tbody tr", has_text=SERIES_PLACE).first
    browser_page.follow(next_meeting.get_by_role("link"))
    matters = page.locator("table", has_text="Matters arising from earlier meetings")
    expect(matters).to_contain_text("Offer the family a referral to victim support")
    expect(matters).to_contain_text("Coventry Homes Partnership")

    # The panel page counts the deputy as representing their organisation.
    browser_page.follow(page.get_by_role("link", name=COVENTRY).first)
    expect(page.get_by_role("heading", name="Attendance over the last 12 months")).to_be_visible()
    rates = page.get_by_role("table", name=re.compile("^Attendance by organisation"))
    housing = rates.locator("tr", has_text="Coventry Homes Partnership")
    expect(housing).to_contain_text("100%")
