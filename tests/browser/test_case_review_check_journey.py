"""A second pair of eyes in a real browser: the coordinator writes a case review, the chair checks
it for identifying detail, the coordinator changes it, and it is not offered for an agenda until
the chair checks it again. axe checks every page on the way."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import expect

from panel.demo import ISP
from tests.browser.conftest import CheckedPage
from tests.browser.test_case_review_journey import _fill_case_details

SUMMARY = (
    "The victim, a shop worker, was abused because of their religion by a customer at a "
    "supermarket checkout. Suspect 1 was identified from CCTV and interviewed."
)
CHANGED = SUMMARY + " The victim was offered a referral to support."
NEEDS_CHECK = "It can go on a meeting’s agenda once a chair or coordinator who did not write it"


def _accept_agreement_if_asked(browser_page: CheckedPage) -> None:
    page = browser_page.page
    if "/confidentiality" in page.url:
        page.get_by_label("I have read the confidentiality agreement and I agree to it").check()
        browser_page.follow(page.get_by_role("button", name="Accept and continue"))


def _sign_out(browser_page: CheckedPage) -> None:
    browser_page.follow(browser_page.page.get_by_role("button", name="Sign out"))


def _open(browser_page: CheckedPage, email: str, path: str) -> None:
    browser_page.sign_in(email)
    browser_page.goto(path)
    _accept_agreement_if_asked(browser_page)
    expect(browser_page.page).to_have_url(re.compile(re.escape(path) + "$"))


def _check(browser_page: CheckedPage, reference: str) -> None:
    """As the chair, on the case review's page: check it and confirm."""
    page = browser_page.page
    browser_page.follow(
        page.get_by_role("link", name=f"Check case review {reference} for identifying detail")
    )
    expect(page.get_by_role("heading", level=1)).to_contain_text("Check for identifying detail")
    prompts = page.locator("#indirect-identifiers li")
    expect(prompts.first).to_contain_text("A rare job or role")
    expect(page.get_by_text("An exact age or date of birth")).to_be_visible()
    # Confirming without ticking the box is refused, in GOV.UK style.
    browser_page.follow(page.get_by_role("button", name="Confirm checked"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Confirm that you have checked the case review")
    page.get_by_label("I have checked this case review for identifying detail").check()
    browser_page.follow(page.get_by_role("button", name="Confirm checked"))
    expect(
        page.get_by_text(f"Case review {reference} checked for identifying detail.")
    ).to_be_visible()
    expect(page.get_by_text("Checked for identifying detail by Harriet Lang on")).to_be_visible()


def _put_on_agenda(browser_page: CheckedPage) -> None:
    page = browser_page.page
    browser_page.follow(page.get_by_role("button", name="Put on a meeting’s agenda"))
    meetings = page.get_by_role("group", name="Which meeting should discuss this case review?")
    meetings.get_by_role("radio").first.check()
    browser_page.follow(page.get_by_role("button", name="Add to the agenda"))


def _agenda_waits_for_the_check(browser_page: CheckedPage) -> None:
    """Not checked, the case review is not offered for an agenda, and the page says why."""
    page = browser_page.page
    expect(page.get_by_role("button", name="Put on a meeting’s agenda")).to_have_count(0)
    expect(page.locator("#agenda-needs-check")).to_contain_text(NEEDS_CHECK)


def test_the_agenda_refuses_a_case_review_changed_since_the_chair_checked_it(
    browser_page: CheckedPage,
):
    page = browser_page.page

    # The coordinator writes the case review: not yet checked, so it cannot go on an agenda.
    browser_page.sign_in("coordinator@panel.example")
    browser_page.follow(page.get_by_role("table").get_by_role("link", name=ISP, exact=True))
    browser_page.follow(page.get_by_role("link", name=f"Case reviews of {ISP}"))
    _accept_agreement_if_asked(browser_page)
    browser_page.follow(page.get_by_role("button", name="Add a case review"))
    _fill_case_details(page)
    page.get_by_label("Summary of the case").fill(SUMMARY)
    browser_page.follow(page.get_by_role("button", name="Save case review"))
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text(re.compile(r"Case review ISP-\d{4}-\d{3}"))
    reference = heading.inner_text().split("\n")[-1].strip().removeprefix("Case review ")
    path = urlsplit(page.url).path
    expect(page.get_by_text("Not yet checked.")).to_be_visible()
    # Its author is not offered the check.
    expect(page.get_by_role("link", name=re.compile("for identifying detail"))).to_have_count(0)
    _agenda_waits_for_the_check(browser_page)
    _sign_out(browser_page)

    # The chair reads it, with the prompts for indirect identifiers, and confirms it checked.
    _open(browser_page, "chair@panel.example", path)
    _check(browser_page, reference)
    _sign_out(browser_page)

    # The coordinator changes the summary: the check is withdrawn, and the agenda refuses it.
    _open(browser_page, "coordinator@panel.example", path)
    browser_page.follow(page.get_by_role("button", name="Change the case details"))
    page.get_by_label("Summary of the case").fill(CHANGED)
    browser_page.follow(page.get_by_role("button", name="Save case review"))
    expect(page.get_by_text(f"Case review {reference} saved.")).to_be_visible()
    expect(
        page.get_by_text("Not checked since its text changed (last checked by Harriet Lang on")
    ).to_be_visible()
    _agenda_waits_for_the_check(browser_page)
    expect(page.get_by_text("Not on any meeting’s agenda yet.")).to_be_visible()
    _sign_out(browser_page)

    # Checked again by the chair, it goes on the agenda.
    _open(browser_page, "chair@panel.example", path)
    _check(browser_page, reference)
    _sign_out(browser_page)
    _open(browser_page, "coordinator@panel.example", path)
    _put_on_agenda(browser_page)
    expect(page.get_by_text(f"Case review {reference} added to the agenda.")).to_be_visible()
