"""Browser fixtures: Panel served on a real port with the demo data, Debian's chromium driven by
Playwright, and axe-core checking every page the browser loads.

The demo database is built once (migrations and `load_demo_data`) and each journey is served a
fresh copy of it (`live_server`), so journeys never see one another's work and none cleans up.

Every test gets a `browser_page` whose navigation helpers (`goto`, `follow`) run axe after each
page load. A test that lets the browser load a page without checking it fails at teardown, so
"axe passed on every page of the journey" is something the suite enforces, not a convention.

The app's Content-Security-Policy stays on: axe is added as an init script (which the browser runs
outside the page's policy), so these journeys also prove that the real policy lets Panel's own
scripts run, and any policy violation fails the test.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, time, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from playwright.sync_api import Browser, Locator, Page, Response, sync_playwright
from werkzeug.serving import make_server

from panel import create_app
from panel.accounts.models import User
from panel.core import unit_of_work
from panel.demo import DEMO_PASSWORD, ISP, load_demo_data
from panel.extensions import db
from panel.meetings import services as meeting_services
from panel.panels.models import Panel
from tests import databases, factories
from tests.cases import factories as case_factories

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.2 AA, which public-sector services must meet, through every level that builds up to it.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Only violations are reported back: axe then skips collecting its (many) passes, which is faster.
AXE_RUN = """tags => axe.run(document, {
  runOnly: {type: "tag", values: tags},
  resultTypes: ["violations"],
}).then(results => results.violations)"""
CHROMIUM_MISSING = (
    f"chromium not found at {CHROMIUM}: install it with apt-get install chromium, "
    "or set REQUIRE_BROWSER=1 to make this a failure"
)

# Collected before the page's own scripts run, so a blocked script is caught as well as a blocked
# style or image. `securitypolicyviolation` is the browser's own report of a refused resource.
WATCH_POLICY = """
window.__panelPolicyViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__panelPolicyViolations.push(
    `${event.effectiveDirective} refused ${event.blockedURI || "inline code"}`
  );
});
"""


def browser_required() -> bool:
    return os.environ.get("REQUIRE_BROWSER") == "1"


def pytest_collection_modifyitems(config, items):
    # This hook sees the whole session's items, so only mark the ones in this folder.
    ours = [item for item in items if HERE in item.path.parents]
    skip = None
    if not CHROMIUM.exists() and not browser_required():
        skip = pytest.mark.skip(reason=CHROMIUM_MISSING)
    for item in ours:
        item.add_marker(pytest.mark.browser)
        if skip is not None:
            item.add_marker(skip)


# --- The live server ---------------------------------------------------------------------------


@dataclass
class LiveServer:
    url: str
    # The served app, for a test that must set up what no page can, e.g. a meeting in the past.
    app: Flask
    database_url: str


def _browser_app(url: str) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "browser-test-secret-key-that-is-long-enough",
            "SIGN_IN_RATE_LIMIT": "10000 per minute",
            "TWO_FACTOR_RATE_LIMIT": "10000 per minute",
            # Cheap password hashes, as in the rest of the suite (tests/conftest.py): the
            # journeys sign in dozens of times, and the demo data is hashed with this profile.
            "ARGON2_PROFILE": "CHEAPEST",
            # CSRF protection stays on: the browser submits the real forms with their tokens.
        }
    )


@contextmanager
def committing(app: Flask) -> Iterator[None]:
    """Set something up for a journey as a command would: in the app's context, through the
    services, saved at the end (services only flush: the unit of work commits)."""
    with app.app_context():
        yield
        unit_of_work.commit()


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory) -> str:
    """The database every journey starts from, built once: the migrations and the demo data. Its
    URL: a SQLite file, or the PostgreSQL schema `browser_template`."""
    url = databases.test_database_url(tmp_path_factory.mktemp("browser-demo"), "browser_template")
    databases.reset_schema(url)
    app = _browser_app(url)
    databases.build(app)
    with app.app_context():
        load_demo_data()
        db.engine.dispose()
    return url


@pytest.fixture(scope="session")
def served(tmp_path_factory, demo_database: str) -> Iterator[LiveServer]:
    """Panel on 127.0.0.1 and a free port, on a database of its own, so that nothing the unit
    tests do (or roll back) can reach it. `live_server` gives it a fresh copy of the demo data
    for each journey."""
    url = databases.test_database_url(tmp_path_factory.mktemp("browser-db"), "browser")
    databases.reset_schema(url)
    app = _browser_app(url)
    if not url.startswith("sqlite"):
        databases.build(app)  # the tables, which each journey fills from the demo database

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app, database_url=url)
    server.shutdown()
    thread.join(timeout=10)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def live_server(served: LiveServer, demo_database: str) -> LiveServer:
    """The live server with the demo data as `load_demo_data` left it: each journey has a fresh
    copy of the demo database (a copied file on SQLite, copied rows on PostgreSQL), so whatever
    one journey does, no other sees it, and none has to undo its work."""
    with served.app.app_context():
        db.engine.dispose()  # no connection of the last journey's reaches the new copy
    databases.copy_database(demo_database, served.database_url)
    return served


@dataclass
class ScrutinyMeeting:
    meeting_id: int
    panel_id: int
    # Of the case reviews made ready for it.
    references: list[str]


def scrutiny_meeting(
    app: Flask, days_from_now: int, starts: time, case_reviews: int
) -> ScrutinyMeeting:
    """A meeting of the demo scrutiny panel with its standing agenda, scheduled by the
    coordinator, and new case reviews ready for it."""
    with app.test_request_context():
        coordinator = db.session.scalar(
            db.select(User).where(User.email == "coordinator@panel.example")
        )
        panel = db.session.scalar(db.select(Panel).where(Panel.name == ISP))
        venue = meeting_services.Venue(
            start_time=starts, duration_minutes=150, place="Birmingham office", online_link=None
        )
        meeting = meeting_services.schedule_meeting(
            coordinator, panel, date.today() + timedelta(days=days_from_now), venue
        )
        made = ScrutinyMeeting(
            meeting_id=meeting.id,
            panel_id=panel.id,
            references=[
                case_factories.case_review(coordinator, panel).reference
                for _ in range(case_reviews)
            ],
        )
        unit_of_work.commit()
        db.session.remove()
    return made


# --- The browser -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One chromium for the whole session (starting it is the slow part); tests get contexts."""
    if not CHROMIUM.exists():
        # Only reached with REQUIRE_BROWSER=1: the collection hook skips these tests otherwise.
        pytest.fail(CHROMIUM_MISSING, pytrace=False)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


class CheckedPage:
    """A browser tab that checks each page it loads with axe-core.

    Navigate with `goto` and `follow`; both wait for the new page and check it. Use `page` for
    locators and assertions. Any page loaded but never checked fails the test at teardown.
    """

    def __init__(self, page: Page, app: Flask | None = None):
        self.page = page
        self.app = app  # the live server's app, to compute the second factor as a phone would
        self.unchecked: list[str] = []
        self._current_checked = True  # nothing loaded yet, so nothing to check
        self._errors: list[str] = []
        page.on("load", self._loaded)
        page.on("pageerror", lambda error: self._errors.append(f"{page.url}: {error}"))

    def _loaded(self, page: Page) -> None:
        if not self._current_checked:
            self.unchecked.append(self._current_url)
        self._current_checked = False
        self._current_url = page.url

    def goto(self, path: str) -> Response | None:
        """Open `path` (relative to the live server), follow redirects, and check the result."""
        response = self.page.goto(path)
        self.check()
        return response

    def follow(self, target: Locator) -> None:
        """Click a link or submit button that loads a new page, and check that page."""
        with self.page.expect_navigation():
            target.click()
        self.check()

    def sign_in(self, email: str, password: str = DEMO_PASSWORD) -> None:
        """Sign in through the real form, with a code when the account has a second factor."""
        self.goto("/sign-in")
        self.page.get_by_label("Email address").fill(email)
        self.page.get_by_label("Password", exact=True).fill(password)
        self.follow(self.page.get_by_role("button", name="Sign in"))
        self.enter_code_if_asked(email)

    def enter_code_if_asked(self, email: str) -> None:
        """On the second step of signing in, type the code the person's app would show now."""
        if urlsplit(self.page.url).path != "/sign-in/code":
            return
        with self.app.app_context():
            code = factories.unused_totp_code(db.session, User.email == email)
        self.page.get_by_label("Code", exact=True).fill(code)
        self.follow(self.page.get_by_role("button", name="Continue"))

    def check(self) -> None:
        """Fail on any axe violation of WCAG 2.2 AA, any policy violation or any script error."""
        self.page.wait_for_load_state("load")
        url = self.page.url
        violations = self.page.evaluate(AXE_RUN, AXE_TAGS)
        assert not violations, f"axe found problems on {url}:\n" + describe(violations)
        refused = self.page.evaluate("window.__panelPolicyViolations")
        assert not refused, f"The Content-Security-Policy refused on {url}: {refused}"
        assert not self._errors, "Scripts failed:\n" + "\n".join(self._errors)
        self._current_checked = True
        self._screenshot()

    def _screenshot(self) -> None:
        """With PANEL_SCREENSHOTS=<folder>, keep a full-page picture of every page checked, in
        order, for a person to look at the journey as its users see it."""
        folder = os.environ.get("PANEL_SCREENSHOTS")
        if not folder:
            return
        Path(folder).mkdir(parents=True, exist_ok=True)
        taken = len(list(Path(folder).glob("*.png")))
        name = urlsplit(self.page.url).path.strip("/").replace("/", "-") or "home"
        self.page.screenshot(path=f"{folder}/{taken + 1:02d}-{name}.png", full_page=True)

    def assert_every_page_checked(self) -> None:
        unchecked = self.unchecked + ([] if self._current_checked else [self._current_url])
        assert not unchecked, (
            "These pages loaded but axe never checked them; navigate with goto() or follow(), "
            f"or call check() after the page loads: {unchecked}"
        )


def describe(violations: list[dict]) -> str:
    """One block per violation: the rule, what it means, and each offending element."""
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"    at {json.dumps(node['target'])}: {node['html']}")
            if node.get("failureSummary"):
                lines.append("      " + node["failureSummary"].replace("\n", "\n      "))
    return "\n".join(lines)


@pytest.fixture
def browser_page(browser: Browser, live_server: LiveServer) -> Iterator[CheckedPage]:
    """A fresh context per test (its own cookies, so its own session) with one checked tab."""
    context = browser.new_context(base_url=live_server.url)
    context.add_init_script(script=WATCH_POLICY)
    context.add_init_script(path=AXE)
    context.set_default_timeout(10_000)
    checked = CheckedPage(context.new_page(), live_server.app)
    yield checked
    try:
        checked.assert_every_page_checked()
    finally:
        context.close()
