"""The warning before an idle session ends (WCAG 2.2.1), in a real browser with the real
Content-Security-Policy and axe on every page, the dialog open included: it appears before the
timeout with focus on "Stay signed in"; staying keeps what was typed and the session; ignoring it
signs the person out and the sign-in page says why.

The live server's timeout is shortened to seconds for these journeys. The idle time is more than
twice the warning's lead, so that after "Stay signed in" the next warning comes only after the
moment the session would have ended without it.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import CheckedPage

IDLE_SECONDS = 24
WARNING_SECONDS = 8
WARNING = "You’re about to be signed out"


@pytest.fixture
def short_timeout(live_server, monkeypatch):
    monkeypatch.setitem(live_server.app.config, "SESSION_IDLE_MINUTES", IDLE_SECONDS / 60)
    monkeypatch.setitem(live_server.app.config, "SESSION_WARNING_SECONDS", WARNING_SECONDS)


def _half_filled_organisation(browser_page: CheckedPage):
    """The admin's "Add an organisation" form, its name typed and its type not chosen yet."""
    page = browser_page.page
    browser_page.sign_in("admin@panel.example")
    browser_page.goto("/admin/organisations/new")
    name = page.get_by_label("Name")
    name.fill("Coventry Refugee and Migrant Centre")
    return name


def test_staying_signed_in_keeps_what_was_typed_and_the_session(
    browser_page: CheckedPage, short_timeout
):
    page = browser_page.page
    name = _half_filled_organisation(browser_page)
    loaded = page.evaluate("Date.now()")

    # The warning: a modal dialog, announced by its name and text, with focus on staying.
    dialog = page.get_by_role("alertdialog", name=WARNING)
    expect(dialog).to_be_visible(timeout=(IDLE_SECONDS - WARNING_SECONDS + 5) * 1000)
    expect(dialog).to_contain_text("we will sign you out in")
    stay = dialog.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_focused()
    browser_page.check()  # axe, with the dialog open

    stay.click()
    expect(dialog).to_be_hidden()
    # The page was not reloaded: the name is still typed, and focus is back where it was.
    expect(name).to_have_value("Coventry Refugee and Migrant Centre")
    expect(name).to_be_focused()

    # Past the moment the session would have ended without "Stay signed in", the form is
    # finished and saved: still signed in.
    page.wait_for_timeout(max(0, loaded + IDLE_SECONDS * 1000 + 2000 - page.evaluate("Date.now()")))
    expect(dialog).to_be_hidden()
    page.get_by_label("Type of organisation").select_option(label="Charity")
    browser_page.follow(page.get_by_role("button", name="Save organisation"))
    expect(page).to_have_url(re.compile(r"/admin/organisations$"))
    expect(page.get_by_text("Coventry Refugee and Migrant Centre has been added.")).to_be_visible()


def test_ignoring_the_warning_signs_you_out_and_says_why(browser_page: CheckedPage, short_timeout):
    page = browser_page.page
    _half_filled_organisation(browser_page)

    dialog = page.get_by_role("alertdialog", name=WARNING)
    expect(dialog).to_be_visible(timeout=(IDLE_SECONDS - WARNING_SECONDS + 5) * 1000)
    # Nobody answers: at the timeout the browser goes to the sign-in page, which says why and
    # leads back to the form after signing in.
    page.wait_for_url(re.compile(r"/sign-in\?next=/admin/organisations/new$"), timeout=20_000)
    browser_page.check()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Panel")
    expect(page.get_by_text(re.compile("signed out after .* without activity"))).to_be_visible()
    browser_page.goto("/")
    expect(page).to_have_url(re.compile(r"/sign-in\?"))  # the session is gone


def test_staying_signed_in_in_one_tab_answers_the_warning_in_the_others(
    browser_page: CheckedPage, short_timeout
):
    """Tabs share the session: "Stay signed in" in one keeps all of them signed in, so the
    warning in another tab closes by itself, keeping what was typed there."""
    page = browser_page.page
    name = _half_filled_organisation(browser_page)
    other = CheckedPage(page.context.new_page(), browser_page.app)
    other.goto("/admin/users")

    warning = page.get_by_role("alertdialog", name=WARNING)
    other_warning = other.page.get_by_role("alertdialog", name=WARNING)
    expect(other_warning).to_be_visible(timeout=(IDLE_SECONDS - WARNING_SECONDS + 5) * 1000)
    expect(warning).to_be_visible()
    other_warning.get_by_role("button", name="Stay signed in").click()

    expect(other_warning).to_be_hidden()
    expect(warning).to_be_hidden()
    expect(name).to_have_value("Coventry Refugee and Migrant Centre")
    other.assert_every_page_checked()
