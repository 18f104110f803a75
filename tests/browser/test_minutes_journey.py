"""Minutes in a real browser, from the chair to a reader: the chair starts the minutes of a held
meeting, writes a public and a restricted note, submits, approves, reviews what readers will see
and publishes; an Independent Advisory Group member reads the published minutes, downloads the
PDF (the stored bytes, whose SHA-256 the page shows), and cannot open the draft or restricted
minutes by URL. axe checks every page on the way."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from panel.demo import ISP
from panel.extensions import db
from panel.meetings import services as meetings
from panel.meetings.models import AgendaItem, Meeting, MeetingStatus
from panel.panels.models import Panel
from tests.browser.conftest import CheckedPage, LiveServer, committing

PUBLIC_NOTE = "The chair welcomed members and thanked the deputies for attending."
RESTRICTED_NOTE = "Police described the local dispute behind the rise in reports, in confidence."


@pytest.fixture
def held_meeting(live_server: LiveServer) -> int:
    """A held meeting of the scrutiny panel last week, with its standing agenda and no minutes."""
    with committing(live_server.app):
        panel = db.session.scalar(sa.select(Panel).where(Panel.name == ISP))
        starts = datetime.now(UTC).replace(hour=13, minute=0, second=0, microsecond=0)
        meeting = Meeting(
            panel=panel,
            starts_at=starts - timedelta(days=6),
            duration_minutes=120,
            place="CPS West Midlands, Birmingham office",
            status=MeetingStatus.HELD,
        )
        meeting.agenda_items = [
            AgendaItem(position=item.position, kind=item.kind, title=item.title)
            for item in meetings.agenda_template(panel)
        ]
        db.session.add(meeting)
        db.session.commit()
        meeting_id = meeting.id
    return meeting_id


def _accept_agreement_if_asked(browser_page: CheckedPage) -> None:
    page = browser_page.page
    if "/confidentiality" in page.url:
        page.get_by_label("I have read the confidentiality agreement and I agree to it").check()
        browser_page.follow(page.get_by_role("button", name="Accept and continue"))


def test_the_chair_publishes_minutes_and_a_reader_reads_and_downloads_them(
    browser_page: CheckedPage, held_meeting: int
):
    page = browser_page.page

    # The chair starts the minutes from the meeting's page.
    browser_page.sign_in("chair@panel.example")
    browser_page.goto(f"/meetings/{held_meeting}")
    browser_page.follow(page.get_by_role("button", name="Start the minutes"))
    if "/confidentiality" in page.url:
        # Minutes are case material: accept the agreement, and be taken back to starting them.
        _accept_agreement_if_asked(browser_page)
        expect(page).to_have_url(re.compile(rf"/meetings/{held_meeting}/minutes/start$"))
        browser_page.follow(page.get_by_role("button", name="Start the minutes"))
    expect(page).to_have_url(re.compile(r"/minutes/edit$"))

    # Notes in two layers: what readers see, and what stays with members.
    page.get_by_label(re.compile(r"Public notes .*item 1")).fill(PUBLIC_NOTE)
    page.get_by_label(re.compile(r"Restricted notes .*item 3")).fill(RESTRICTED_NOTE)
    browser_page.follow(page.get_by_role("button", name="Save notes"))
    expect(page.get_by_text(PUBLIC_NOTE)).to_be_visible()
    expect(page.get_by_text(RESTRICTED_NOTE)).to_be_visible()

    browser_page.follow(page.get_by_role("button", name="Submit for approval"))
    # Approval is confirmed on a page of its own, which shows what readers will see.
    browser_page.follow(page.get_by_role("button", name="Review and approve"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Approve the minutes of")
    expect(page.get_by_text(PUBLIC_NOTE)).to_be_visible()
    expect(page.get_by_text(RESTRICTED_NOTE)).to_have_count(0)
    browser_page.follow(page.get_by_role("button", name="Approve minutes"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("approved and locked")
    expect(page.locator(".govuk-summary-list").first).to_contain_text("Drafted")

    # The redaction review shows exactly what readers will get: the public note, not the other.
    browser_page.follow(page.get_by_role("button", name="Review and publish"))
    expect(page.get_by_text(PUBLIC_NOTE)).to_be_visible()
    expect(page.get_by_text(RESTRICTED_NOTE)).to_have_count(0)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Publish the minutes of")
    browser_page.follow(page.get_by_role("button", name="Publish minutes"))
    expect(page.locator(".govuk-error-summary")).to_be_visible()  # the check is required
    page.get_by_label(re.compile("I have checked that this is what readers may see")).check()
    browser_page.follow(page.get_by_role("button", name="Publish minutes"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("published")

    # Among the panel's settings, the chair may require someone other than the drafter to
    # approve the minutes (left as it is here: other journeys share the demo panel).
    panel_url = page.get_by_role("link", name=ISP, exact=True).first.get_attribute("href")
    browser_page.goto(f"{panel_url}/settings")
    expect(page.get_by_text("The approver must not be the person who drafted")).to_be_visible()
    browser_page.follow(page.get_by_role("link", name=re.compile("Change whether the approver")))
    expect(page.get_by_role("group")).to_contain_text("someone other than the person who drafted")
    browser_page.follow(page.get_by_role("link", name="Cancel"))
    browser_page.follow(page.get_by_role("button", name="Sign out"))

    # An IAG member finds them among the published minutes and reads them.
    browser_page.sign_in("reader@panel.example")
    browser_page.follow(page.get_by_role("link", name="Minutes", exact=True))
    listed = page.get_by_role("row").filter(has_text=ISP)
    expect(listed.first).to_be_visible()
    row = page.get_by_role("link", name=re.compile(r"Minutes of .*" + re.escape(ISP)))
    browser_page.follow(row.first)
    expect(page.get_by_text(PUBLIC_NOTE)).to_be_visible()
    expect(page.get_by_text(RESTRICTED_NOTE)).to_have_count(0)
    shown_sha = re.search(r"\b[0-9a-f]{64}\b", page.content()).group(0)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the minutes (PDF)").click()
    pdf = open(download.value.path(), "rb").read()  # noqa: SIM115 - read once, closed by GC
    assert pdf.startswith(b"%PDF")
    assert hashlib.sha256(pdf).hexdigest() == shown_sha

    # The draft, restricted and member pages stay closed to them, whatever the URL.
    for path in (
        f"/meetings/{held_meeting}/minutes",
        f"/meetings/{held_meeting}/minutes.pdf",
        f"/meetings/{held_meeting}/minutes/versions/1",
        f"/meetings/{held_meeting}/minutes/edit",
    ):
        response = browser_page.goto(path)
        assert response.status in (403, 404), path
        expect(page.get_by_text(RESTRICTED_NOTE)).to_have_count(0)
