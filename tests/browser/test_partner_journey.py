"""A Coventry partner between visits, on a 390 x 844 phone (issue 14): the tenancy enforcement
officer signs in with her second factor, finds her organisation's overdue intervention on the home
page, accepts the panel's confidentiality agreement, sees on the live case what the police are
doing for the same victim, logs the intervention her organisation has just agreed, updates it
with a progress note that has a date in it, and closes it with an outcome. No page scrolls
sideways and axe checks every page on the way."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect

from panel.core.time import uk_today
from panel.demo import DEMO_PASSWORD
from tests.browser.conftest import CheckedPage
from tests.browser.test_small_screens import assert_fits_the_screen

PHONE = {"width": 390, "height": 844}
HOUSING = "Coventry Homes Partnership"
POLICE = "West Midlands Police, Coventry NPU"
LOGGED = "Move the family to a ground-floor home away from Suspect 1, on a management transfer."
PROGRESS = "Met the family on 1 December: they accepted the offer of a transfer."


def test_a_partner_logs_updates_and_closes_her_organisations_intervention_on_a_phone(
    browser_page: CheckedPage,
):
    page = browser_page.page
    page.set_viewport_size(PHONE)

    # She signs in with her password, then the code from her authenticator app.
    browser_page.goto("/sign-in")
    page.get_by_label("Email address").fill("member@panel.example")
    page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    browser_page.follow(page.get_by_role("button", name="Sign in"))
    expect(page).to_have_url(re.compile(r"/sign-in/code$"))
    browser_page.enter_code_if_asked("member@panel.example")

    # Her home page leads with what her organisation owes: the overdue tenancy warning.
    expect(page.get_by_role("heading", name="Your organisation’s work")).to_be_visible()
    work = page.get_by_role("table", name=re.compile(f"{HOUSING} owns"))
    overdue = (
        work.locator("tbody tr")
        .filter(has_text="Overdue")
        .filter(has_text="Housing action against a perpetrator")
    )
    expect(overdue).to_have_count(1)
    assert_fits_the_screen(browser_page)

    # Opening it asks for the panel's agreement first, then comes back to it.
    browser_page.follow(overdue.get_by_role("link", name=re.compile(r"^Intervention \d+")))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Confidentiality agreement")
    assert_fits_the_screen(browser_page)
    page.get_by_label("I have read the confidentiality agreement and I agree to it").check()
    browser_page.follow(page.get_by_role("button", name="Accept and continue"))
    expect(page.get_by_text("Tenancy warning to Suspect 1")).to_be_visible()
    assert_fits_the_screen(browser_page)

    # On the live case she sees every agency's work for the victim: the police target hardening
    # is already under way, read-only for her.
    browser_page.follow(
        page.locator("#main-content").get_by_role(
            "link", name=re.compile(r"^Case CHCP-\d{4}-\d{3}$")
        )
    )
    interventions = page.get_by_role("table", name=re.compile("Interventions for case"))
    police_row = interventions.locator("tbody tr").filter(has_text="Target hardening")
    expect(police_row).to_contain_text(POLICE)
    expect(
        page.get_by_text(re.compile("owned by other organisations are not shown"))
    ).to_have_count(0)
    assert_fits_the_screen(browser_page)

    # She logs what her organisation agreed this morning.
    browser_page.follow(page.get_by_role("button", name=f"Log an intervention {HOUSING} agreed"))
    assert_fits_the_screen(browser_page)
    page.get_by_label("Type of intervention").select_option(
        label="Housing action against a perpetrator"
    )
    page.get_by_label("What was agreed").fill(LOGGED)
    due = uk_today() + timedelta(days=21)
    page.get_by_label("Day").fill(str(due.day))
    page.get_by_label("Month").fill(str(due.month))
    page.get_by_label("Year").fill(str(due.year))
    browser_page.follow(page.get_by_role("button", name="Log intervention"))
    expect(page.locator(".govuk-notification-banner")).to_be_visible()
    expect(page.get_by_text(LOGGED)).to_be_visible()
    expect(page.get_by_text("Logged by partner").first).to_be_visible()
    logged_id = re.search(r"/interventions/(\d+)", page.url).group(1)
    assert_fits_the_screen(browser_page)

    # A progress note with a date in it is not an identifying date: it saves as written.
    page.get_by_label("In progress").check()
    page.get_by_label("Update", exact=True).fill(PROGRESS)
    browser_page.follow(page.get_by_role("button", name="Save update"))
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    expect(page.locator("#updates ~ *")).to_contain_text(PROGRESS)
    assert_fits_the_screen(browser_page)

    # ... and closes it with its outcome.
    page.get_by_label("Completed", exact=True).check()
    page.get_by_label("Update", exact=True).fill("Transfer completed; no incidents since the move.")
    browser_page.follow(page.get_by_role("button", name="Save update"))
    expect(page.locator("#updates ~ *")).to_contain_text("Transfer completed")
    expect(page.locator("h1 + p .govuk-tag").first).to_have_text("Completed")
    assert_fits_the_screen(browser_page)

    # Back on the case, the picture includes hers, completed, beside the police's.
    browser_page.follow(
        page.locator("#main-content").get_by_role(
            "link", name=re.compile(r"^Case CHCP-\d{4}-\d{3}$")
        )
    )
    mine = (
        page.get_by_role("table", name=re.compile("Interventions for case"))
        .locator("tbody tr")
        .filter(has=page.locator(f'a[href="/interventions/{logged_id}"]'))
    )
    expect(mine).to_contain_text("Completed")
    assert_fits_the_screen(browser_page)
