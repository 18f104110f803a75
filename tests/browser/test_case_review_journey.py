"""A coordinator's case review in a real browser: accepting the confidentiality agreement, adding
a case whose summary gives away a postcode, redacting it in one click, recording five stage
findings and seeing them at a glance, then putting the case on a meeting's agenda. axe checks
every page on the way."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

from panel.cases.models import CaseReview
from panel.demo import ISP
from panel.extensions import db
from tests.browser.conftest import CheckedPage, committing
from tests.cases import factories as case_factories

NARRATIVE = (
    "The victim, a bus driver, was racially abused by a passenger near CV1 5RR on an evening "
    "route. Suspect 1 was identified from CCTV, interviewed and charged."
)
FINDINGS = {
    "Report and initial response": ("Good practice", "Flagged as hate crime from the first call."),
    "Investigation": ("Satisfactory", "CCTV seized the same night; the plan was brief."),
    "Charging decision": ("Good practice", "The right aggravated offence was charged."),
    "Case progression and court": ("Area for improvement", "The statement was taken late."),
    "Victim care": ("Area for improvement", "No referral to victim support was recorded."),
}


def _answer(page: Page, question: str, answer: str) -> None:
    page.get_by_role("group", name=question).get_by_label(answer, exact=True).check()


def _fill_case_details(page: Page) -> None:
    page.get_by_label("Race (including nationality and ethnicity)").check()
    page.get_by_label("Offence category").select_option(label="Public order")
    page.get_by_label("Legislation (optional)").fill("Crime and Disorder Act 1998 s.31(1)(b)")
    page.get_by_label("How it was reported").select_option(label="Telephone (999 or 101)")
    page.get_by_label("Month", exact=True).select_option(label="March")
    page.get_by_label("Year", exact=True).fill(str(date.today().year - 1))
    page.get_by_label("Policing area (NPU)").fill("Coventry NPU")
    page.get_by_label("Type of location").select_option(label="Public transport")
    page.get_by_label("Victim’s age band").select_option(label="45 to 54")
    _answer(page, "Was the victim a key worker?", "Yes")
    _answer(page, "Was the victim a repeat victim?", "No")
    _answer(page, "Were the victim’s wishes recorded?", "Yes")
    _answer(page, "Was a suspect identified?", "Yes")
    page.get_by_label("Outcome (Home Office outcome type)").select_option(
        label="1: Charged or summonsed"
    )
    _answer(page, "Out-of-court disposal", "None")
    _answer(page, "Was a sentence uplift for hostility applied?", "Yes")
    _answer(page, "Was the uplift announced in open court?", "Yes")
    page.get_by_label("Summary of the case").fill(NARRATIVE)


def test_coordinator_adds_a_case_review_redacts_a_postcode_and_records_five_stage_findings(
    browser_page: CheckedPage,
):
    page = browser_page.page
    browser_page.sign_in("coordinator@panel.example")

    browser_page.follow(page.get_by_role("table").get_by_role("link", name=ISP, exact=True))
    browser_page.follow(page.get_by_role("link", name=f"Case reviews of {ISP}"))

    # Case material waits for the confidentiality agreement, then comes back to the list.
    if "/confidentiality" in page.url:
        expect(page.get_by_role("heading", level=1)).to_contain_text("Confidentiality agreement")
        page.get_by_label("I have read the confidentiality agreement and I agree to it").check()
        browser_page.follow(page.get_by_role("button", name="Accept and continue"))
    expect(page).to_have_url(re.compile(r"/case-reviews\??$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Case reviews")

    browser_page.follow(page.get_by_role("button", name="Add a case review"))
    _fill_case_details(page)
    browser_page.follow(page.get_by_role("button", name="Save case review"))

    # Stopped: the summary names the kind, and the text shows the finding highlighted.
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(
        summary.get_by_role("link", name=re.compile("contains what looks like a postcode"))
    ).to_have_attribute("href", "#narrative")
    finding = page.locator("mark.panel-finding")
    expect(finding).to_have_count(1)
    expect(finding).to_contain_text("CV1 5RR")
    expect(finding).to_contain_text("(a postcode)")
    # Everything else entered is still there.
    expect(page.get_by_label("Policing area (NPU)")).to_have_value("Coventry NPU")
    expect(page.get_by_label("Race (including nationality and ethnicity)")).to_be_checked()

    browser_page.follow(page.get_by_role("button", name="Redact and save"))
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text(re.compile(r"Case review ISP-\d{4}-\d{3}"))
    expect(page.get_by_text(re.compile(r"Case review ISP-\d{4}-\d{3} added\."))).to_be_visible()
    expect(page.get_by_text("near [POSTCODE] on an evening route")).to_be_visible()
    expect(page.get_by_text("CV1 5RR")).to_have_count(0)
    expect(page.get_by_text("0 of 7 stages rated.")).to_be_visible()

    browser_page.follow(page.get_by_role("button", name="Record stage findings"))
    for stage, (rating, comment) in FINDINGS.items():
        page.get_by_role("group", name=stage, exact=True).get_by_label(rating, exact=True).check()
        page.get_by_label(f"Comment on {stage.lower()}").fill(comment)
    page.get_by_label("The panel’s overall view (optional)").fill(
        "A sound prosecution; victim care needs attention."
    )
    browser_page.follow(page.get_by_role("button", name="Save stage findings"))

    # At a glance: every stage in order, five rated with comments, two still to do.
    expect(page.get_by_text("Stage findings saved.")).to_be_visible()
    expect(page.get_by_text("5 of 7 stages rated.")).to_be_visible()
    rows = (
        page.get_by_role("table")
        .filter(has_text="Stage findings for case review")
        .locator("tbody tr")
    )
    expect(rows).to_have_count(7)
    for stage, (rating, comment) in FINDINGS.items():
        row = rows.filter(has=page.get_by_role("rowheader", name=stage, exact=True))
        expect(row).to_contain_text(rating)
        expect(row).to_contain_text(comment)
    for stage in ("Sentencing", "Outcome"):
        row = rows.filter(has=page.get_by_role("rowheader", name=stage, exact=True))
        expect(row).to_contain_text("Not recorded yet")
    expect(page.get_by_text("A sound prosecution; victim care needs attention.")).to_be_visible()

    # Checked for identifying detail by the chair, as `test_case_review_check_journey` does in
    # the browser, and on to a meeting's agenda, whose page then links back to the case.
    reference = heading.inner_text().split("\n")[-1].strip()
    with committing(browser_page.app):
        case_review = db.session.scalar(
            db.select(CaseReview).filter_by(reference=reference.removeprefix("Case review "))
        )
        case_factories.mark_checked(case_review)
    # Checked, the page offers the agenda (it did not before the check).
    browser_page.goto(urlsplit(page.url).path)
    browser_page.follow(page.get_by_role("button", name="Put on a meeting’s agenda"))
    meetings = page.get_by_role("group", name="Which meeting should discuss this case review?")
    meetings.get_by_role("radio").first.check()
    browser_page.follow(page.get_by_role("button", name="Add to the agenda"))
    expect(page.get_by_text(re.compile(r"added to the agenda\."))).to_be_visible()
    browser_page.follow(page.locator("#meetings ~ ul").get_by_role("link").first)
    browser_page.follow(page.get_by_role("link", name=reference, exact=True))
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
