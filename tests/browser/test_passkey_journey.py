"""Passkeys in a real browser: Chromium's own WebAuthn, with a virtual authenticator from the
DevTools protocol standing in for a phone or security key, Panel's script (static/js/passkeys.js)
under the real Content-Security-Policy, and axe on every page.

Browsers refuse passkeys on an IP address, so these journeys open the live server as
http://localhost:<port>, the relying party Panel is configured with for them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, CDPSession, expect

from panel.accounts import services as accounts
from panel.demo import DEMO_PASSWORD
from panel.extensions import db
from panel.panels import services as panels
from panel.panels.models import Panel, PanelKind, Role
from tests.browser.conftest import AXE, WATCH_POLICY, CheckedPage, LiveServer, committing

READER = "volunteer@panel.example"


@pytest.fixture
def on_localhost(browser: Browser, live_server: LiveServer, monkeypatch) -> Iterator[CheckedPage]:
    """A checked tab on http://localhost:<port>, which Panel takes passkeys from."""
    origin = "http://localhost:" + str(urlsplit(live_server.url).port)
    monkeypatch.setitem(live_server.app.config, "WEBAUTHN_RP_ID", "localhost")
    monkeypatch.setitem(live_server.app.config, "WEBAUTHN_ORIGINS", [origin])
    context = browser.new_context(base_url=origin)
    context.add_init_script(script=WATCH_POLICY)
    context.add_init_script(path=AXE)
    context.set_default_timeout(10_000)
    checked = CheckedPage(context.new_page(), live_server.app)
    yield checked
    try:
        checked.assert_every_page_checked()
    finally:
        context.close()


def virtual_authenticator(page: CheckedPage) -> tuple[CDPSession, str]:
    """A platform authenticator (like a laptop's fingerprint reader) that says yes at once."""
    devtools = page.page.context.new_cdp_session(page.page)
    devtools.send("WebAuthn.enable")
    added = devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    return devtools, added["authenticatorId"]


def new_reader(app) -> None:
    """An advisory group volunteer, just given an account: no second factor yet."""
    with committing(app):
        if accounts.find_user_by_email(READER) is None:
            person = accounts.create_user(
                None,
                email=READER,
                full_name="Nia Okafor",
                organisation=accounts.find_user_by_email("reader@panel.example").organisation,
                password=DEMO_PASSWORD,
            )
            group = db.session.scalar(
                db.select(Panel).where(Panel.kind == PanelKind.INDEPENDENT_ADVISORY_GROUP)
            )
            panels.add_member(None, group, person, Role.READER)


def give_password(page: CheckedPage, email: str) -> None:
    page.goto("/sign-in")
    page.page.get_by_label("Email address").fill(email)
    page.page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
    page.follow(page.page.get_by_role("button", name="Sign in"))


def test_a_reader_registers_a_passkey_at_first_sign_in_and_signs_in_with_it(
    on_localhost: CheckedPage,
):
    page = on_localhost.page
    new_reader(on_localhost.app)
    devtools, authenticator = virtual_authenticator(on_localhost)

    # First sign-in: the password, then a second factor to set up, a passkey offered first.
    give_password(on_localhost, READER)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    expect(page.get_by_role("link", name="Set up an authenticator app instead")).to_be_visible()
    on_localhost.follow(page.get_by_role("button", name="Create a passkey"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Save your recovery codes")
    on_localhost.follow(page.get_by_role("link", name="I have saved my recovery codes"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome, Nia Okafor")
    stored = devtools.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert len(stored["credentials"]) == 1

    # The passkey is listed on their account, and they give it a name they recognise.
    on_localhost.goto("/account/passkeys")
    on_localhost.follow(page.get_by_role("link", name="Rename Passkey 1"))
    page.get_by_label("Name").fill("My laptop")
    on_localhost.follow(page.get_by_role("button", name="Save name"))
    expect(page.get_by_role("heading", name="My laptop")).to_be_visible()

    # The same device again: the browser refuses to make a second passkey on it, and the page
    # says so in GOV.UK style, with the summary focused for screen readers.
    on_localhost.follow(page.get_by_role("button", name="Create a passkey"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("This device already has a passkey for your Panel account")
    stored = devtools.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert len(stored["credentials"]) == 1

    # Signed out, they sign in again with the password and the passkey.
    on_localhost.follow(page.get_by_role("button", name="Sign out"))
    give_password(on_localhost, READER)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in with your passkey")
    expect(page.get_by_role("link", name="Use a recovery code instead")).to_be_visible()
    on_localhost.follow(page.get_by_role("button", name="Use your passkey"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome, Nia Okafor")


def test_a_passkey_answer_that_does_not_check_out_is_an_error_the_person_can_act_on(
    on_localhost: CheckedPage,
):
    page = on_localhost.page
    new_reader(on_localhost.app)
    devtools, authenticator = virtual_authenticator(on_localhost)
    give_password(on_localhost, READER)
    on_localhost.follow(page.get_by_role("button", name="Create a passkey"))
    on_localhost.follow(page.get_by_role("link", name="I have saved my recovery codes"))
    on_localhost.follow(page.get_by_role("button", name="Sign out"))

    # The authenticator signs wrongly from now on, as a cloned or broken key might.
    devtools.send(
        "WebAuthn.setResponseOverrideBits",
        {"authenticatorId": authenticator, "isBogusSignature": True},
    )
    give_password(on_localhost, READER)
    on_localhost.follow(page.get_by_role("button", name="Use your passkey"))
    expect(page).to_have_title(re.compile(r"^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    link = summary.get_by_role("link", name=re.compile("That passkey did not work"))
    link.click()
    expect(page.get_by_role("button", name="Use your passkey")).to_be_focused()
    expect(page.get_by_role("button", name="Use your passkey")).to_have_accessible_description(
        re.compile("That passkey did not work")
    )


def test_a_chair_signs_in_with_their_authenticator_app(on_localhost: CheckedPage):
    page = on_localhost.page
    give_password(on_localhost, "chair@panel.example")
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your two-factor sign-in code")
    on_localhost.enter_code_if_asked("chair@panel.example")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
