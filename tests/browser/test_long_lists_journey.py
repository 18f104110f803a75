"""Long lists in a real browser: a meeting's matters arising, the oldest few on the meeting page
and all of them a page at a time; an administrator finding a person to add to a panel by name,
and reading the audit trail of one person by their email address. axe checks every page."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from playwright.sync_api import expect

from panel.accounts.models import User
from panel.demo import COVENTRY
from panel.extensions import db
from panel.meetings import services
from panel.meetings.models import Meeting, MeetingStatus
from panel.panels.models import Panel
from tests.browser.conftest import CheckedPage, LiveServer, committing

NEXT_PLACE = "Foleshill Community Centre, Room 3"


@pytest.fixture
def long_matters_arising(live_server: LiveServer) -> None:
    """Forty actions left open by a Coventry meeting held last week, and a meeting next week."""
    with committing(live_server.app):
        coordinator = db.session.scalar(
            db.select(User).where(User.email == "coordinator@panel.example")
        )
        panel = db.session.scalar(db.select(Panel).where(Panel.name == COVENTRY))
        housing = db.session.scalar(
            db.select(User).where(User.email == "member@panel.example")
        ).organisation
        venue = services.Venue(
            start_time=time(10), duration_minutes=120, place=NEXT_PLACE, online_link=None
        )
        held = services.schedule_meeting(
            coordinator, panel, date.today() - timedelta(days=7), venue
        )
        held.status = MeetingStatus.HELD
        for number in range(40):
            services.add_action(coordinator, held, f"Follow-up number {number:02d}", housing)
        services.schedule_meeting(coordinator, panel, date.today() + timedelta(days=6), venue)


def test_a_member_reads_the_oldest_matters_arising_then_all_of_them_a_page_at_a_time(
    browser_page: CheckedPage, long_matters_arising, live_server: LiveServer
):
    with live_server.app.app_context():
        upcoming = db.session.scalar(
            db.select(Meeting)
            .where(Meeting.place == NEXT_PLACE, Meeting.status == MeetingStatus.SCHEDULED)
            .order_by(Meeting.starts_at.desc())
        )
        meeting_id = upcoming.id
    page = browser_page.page
    browser_page.sign_in("member@panel.example")
    browser_page.goto(f"/meetings/{meeting_id}")
    arising = page.locator("table.panel-matters-arising tbody tr")
    expect(arising).to_have_count(25)
    expect(page.get_by_text("Showing 25 of")).to_be_visible()

    browser_page.follow(page.get_by_role("link", name="See all matters arising"))
    expect(page.get_by_role("heading", name="Matters arising")).to_be_visible()
    expect(page.locator("table.panel-matters-arising tbody tr")).to_have_count(25)
    browser_page.follow(page.get_by_role("link", name="Next"))
    expect(page.get_by_text("Follow-up number 39")).to_be_visible()


def test_an_administrator_finds_a_person_to_add_and_reads_one_persons_audit_trail(
    browser_page: CheckedPage,
):
    page = browser_page.page
    browser_page.sign_in("admin@panel.example")
    browser_page.goto("/admin/panels")
    browser_page.follow(page.get_by_role("link", name="Dudley Independent Advisory Group"))
    browser_page.follow(page.get_by_role("button", name="Add a member"))

    page.get_by_label("Find a person by name or email address").fill("Priya")
    browser_page.follow(page.get_by_role("button", name="Find"))
    expect(page.get_by_text("1 person matches ‘Priya’.")).to_be_visible()
    page.get_by_label("Person", exact=True).select_option(
        label="Priya Nair (Coventry City Council)"
    )
    page.get_by_role("radio", name="Reader").check()
    browser_page.follow(page.get_by_role("button", name="Add member"))
    expect(page.get_by_text("Priya Nair has been added as Reader.")).to_be_visible()

    browser_page.goto("/admin/audit-trail")
    page.get_by_label("Who: their email address").fill("admin@panel.example")
    browser_page.follow(page.get_by_role("button", name="Apply filters"))
    expect(page.get_by_text("match the filters")).to_be_visible()
