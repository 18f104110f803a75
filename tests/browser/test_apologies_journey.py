"""Apologies before a meeting in a real browser: a member sends theirs a week before, naming a
deputy, and the coordinator records apologies a member phoned in. "Record as held" is not offered
before the start. axe checks every page on the way."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from playwright.sync_api import expect

from panel.accounts.models import User
from panel.demo import COVENTRY
from panel.extensions import db
from panel.meetings import services
from panel.panels.models import Panel
from tests.browser.conftest import CheckedPage, LiveServer, committing

PLACE = "Coventry Central Library, Meeting Room 2"


@pytest.fixture
def next_week(live_server: LiveServer) -> int:
    """A Coventry meeting a week today."""
    with committing(live_server.app):
        coordinator = db.session.scalar(
            db.select(User).where(User.email == "coordinator@panel.example")
        )
        panel = db.session.scalar(db.select(Panel).where(Panel.name == COVENTRY))
        venue = services.Venue(
            start_time=time(18), duration_minutes=120, place=PLACE, online_link=None
        )
        meeting_id = services.schedule_meeting(
            coordinator, panel, date.today() + timedelta(days=7), venue
        ).id
    return meeting_id


def test_a_member_sends_apologies_with_a_deputy_and_the_coordinator_records_another(
    browser_page: CheckedPage, next_week: int
):
    page = browser_page.page
    browser_page.sign_in("member@panel.example")
    browser_page.goto(f"/meetings/{next_week}")
    expect(page.get_by_text("No apologies have been sent.")).to_be_visible()
    browser_page.follow(page.get_by_role("button", name="Send your apologies"))
    page.get_by_label("Deputy’s name (optional)").fill("Sam Collins")
    browser_page.follow(page.get_by_role("button", name="Send apologies"))

    expect(page.get_by_text("Your apologies have been sent.")).to_be_visible()
    row = page.locator("table tbody tr", has_text="Grace Mensah")
    expect(row).to_contain_text("Represented by a deputy: Sam Collins")
    expect(row).to_contain_text("Sent by Grace Mensah on")
    expect(page.get_by_role("button", name="Withdraw your apologies")).to_be_visible()
    browser_page.follow(page.get_by_role("button", name="Sign out"))

    browser_page.sign_in("coordinator@panel.example")
    browser_page.goto(f"/meetings/{next_week}")
    expect(page.get_by_role("button", name="Cancel this meeting")).to_be_visible()
    expect(page.get_by_role("button", name="Record as held")).to_have_count(0)
    browser_page.follow(page.get_by_role("link", name="Record apologies for a member"))
    page.get_by_label("Who sent apologies?").select_option(
        label="Daniel Cohen, Community Security Trust"
    )
    browser_page.follow(page.get_by_role("button", name="Record apologies"))

    expect(page.get_by_text("Apologies recorded for Daniel Cohen.")).to_be_visible()
    row = page.locator("table tbody tr", has_text="Daniel Cohen")
    expect(row).to_contain_text("Apologies")
    expect(row).to_contain_text("Recorded by Imran Sadiq on")
    expect(page.locator("table tbody tr", has_text="Grace Mensah")).to_be_visible()
