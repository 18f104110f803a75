"""Signing in and out in a real browser, as each demo account, with axe checking every page."""

from __future__ import annotations

import re

import pyotp
import pytest
from playwright.sync_api import Page, expect

from panel.accounts import services as accounts
from panel.demo import COVENTRY, DEMO_ACCOUNTS, DEMO_PASSWORD
from panel.extensions import db
from panel.panels import services as panels
from panel.panels.models import Panel, Role
from tests.browser.conftest import CheckedPage, committing

ADMIN_LINKS = [
    "Manage organisations",
    "Manage users",
    "Manage panels and memberships",
    "Read the audit trail",
]


def sign_in_form(page: Page, email: str, password: str) -> None:
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)


def expect_sign_in_page(page: Page) -> None:
    expect(page).to_have_url(re.compile(r"/sign-in(\?|$)"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Panel")


@pytest.mark.parametrize(
    ("email", "full_name", "organisation", "roles"),
    [(email, name, org, roles) for email, name, _title, org, roles in DEMO_ACCOUNTS],
    ids=[email.split("@")[0] for email, *_ in DEMO_ACCOUNTS],
)
def test_demo_account_signs_in_sees_their_panels_and_signs_out(
    browser_page: CheckedPage, email, full_name, organisation, roles
):
    page = browser_page.page

    # Signed out, the home page sends you to sign in, and says why.
    browser_page.goto("/")
    expect_sign_in_page(page)
    expect(page.get_by_text("Sign in to see that page.")).to_be_visible()
    expect(page.get_by_text("OFFICIAL-SENSITIVE", exact=True)).to_have_count(0)

    sign_in_form(page, email, DEMO_PASSWORD)
    browser_page.follow(page.get_by_role("button", name="Sign in"))
    # Everyone, readers included, gives a second factor: the demo accounts' authenticator app.
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your two-factor sign-in code")
    browser_page.enter_code_if_asked(email)

    expect(page).to_have_url(re.compile(r"/$"))
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text(f"Welcome, {full_name}")
    expect(heading).to_contain_text(organisation)
    expect(page.get_by_text("OFFICIAL-SENSITIVE", exact=True)).to_be_visible()

    # The table lists exactly this person's panels, by name, each with their role on it.
    rows = page.locator("#your-panels tbody tr")
    expected = [(panel, role.label) for panel, role in sorted(roles.items())]
    expect(rows).to_have_count(len(expected))
    shown = [
        (row.locator("td, th").nth(0).inner_text(), row.locator("td, th").nth(3).inner_text())
        for row in rows.all()
    ]
    assert shown == expected

    # Only the administrator is offered the admin area, on the page and in the navigation.
    navigation = page.get_by_role("navigation", name="Menu")
    administration = page.get_by_role("heading", name="Administration")
    if email.startswith("admin@"):
        expect(page.get_by_text("You do not sit on any panel yet.")).to_be_visible()
        expect(administration).to_be_visible()
        for link in ADMIN_LINKS:
            expect(page.get_by_role("link", name=link)).to_be_visible()
        expect(navigation.get_by_role("link", name="Audit trail")).to_be_visible()
    else:
        expect(administration).to_have_count(0)
        expect(navigation.get_by_role("link", name="Audit trail")).to_have_count(0)

    if roles:
        panel, role = next(iter(roles.items()))
        browser_page.follow(page.get_by_role("table").get_by_role("link", name=panel, exact=True))
        expect(page.get_by_role("heading", level=1)).to_contain_text(panel)
        your_role = page.locator(".govuk-summary-list__row", has_text="Your role")
        expect(your_role.locator(".govuk-summary-list__value")).to_have_text(role.label)

    browser_page.follow(navigation.get_by_role("button", name="Sign out"))
    expect_sign_in_page(page)
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)

    # The session really ended: the home page asks for sign-in again.
    browser_page.goto("/")
    expect_sign_in_page(page)


def test_wrong_password_shows_the_error_summary_and_moves_focus_to_it(browser_page: CheckedPage):
    page = browser_page.page
    browser_page.goto("/sign-in")
    sign_in_form(page, "member@panel.example", "not the password")
    browser_page.follow(page.get_by_role("button", name="Sign in"))

    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    # GOV.UK Frontend's script moves focus to the summary, so screen readers announce it.
    expect(summary).to_be_focused()
    link = summary.get_by_role("link", name="Enter a correct email address and password")
    expect(link).to_have_attribute("href", "#email")
    # The e-mail is kept, the password is not sent back.
    expect(page.get_by_label("Email address")).to_have_value("member@panel.example")
    expect(page.get_by_label("Password", exact=True)).to_have_value("")

    link.click()
    expect(page.get_by_label("Email address")).to_be_focused()


def test_empty_sign_in_form_shows_an_error_for_each_field(browser_page: CheckedPage):
    page = browser_page.page
    browser_page.goto("/sign-in")
    browser_page.follow(page.get_by_role("button", name="Sign in"))

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="Enter your email address")).to_have_attribute(
        "href", "#email"
    )
    expect(summary.get_by_role("link", name="Enter your password")).to_have_attribute(
        "href", "#password"
    )
    # Each message is also beside its field, where the field's description points to it.
    expect(page.get_by_label("Email address")).to_have_accessible_description(
        re.compile("Enter your email address")
    )
    expect(page.get_by_label("Password", exact=True)).to_have_accessible_description(
        re.compile("Enter your password")
    )


def test_missing_panel_shows_the_not_found_page_when_signed_in(browser_page: CheckedPage):
    browser_page.sign_in("chair@panel.example")
    response = browser_page.goto("/panels/99999")

    assert response is not None and response.status == 404
    page = browser_page.page
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_role("link", name="Go to your home page")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_a_new_member_sets_up_two_factor_sign_in_with_the_key_shown(browser_page: CheckedPage):
    """The set-up pages work with a keyboard and a screen reader: the QR code has a text
    alternative and the key is printed for typing into an app."""
    with committing(browser_page.app):
        person = accounts.find_user_by_email("new.member@panel.example")
        if person is None:
            person = accounts.create_user(
                None,
                email="new.member@panel.example",
                full_name="Ada Newcombe",
                organisation=accounts.find_user_by_email("member@panel.example").organisation,
                password=DEMO_PASSWORD,
            )
            panel = db.session.scalar(db.select(Panel).where(Panel.name == COVENTRY))
            panels.add_member(None, panel, person, Role.MEMBER)
    page = browser_page.page
    browser_page.sign_in("new.member@panel.example")

    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    browser_page.follow(page.get_by_role("link", name="Set up an authenticator app instead"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up an authenticator app")
    expect(page.get_by_role("img", name=re.compile("QR code for adding Panel"))).to_be_visible()
    key = page.locator("#secret").inner_text().replace(" ", "")
    page.get_by_label("Code from your app").fill(pyotp.TOTP(key).now())
    browser_page.follow(page.get_by_role("button", name="Continue"))

    expect(page.get_by_role("heading", level=1)).to_have_text("Save your recovery codes")
    expect(page.get_by_role("list", name="Recovery codes").get_by_role("listitem")).to_have_count(
        10
    )
    browser_page.follow(page.get_by_role("link", name="I have saved my recovery codes"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome, Ada Newcombe")
