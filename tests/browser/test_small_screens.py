"""Panel on a 320px phone: the pages with tables fit the screen, so nobody has to scroll sideways
to read them (WCAG 2.2 1.4.10 Reflow). Tables stack their cells, each with its column's name, on
narrow screens. axe checks every page at that width too."""

from __future__ import annotations

import re
from datetime import datetime, time

import pytest
from playwright.sync_api import expect

from panel.accounts.models import User
from panel.demo import COVENTRY, ISP
from panel.extensions import db
from panel.meetings.attendance import services as attendance
from panel.meetings.models import Attendance, Meeting, MeetingStatus
from panel.panels.models import Panel
from tests.browser.conftest import CheckedPage, LiveServer, committing, scrutiny_meeting

PHONE = {"width": 320, "height": 800}


def page_width(browser_page: CheckedPage) -> tuple[int, int]:
    return browser_page.page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def assert_fits_the_screen(browser_page: CheckedPage) -> None:
    width, screen = page_width(browser_page)
    assert width <= screen, (
        f"{browser_page.page.url} is {width}px wide on a {screen}px screen: "
        "the page scrolls sideways"
    )


@pytest.fixture
def coventry_meetings(live_server: LiveServer) -> tuple[int, int]:
    """The demo Coventry panel's next scheduled meeting (which lists matters arising from the
    earlier ones) and its latest meeting with a register of attendance."""
    with committing(live_server.app):
        panel = db.session.scalar(db.select(Panel).where(Panel.name == COVENTRY))
        next_meeting = db.session.scalar(
            db.select(Meeting.id)
            .where(
                Meeting.panel_id == panel.id,
                Meeting.status == MeetingStatus.SCHEDULED,
                Meeting.starts_at > datetime.now().astimezone(),
            )
            .order_by(Meeting.starts_at)
            .limit(1)
        )
        attended = db.session.scalar(
            db.select(Meeting.id)
            .where(Meeting.panel_id == panel.id, Meeting.attendance.any(Attendance.id > 0))
            .order_by(Meeting.starts_at.desc())
            .limit(1)
        )
    assert next_meeting is not None and attended is not None
    return next_meeting, attended


def test_a_coordinator_reads_the_agenda_and_the_meeting_on_a_phone_without_scrolling_sideways(
    browser_page: CheckedPage, coventry_meetings: tuple[int, int]
):
    next_meeting, attended = coventry_meetings
    page = browser_page.page
    page.set_viewport_size(PHONE)
    browser_page.sign_in("coordinator@panel.example")

    browser_page.goto(f"/meetings/{next_meeting}/agenda")
    expect(page.get_by_role("button", name="Move down").first).to_be_visible()
    assert_fits_the_screen(browser_page)

    browser_page.goto(f"/meetings/{next_meeting}")
    expect(page.get_by_role("table", name="Matters arising from earlier meetings")).to_be_visible()
    assert_fits_the_screen(browser_page)

    browser_page.goto(f"/meetings/{attended}")
    expect(page.get_by_role("table", name="Members’ attendance")).to_be_visible()
    assert_fits_the_screen(browser_page)

    # A coordinator's home page also lists the recommendations and interventions to chase.
    browser_page.goto("/")
    expect(page.locator("#your-panels")).to_be_visible()
    assert_fits_the_screen(browser_page)


def test_a_reader_reads_their_panels_on_a_phone_without_scrolling_sideways(
    browser_page: CheckedPage,
):
    page = browser_page.page
    page.set_viewport_size(PHONE)
    browser_page.sign_in("reader@panel.example")
    browser_page.goto("/")
    expect(page.locator("#your-panels")).to_be_visible()
    assert_fits_the_screen(browser_page)


def test_apologies_sent_before_a_meeting_fit_a_phone(
    browser_page: CheckedPage, live_server: LiveServer
):
    """The table of apologies on a scheduled meeting's page, with who recorded them and when."""
    app = live_server.app
    made = scrutiny_meeting(app, 9, time(14), case_reviews=0)
    with committing(app):
        coordinator, member = (
            db.session.scalar(db.select(User).where(User.email == email))
            for email in ("coordinator@panel.example", "member@panel.example")
        )
        attendance.send_apologies(
            coordinator, db.session.get(Meeting, made.meeting_id), member, "Sam Collins"
        )
    page = browser_page.page
    page.set_viewport_size(PHONE)
    browser_page.sign_in("coordinator@panel.example")
    browser_page.goto(f"/meetings/{made.meeting_id}")
    expect(page.get_by_role("table", name="Apologies sent")).to_be_visible()
    assert_fits_the_screen(browser_page)


def test_a_coordinator_lists_the_panels_case_reviews_on_a_phone(browser_page: CheckedPage):
    """The case reviews list, the way to the pool of finalised cases, stacks its table."""
    page = browser_page.page
    page.set_viewport_size(PHONE)
    browser_page.sign_in("coordinator@panel.example")
    browser_page.follow(page.locator("#your-panels").get_by_role("link", name=ISP))
    browser_page.follow(page.get_by_role("link", name=f"Case reviews of {ISP}"))
    if "/confidentiality" in page.url:
        page.get_by_label("I have read the confidentiality agreement and I agree to it").check()
        browser_page.follow(page.get_by_role("button", name="Accept and continue"))
    expect(page.get_by_role("table", name="All case reviews")).to_be_visible()
    assert_fits_the_screen(browser_page)


def test_a_reader_reads_published_minutes_on_a_phone(browser_page: CheckedPage):
    """The minutes' tables (attendance, matters arising, stage findings, recommendations) stack."""
    page = browser_page.page
    page.set_viewport_size(PHONE)
    browser_page.sign_in("reader@panel.example")
    browser_page.goto("/minutes")
    browser_page.follow(page.get_by_role("link", name=re.compile(f"{ISP}$")).first)
    expect(page.get_by_role("table", name="Recommendations made at this meeting")).to_be_attached()
    assert_fits_the_screen(browser_page)
