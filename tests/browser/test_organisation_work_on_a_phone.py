"""A partner between visits, on a 320px phone: her home page lists what her organisation owes,
overdue first, the navigation counts what is overdue, and one tap opens an intervention's update
form; neither page scrolls sideways (WCAG 2.2 1.4.10 Reflow), and axe checks each."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import CheckedPage
from tests.browser.test_interventions_journey import _accept_the_agreement_if_asked
from tests.browser.test_small_screens import PHONE, assert_fits_the_screen


def test_a_partner_finds_and_opens_her_organisations_overdue_work_on_a_phone(
    browser_page: CheckedPage,
):
    page = browser_page.page
    page.set_viewport_size(PHONE)
    browser_page.sign_in("member@panel.example")

    expect(page.get_by_role("heading", name="Your organisation’s work")).to_be_visible()
    work = page.get_by_role("table", name=re.compile("Coventry Homes Partnership owns"))
    overdue = work.locator("tbody tr").filter(has_text="Overdue").first
    expect(overdue).to_be_visible()
    expect(page.locator("#organisation-work-count")).to_contain_text(re.compile(r"\d+ overdue"))
    # The count is in the link's words, for a screen reader too (the menu is folded on a phone).
    expect(page.locator('.govuk-service-navigation a[href="/interventions"]')).to_contain_text(
        re.compile(r"Interventions\s+\d+ overdue")
    )
    assert_fits_the_screen(browser_page)

    browser_page.follow(overdue.get_by_role("link", name=re.compile(r"^Update intervention \d+")))
    _accept_the_agreement_if_asked(browser_page)
    expect(page.get_by_role("heading", name="Add an update")).to_be_visible()
    assert_fits_the_screen(browser_page)

    browser_page.goto("/interventions")
    expect(page.get_by_role("heading", name=re.compile(r"^Overdue \(\d+\)"))).to_be_visible()
    assert_fits_the_screen(browser_page)


def test_every_page_a_partner_uses_fits_a_320px_phone(
    browser_page: CheckedPage,
):
    """The live case, the list of the panel's interventions, an intervention with its update form
    and the form to log one: each at 320px, after the agreement (itself checked at that width)."""
    page = browser_page.page
    page.set_viewport_size(PHONE)
    browser_page.sign_in("member@panel.example")
    browser_page.goto("/interventions")
    browser_page.follow(page.get_by_role("link", name=re.compile(r"^Intervention \d+")).first)
    _accept_the_agreement_if_asked(browser_page)
    expect(page.get_by_role("heading", name="Add an update")).to_be_visible()
    assert_fits_the_screen(browser_page)

    browser_page.follow(
        page.locator("#main-content").get_by_role("link", name=re.compile(r"^Case CHCP-"))
    )
    expect(page.get_by_role("table", name=re.compile("Interventions for case"))).to_be_visible()
    assert_fits_the_screen(browser_page)

    browser_page.follow(page.get_by_role("button", name=re.compile("^Log an intervention")))
    expect(page.get_by_role("heading", name="Log an intervention")).to_be_visible()
    assert_fits_the_screen(browser_page)

    browser_page.follow(page.get_by_role("link", name="Back"))
    panel_page = page.get_by_role("navigation", name="Breadcrumb").get_by_role("link").nth(1)
    browser_page.goto(f"{panel_page.get_attribute('href')}/interventions")
    expect(page.get_by_role("button", name="Apply filters")).to_be_visible()
    assert_fits_the_screen(browser_page)
