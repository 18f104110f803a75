"""The whole meeting cycle on one meeting, in a real browser, as a scrutiny panel runs it.

The coordinator builds the agenda with three case reviews from the agenda page (they land before
"Any other business", each with a start time); a member sends apologies with a deputy the week
before; the meeting is held and the register starts from those apologies; the coordinator drafts
the minutes, recording that the previous minutes were agreed with one amendment; the chair
approves through the confirmation page and publishes; a reader reads the reader version and
downloads it. axe checks every page on the way.
"""

from __future__ import annotations

import hashlib
import io
import re
from datetime import UTC, datetime, time, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect
from pypdf import PdfReader

from panel.extensions import db
from panel.meetings.models import Meeting
from panel.minutes.models import Minutes
from tests.browser.conftest import (
    CheckedPage,
    LiveServer,
    ScrutinyMeeting,
    committing,
    scrutiny_meeting,
)

AMENDMENT = "Item 3: the victims' service attended by video, not in person."
PUBLIC_NOTE = "The panel reviewed three finalised cases and agreed the lessons below."
DEPUTY = "Sam Collins"


@pytest.fixture
def next_meeting(live_server: LiveServer) -> ScrutinyMeeting:
    """A scrutiny panel meeting eight days from now (after the demo's held meeting, before its
    next one) and three case reviews ready for it."""
    return scrutiny_meeting(live_server.app, 8, time(14), case_reviews=3)


def _accept_agreement_if_asked(browser_page: CheckedPage) -> None:
    page = browser_page.page
    if "/confidentiality" in page.url:
        page.get_by_label("I have read the confidentiality agreement and I agree to it").check()
        browser_page.follow(page.get_by_role("button", name="Accept and continue"))


def _the_meeting_starts(live_server: LiveServer, meeting_id: int) -> None:
    """Time passes: the meeting began two hours ago (no page can do this)."""
    with committing(live_server.app):
        meeting = db.session.get(Meeting, meeting_id)
        meeting.starts_at = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
        db.session.commit()


def test_a_meeting_from_an_empty_agenda_to_published_minutes(
    browser_page: CheckedPage, live_server: LiveServer, next_meeting: ScrutinyMeeting
):
    page = browser_page.page
    meeting_url = f"/meetings/{next_meeting.meeting_id}"

    # 1. The coordinator adds the three case reviews from the agenda page.
    browser_page.sign_in("coordinator@panel.example")
    browser_page.goto(f"{meeting_url}/agenda")
    browser_page.follow(page.get_by_role("button", name="Add case reviews"))
    _accept_agreement_if_asked(browser_page)
    for reference in next_meeting.references:
        page.get_by_label(reference, exact=True).check()
    browser_page.follow(page.get_by_role("button", name="Add to the agenda"))
    expect(page.get_by_text("3 case reviews added to the agenda")).to_be_visible()
    rows = page.get_by_role("table").get_by_role("row")
    titles = [text.strip() for text in rows.all_inner_texts()]
    case_rows = [i for i, text in enumerate(titles) if "Case review" in text]
    aob_row = next(i for i, text in enumerate(titles) if "Any other business" in text)
    assert len(case_rows) == 3 and max(case_rows) < aob_row, titles
    # Every item, Any other business included, has a start time.
    for index in [*case_rows, aob_row]:
        assert re.search(r"\d{1,2}(:\d{2})?(am|pm)", titles[index]), titles[index]
    browser_page.follow(page.get_by_role("button", name="Sign out"))

    # 2. A member sends apologies the week before, naming a deputy from her organisation.
    browser_page.sign_in("member@panel.example")
    browser_page.goto(meeting_url)
    browser_page.follow(page.get_by_role("button", name="Send your apologies"))
    page.get_by_label("Deputy’s name (optional)").fill(DEPUTY)
    browser_page.follow(page.get_by_role("button", name="Send apologies"))
    expect(page.get_by_text("Your apologies have been sent.")).to_be_visible()
    browser_page.follow(page.get_by_role("button", name="Sign out"))

    # 3. The meeting is held: the register starts from the apologies sent before it.
    _the_meeting_starts(live_server, next_meeting.meeting_id)
    browser_page.sign_in("coordinator@panel.example")
    browser_page.goto(meeting_url)
    browser_page.follow(page.get_by_role("button", name="Record as held"))
    browser_page.follow(page.get_by_role("link", name="Record attendance"))
    expect(page.get_by_label(re.compile("Deputy’s name.*Grace Mensah"))).to_have_value(DEPUTY)
    # Everyone else came.
    for member in page.locator("form fieldset").all():
        if member.locator("input[type=radio]:checked").count() == 0:
            member.get_by_label("Present", exact=True).check()
    browser_page.follow(page.get_by_role("button", name=re.compile("Save")))
    expect(page.get_by_text("Attendance saved.")).to_be_visible()
    expect(page.get_by_text("Quorum met")).to_be_visible()

    # 4. The coordinator drafts the minutes: the previous minutes agreed with one amendment.
    browser_page.goto(meeting_url)
    browser_page.follow(page.get_by_role("button", name="Start the minutes"))
    _accept_agreement_if_asked(browser_page)
    if page.url.endswith("/minutes/start"):
        browser_page.follow(page.get_by_role("button", name="Start the minutes"))
    expect(page).to_have_url(re.compile(r"/minutes/edit$"))
    page.get_by_label("Agreed as a correct record, with amendments").check()
    page.get_by_label("Amendments to the previous minutes").fill(AMENDMENT)
    page.get_by_label(re.compile(r"Public notes .*item 1\b")).fill(PUBLIC_NOTE)
    browser_page.follow(page.get_by_role("button", name="Save notes"))
    expect(page.get_by_text(AMENDMENT).first).to_be_visible()
    browser_page.follow(page.get_by_role("button", name="Submit for approval"))
    browser_page.follow(page.get_by_role("button", name="Sign out"))

    # 5. The chair approves through the confirmation page, which shows what readers will see.
    browser_page.sign_in("chair@panel.example")
    browser_page.goto(f"{meeting_url}/minutes")
    _accept_agreement_if_asked(browser_page)
    browser_page.follow(page.get_by_role("button", name="Review and approve"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Approve the minutes of")
    expect(page.get_by_text(PUBLIC_NOTE).first).to_be_visible()
    browser_page.follow(page.get_by_role("button", name="Approve minutes"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("approved and locked")
    browser_page.follow(page.get_by_role("button", name="Review and publish"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Publish the minutes of")
    page.get_by_label(re.compile("I have checked that this is what readers may see")).check()
    browser_page.follow(page.get_by_role("button", name="Publish minutes"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("published")
    browser_page.follow(page.get_by_role("button", name="Sign out"))

    # 6. A reader reads the reader version and downloads it: the stored bytes.
    browser_page.sign_in("reader@panel.example")
    with committing(live_server.app):
        minutes_id = db.session.scalar(
            sa.select(Minutes.id).where(Minutes.meeting_id == next_meeting.meeting_id)
        )
    browser_page.goto(f"/minutes/{minutes_id}")
    expect(page.get_by_text(PUBLIC_NOTE)).to_be_visible()
    expect(page.get_by_text(AMENDMENT)).to_be_visible()
    shown_sha = re.search(r"\b[0-9a-f]{64}\b", page.content()).group(0)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the minutes (PDF)").click()
    pdf = open(download.value.path(), "rb").read()  # noqa: SIM115 - read once, closed by GC
    assert hashlib.sha256(pdf).hexdigest() == shown_sha
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Reader version" in text
    assert "Agreed" in text and AMENDMENT in text
    assert "Grace Mensah" in text and DEPUTY in text
    assert "Harriet Lang" in text and "Quorate" in text
