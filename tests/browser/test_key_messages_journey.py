"""Key messages in a real browser: the chair writes three key messages for a held meeting (one
to the community, one to an agency, one to both; a name in one is refused with no way to save it
as written), puts them in order without any script, approves and publishes them with the
minutes; an Independent Advisory Group member reads them on their own page marked OFFICIAL,
downloads the stored PDF (whose SHA-256 the page shows) and finds them in the panel's archive.
The pages fit a 320px phone. axe checks every page on the way."""

from __future__ import annotations

import hashlib
import re

from playwright.sync_api import expect

from tests.browser.conftest import CheckedPage
from tests.browser.test_minutes_journey import (  # noqa: F401  (a fixture)
    _accept_agreement_if_asked,
    held_meeting,
)

VPS = "Take the Victim Personal Statement early, before the first hearing."
UPLIFT = "Tell the victim when the court applied a sentence uplift for hostility."
REPORTING = "Hate crime can be reported online, through the app or at a reporting centre."
PHONE = {"width": 320, "height": 800}


def _fits(browser_page: CheckedPage, what: str) -> None:
    page = browser_page.page
    width, screen = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= screen, f"{what} is {width}px wide on a {screen}px screen"


def _write(browser_page: CheckedPage, text: str, audience: str, agency: bool) -> None:
    page = browser_page.page
    browser_page.follow(page.get_by_role("button", name="Add a key message"))
    page.get_by_label("Key message", exact=True).fill(text)
    page.get_by_label(audience, exact=True).check()
    if agency:
        page.get_by_label("Agency (if it is for an agency)").select_option(index=1)
    browser_page.follow(page.get_by_role("button", name="Save key message"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Key message added.")


def test_the_chair_publishes_key_messages_and_a_reader_downloads_them(
    browser_page: CheckedPage,
    held_meeting: int,  # noqa: F811
):
    page = browser_page.page

    browser_page.sign_in("chair@panel.example")
    browser_page.goto(f"/meetings/{held_meeting}")
    browser_page.follow(page.get_by_role("button", name="Start the minutes"))
    if "/confidentiality" in page.url:
        _accept_agreement_if_asked(browser_page)
        browser_page.follow(page.get_by_role("button", name="Start the minutes"))
    browser_page.goto(f"/meetings/{held_meeting}/minutes")
    browser_page.follow(page.get_by_role("link", name="Write the key messages"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Key messages")

    # A name is personal data: refused beside the field, and there is no saving past it.
    browser_page.follow(page.get_by_role("button", name="Add a key message"))
    page.get_by_label("Key message", exact=True).fill(
        "Mr John Smith waited three months for a call back."
    )
    page.get_by_label("The community", exact=True).check()
    browser_page.follow(page.get_by_role("button", name="Save key message"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("looks like")
    expect(page.get_by_role("button", name="Save as written")).to_have_count(0)
    browser_page.follow(page.get_by_role("link", name="Cancel"))

    _write(browser_page, UPLIFT, "The community and an agency", agency=True)
    _write(browser_page, VPS, "An agency", agency=True)
    _write(browser_page, REPORTING, "The community", agency=False)
    # No script needed to reorder: a button moves the Victim Personal Statement to the top.
    browser_page.follow(page.get_by_role("button", name="Move up: key message 2"))
    messages = page.locator(".panel-key-messages > li")
    expect(messages.nth(0)).to_contain_text(VPS)
    expect(messages.nth(1)).to_contain_text(UPLIFT)
    page.set_viewport_size(PHONE)
    _fits(browser_page, "the key messages page")
    page.set_viewport_size({"width": 1280, "height": 800})

    # Approved and published with the minutes.
    browser_page.follow(page.get_by_role("link", name="Back to the minutes"))
    browser_page.follow(page.get_by_role("button", name="Submit for approval"))
    browser_page.follow(page.get_by_role("button", name="Review and approve"))
    expect(page.locator("#key-messages")).to_be_visible()
    expect(page.get_by_text(VPS)).to_be_visible()
    browser_page.follow(page.get_by_role("button", name="Approve minutes"))
    browser_page.follow(page.get_by_role("link", name="See the key messages"))
    expect(page.get_by_role("link", name="Add a key message")).to_have_count(0)
    expect(page.get_by_text("approved and locked")).to_be_visible()
    browser_page.follow(page.get_by_role("link", name="Back to the minutes"))
    browser_page.follow(page.get_by_role("button", name="Review and publish"))
    expect(page.get_by_text("will also be published on their own")).to_be_visible()
    page.get_by_label(re.compile("I have checked that this is what readers may see")).check()
    browser_page.follow(page.get_by_role("button", name="Publish minutes"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("published")
    browser_page.follow(page.get_by_role("button", name="Sign out"))

    # A reader reads them with the minutes, then on their own page, marked OFFICIAL.
    browser_page.sign_in("reader@panel.example")
    browser_page.follow(page.get_by_role("link", name="Minutes", exact=True))
    browser_page.follow(page.get_by_role("link", name=re.compile(r"Minutes of .*Scrutiny")).first)
    expect(page.get_by_text(VPS)).to_be_visible()
    browser_page.follow(page.get_by_role("link", name=re.compile("Key messages from this meeting")))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Key messages from the")
    expect(page.locator(".panel-marking")).to_have_text("OFFICIAL")
    expect(page.get_by_text(UPLIFT)).to_be_visible()
    expect(page.get_by_text(REPORTING)).to_be_visible()
    shown_sha = re.search(r"\b[0-9a-f]{64}\b", page.content()).group(0)
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"Download the key messages \(PDF")).click()
    pdf = open(download.value.path(), "rb").read()  # noqa: SIM115 - read once, closed by GC
    assert pdf.startswith(b"%PDF")
    assert hashlib.sha256(pdf).hexdigest() == shown_sha
    page.set_viewport_size(PHONE)
    _fits(browser_page, "the published key messages")

    browser_page.follow(page.get_by_role("link", name=re.compile("^Key messages – ")))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Key messages of")
    expect(page.get_by_text(VPS)).to_be_visible()
    _fits(browser_page, "the key messages archive")
