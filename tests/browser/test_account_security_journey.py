"""Account security in a real browser, with axe on every page: an invitation, a forgotten
password, new recovery codes, and an administrator who reads the audit trail and resets a lost
second factor.

Each test uses a person of its own, made on the live server, so the demo accounts the other
journeys sign in with keep their passwords and keys."""

from __future__ import annotations

import re

import pyotp
from playwright.sync_api import expect

from panel.accounts import services as accounts
from panel.accounts.links import services as links
from panel.accounts.links.services import LinkPurpose
from panel.demo import COVENTRY, DEMO_PASSWORD
from panel.extensions import db
from panel.panels import services as panels
from panel.panels.models import Panel, Role
from tests.browser.conftest import CheckedPage, committing

NEW_PASSWORD = "kettle lantern orchard velvet"  # noqa: S105


def _new_member(browser_page: CheckedPage, email: str, name: str) -> None:
    """A member of the Coventry panel with no password of their own yet and no second factor."""
    with committing(browser_page.app):
        if accounts.find_user_by_email(email) is None:
            person = accounts.create_user(
                None,
                email=email,
                full_name=name,
                organisation=accounts.find_user_by_email("member@panel.example").organisation,
                password=DEMO_PASSWORD,
            )
            panel = db.session.scalar(db.select(Panel).where(Panel.name == COVENTRY))
            panels.add_member(None, panel, person, Role.MEMBER)


def _link(browser_page: CheckedPage, email: str, purpose: LinkPurpose) -> str:
    """The link the e-mail would carry (the live server writes mail to its log)."""
    with committing(browser_page.app):
        token = links.issue(None, accounts.find_user_by_email(email), purpose)
    path = "invitation" if purpose is LinkPurpose.INVITATION else "reset-password"
    return f"/{path}/{token}"


def _set_up_two_factor(browser_page: CheckedPage) -> str:
    page = browser_page.page
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    browser_page.follow(page.get_by_role("link", name="Set up an authenticator app instead"))
    key = page.locator("#secret").inner_text().replace(" ", "")
    page.get_by_label("Code from your app").fill(pyotp.TOTP(key).now())
    browser_page.follow(page.get_by_role("button", name="Continue"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Save your recovery codes")
    browser_page.follow(page.get_by_role("link", name="I have saved my recovery codes"))
    return key


def test_an_invited_member_sets_a_password_then_a_second_factor(browser_page: CheckedPage):
    _new_member(browser_page, "invited.member@panel.example", "Ines Okonjo")
    page = browser_page.page
    browser_page.goto(_link(browser_page, "invited.member@panel.example", LinkPurpose.INVITATION))
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to Panel, Ines Okonjo")

    # A guessable password is refused with the reason, next to the field.
    page.get_by_label("Password", exact=True).fill("password1234")
    page.get_by_label("Confirm password").fill("password1234")
    browser_page.follow(page.get_by_role("button", name="Set password"))
    expect(page.locator(".govuk-error-summary")).to_be_focused()

    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm password").fill(NEW_PASSWORD)
    browser_page.follow(page.get_by_role("button", name="Set password"))
    expect(page.get_by_text("Your password has been set.")).to_be_visible()

    browser_page.sign_in("invited.member@panel.example", NEW_PASSWORD)
    _set_up_two_factor(browser_page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome, Ines Okonjo")

    # The account page says two-factor sign-in is on; new recovery codes need a current code.
    browser_page.follow(page.get_by_role("link", name="Your account"))
    expect(page.get_by_text("10 unused")).to_be_visible()
    browser_page.follow(page.get_by_role("link", name=re.compile("Make new codes")))
    expect(page.get_by_role("heading", level=1)).to_have_text("Make new recovery codes")

    # The link works once.
    browser_page.goto(_link(browser_page, "invited.member@panel.example", LinkPurpose.INVITATION))
    browser_page.follow(page.get_by_role("button", name="Sign out"))


def test_a_forgotten_password_is_reset_by_a_link(browser_page: CheckedPage):
    _new_member(browser_page, "forgetful.member@panel.example", "Femi Adeyemi")
    page = browser_page.page
    browser_page.goto("/sign-in")
    browser_page.follow(page.get_by_role("link", name=re.compile("Forgotten your password")))
    page.get_by_label("Email address").fill("forgetful.member@panel.example")
    browser_page.follow(page.get_by_role("button", name="Send a reset link"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")

    link = _link(browser_page, "forgetful.member@panel.example", LinkPurpose.PASSWORD_RESET)
    browser_page.goto(link)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirm new password").fill(NEW_PASSWORD)
    browser_page.follow(page.get_by_role("button", name="Reset password"))
    expect(page.get_by_text("Your password has been reset")).to_be_visible()

    browser_page.goto(link)  # used: one clear page, whatever the reason
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "This link has expired or has already been used"
    )


def test_an_admin_finds_sign_ins_in_the_audit_trail_and_resets_a_second_factor(
    browser_page: CheckedPage,
):
    _new_member(browser_page, "lost.phone@panel.example", "Lola Bright")
    page = browser_page.page
    browser_page.sign_in("lost.phone@panel.example")
    _set_up_two_factor(browser_page)
    browser_page.follow(page.get_by_role("button", name="Sign out"))

    browser_page.sign_in("admin@panel.example")
    browser_page.follow(page.get_by_role("link", name="Audit trail").first)
    page.get_by_label("Action").select_option(label="Set up two-factor sign-in")
    browser_page.follow(page.get_by_role("button", name=re.compile("Apply|Filter|Search")))
    expect(page.get_by_role("table").get_by_text("lost.phone@panel.example").first).to_be_visible()

    browser_page.goto("/")
    browser_page.follow(page.get_by_role("link", name="Manage users"))
    page.get_by_label("Search by name or email address").fill("lost.phone")
    browser_page.follow(page.get_by_role("button", name="Search"))
    browser_page.follow(page.get_by_role("link", name="Edit Lola Bright"))
    browser_page.follow(page.get_by_role("link", name="Reset two-factor sign-in for Lola Bright"))
    browser_page.follow(page.get_by_role("button", name="Reset two-factor sign-in"))
    expect(page.get_by_text("Two-factor sign-in for Lola Bright has been reset")).to_be_visible()
    expect(page.get_by_text("Not set up.")).to_be_visible()
