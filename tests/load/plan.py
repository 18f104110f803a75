"""Before a load run: sign each demo account in once, as a person would (password, then the code
from the shared demo authenticator key), accept a panel's confidentiality agreement where a page
asks for it, and walk the pages that account can reach to find what its simulated users will open.

The result is a plan (JSON) that `tests/load/locustfile.py` reads: for each account, its role, its
session cookie and, per kind of page, the addresses found. Simulated users playing the same
account share its session, like one person with several tabs open: signing in once per account
keeps the run clear of the sign-in throttle and of the authenticator code's once-per-30-seconds
rule, and keeps Argon2 (slow on purpose) out of the page timings. Signing in is timed here instead.
"""

from __future__ import annotations

import dataclasses
import json
import re
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

import psycopg
import pyotp

from panel.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET

if TYPE_CHECKING:
    import requests

STEP_SECONDS = 30  # TOTP (panel/accounts/two_factor/services.py)

# The simulated roles and the demo accounts (panel/demo.py) that play them, most important first.
# An account missing from the database (or refused) is left out; a role needs at least one.
ACCOUNTS = {
    "chair": [
        "chair@panel.example",
        "inspector.coventry@panel.example",
        "inspector.dudley@panel.example",
    ],
    "coordinator": ["coordinator@panel.example"],
    "partner": [
        "member@panel.example",
        "council@panel.example",
        "lgbt@panel.example",
        "victims@panel.example",
        "tellmama@panel.example",
    ],
    "reader": ["reader@panel.example", "iag.dudley@panel.example"],
}

# Words to search the lessons register for: common in lessons and recommendations, so some
# searches find many rows and some few.
SEARCH_TERMS = ["victim", "housing", "disability", "school", "online", "training", "religious"]

# How many addresses of each kind to keep per account, and how many panels to walk.
KEEP = 12
PANELS = 4

# The kinds of page, by the name they are reported under. PDF downloads have their own target.
HOME = "home"
PANEL = "panel"
MEETINGS = "panel meetings"
MEETING = "meeting"
CASE_REVIEWS = "case reviews"
CASE_REVIEW = "case review"
REGISTER = "lessons register"
REGISTER_SEARCH = "lessons register, search"
MY_INTERVENTIONS = "my interventions"
PANEL_INTERVENTIONS = "panel interventions"
INTERVENTION = "intervention"
MINUTES_LIST = "published minutes list"
MINUTES = "published minutes"
MINUTES_PDF = "minutes PDF"
UPDATE = "intervention update (POST)"
INSIGHT = "panel insight"
INSIGHT_ACROSS = "insight across panels"
PDF_PAGES = frozenset({MINUTES_PDF})
INSIGHT_PAGES = frozenset({INSIGHT, INSIGHT_ACROSS})


class SignInFailed(RuntimeError):
    pass


@dataclasses.dataclass
class Account:
    email: str
    role: str
    cookies: dict[str, str]
    pages: dict[str, list[str]]
    # Interventions this account's organisation owns and may update (their pages hold the form).
    updatable: list[str]
    sign_in_ms: float


def _hidden_csrf(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    if not match:
        raise SignInFailed("no CSRF token on the page")
    return match.group(1)


class FormParser(HTMLParser):
    """The fields of each <form> on a page, as a browser would submit them unchanged: hidden and
    text inputs, checked radios and checkboxes, textareas and selects (their selected option)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self._form = {"action": a.get("action", ""), "method": a.get("method", "get").lower()}
            self._form["fields"] = {}
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        fields = self._form["fields"]
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("radio", "checkbox"):
                if "checked" in a:
                    fields[name] = a.get("value", "on")
                else:
                    fields.setdefault(name, None)
            elif kind not in ("submit", "button", "file"):
                fields[name] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            fields[name] = ""
        elif tag == "select" and name:
            self._select = name
            fields[name] = None
        elif (
            tag == "option"
            and self._select
            and (fields.get(self._select) is None or "selected" in a)
        ):
            fields[self._select] = a.get("value", "")

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form["fields"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None


def forms_of(html: str) -> list[dict]:
    parser = FormParser()
    parser.feed(html)
    return parser.forms


def form_with_action(html: str, pattern: str) -> dict | None:
    """The first form whose action matches `pattern`, with unset choices left out."""
    for form in forms_of(html):
        if re.search(pattern, form["action"]):
            form["fields"] = {k: v for k, v in form["fields"].items() if v is not None}
            return form
    return None


def links(html: str, pattern: str) -> list[str]:
    """Distinct local links matching `pattern` (anchored), in page order."""
    seen: dict[str, None] = {}
    for href in re.findall(r'href="(/[^"#]*)', html):
        href = href.replace("&amp;", "&")
        if re.fullmatch(pattern, href):
            seen.setdefault(href, None)
    return list(seen)


class Browser:
    """A signed-in person's requests: accepts a confidentiality agreement when a page asks.
    `http` is anything with requests.Session's get, post and cookies (tests/load/profile.py
    passes the app's test client behind that face)."""

    def __init__(self, base_url: str, http=None) -> None:
        self.base = base_url.rstrip("/")
        if http is None:
            import requests  # the bench extra (setup.cfg); the in-process profile goes without

            http = requests.Session()
        self.http = http

    def get(self, path: str) -> requests.Response:
        response = self.http.get(self.base + path, timeout=120)
        if re.search(r"/panels/\d+/confidentiality$", urlsplit(response.url).path):
            form = form_with_action(response.text, r"^$|confidentiality")
            if form is not None:
                fields = {**form["fields"], "agree": "y", "submit": "y"}
                response = self.http.post(response.url, data=fields, timeout=120)
        return response

    def sign_in(self, email: str, database_url: str | None) -> float:
        """Sign in with the demo password and, when asked, a code; returns the time taken (ms).
        A code is used once per 30-second step: `database_url` (read only) says which step the
        account last used, so no code is tried that would be refused (and count towards the
        account's lock)."""
        start = time.perf_counter()
        page = self.http.get(self.base + "/sign-in", timeout=60)
        fields = {"csrf_token": _hidden_csrf(page.text), "email": email, "password": DEMO_PASSWORD}
        response = self.http.post(self.base + "/sign-in", data=fields, timeout=60)
        if urlsplit(response.url).path == "/sign-in/code":
            code = unused_code(lambda: self.last_step(email, database_url))
            fields = {"csrf_token": _hidden_csrf(response.text), "code": code}
            response = self.http.post(self.base + "/sign-in/code", data=fields, timeout=60)
        elapsed = (time.perf_counter() - start) * 1000
        ended = urlsplit(response.url).path
        if ended.startswith("/sign-in") or response.status_code != 200:
            hint = (
                " (the code was refused: was the data loaded with this instance folder's data "
                "key, or this DATA_ENCRYPTION_KEY?)"
                if ended == "/sign-in/code"
                else ""
            )
            raise SignInFailed(f"{email}: sign-in ended at {ended} ({response.status_code}){hint}")
        return elapsed

    def cookies(self) -> dict[str, str]:
        return self.http.cookies.get_dict()

    def last_step(self, email: str, database_url: str | None) -> int | None:
        """The authenticator step the account last used, if known."""
        return _last_step(email, database_url)


def unused_code(last_step) -> str:
    """A demo authenticator code for a step the account has not used (waiting for one if both
    the current step and the next were used: the server accepts one step either side).
    `last_step()` says which step the account used last."""
    while True:
        last = last_step()
        now = int(time.time()) // STEP_SECONDS
        for step in (now, now + 1):
            if last is None or step > last:
                return pyotp.TOTP(DEMO_TOTP_SECRET).at(step * STEP_SECONDS)
        time.sleep(STEP_SECONDS - time.time() % STEP_SECONDS + 0.5)


def _last_step(email: str, database_url: str | None) -> int | None:
    if not database_url:
        return None
    with psycopg.connect(libpq_url(database_url), autocommit=True) as connection:
        row = connection.execute(
            "SELECT totp_last_step FROM user_account WHERE email = %s", (email,)
        ).fetchone()
    return row[0] if row else None


def libpq_url(url: str) -> str:
    """A SQLAlchemy-style URL (postgresql+psycopg://) as libpq takes it."""
    return re.sub(r"^postgres(ql)?(\+\w+)?://", "postgresql://", url)


def discover(browser: Browser, role: str) -> tuple[dict[str, list[str]], list[str]]:
    """Walk from the home page to the pages this role's simulated users open, keeping a few of
    each kind that answered 200."""
    pages: dict[str, list[str]] = {HOME: ["/"]}
    home = browser.get("/").text
    panels = links(home, r"/panels/\d+")[:PANELS]
    meetings = links(home, r"/meetings/\d+")
    case_reviews: list[str] = []
    interventions = links(home, r"/interventions/\d+")
    for panel in panels:
        browser.get(panel)
        for when in ("", "?when=past"):
            response = browser.get(f"{panel}/meetings{when}")
            if response.ok:
                meetings += links(response.text, r"/meetings/\d+")
        if role in ("chair", "coordinator", "partner"):
            response = browser.get(f"{panel}/case-reviews")
            if response.ok:
                case_reviews += links(response.text, r"/case-reviews/\d+")
            response = browser.get(f"{panel}/interventions")
            if response.ok and links(response.text, r"/interventions/\d+"):
                pages.setdefault(PANEL_INTERVENTIONS, []).append(f"{panel}/interventions")
                interventions += links(response.text, r"/interventions/\d+")
    pages[PANEL] = panels
    minutes_list = browser.get("/minutes")
    minutes = links(minutes_list.text, r"/minutes/\d+")
    pages[MINUTES_LIST] = ["/minutes"]
    pages[MINUTES] = minutes
    pages[MINUTES_PDF] = [f"{m}.pdf" for m in minutes if f'href="{m}.pdf"' in browser.get(m).text][
        :KEEP
    ]
    updatable: list[str] = []
    if role != "reader":
        pages[MEETINGS] = [f"{p}/meetings" for p in panels]
        pages[MEETING] = meetings
        pages[CASE_REVIEW] = case_reviews
        pages[CASE_REVIEWS] = [f"{p}/case-reviews" for p in panels] if case_reviews else []
        pages[REGISTER] = ["/lessons"]
        pages[REGISTER_SEARCH] = [f"/lessons?q={term}" for term in SEARCH_TERMS]
        if role in ("chair", "coordinator"):
            pages[INSIGHT] = [f"{p}/insight" for p in panels]
            pages[INSIGHT_ACROSS] = ["/insight"]
        mine = browser.get("/interventions")
        if mine.ok:
            pages[MY_INTERVENTIONS] = ["/interventions"]
            own = links(mine.text, r"/interventions/\d+")
            interventions += own
            if role == "partner":
                updatable = [i for i in own if _update_form(browser.get(i).text)][:KEEP]
        pages[INTERVENTION] = interventions
    kept = {kind: _verified(browser, _distinct(found)) for kind, found in pages.items()}
    return {kind: found for kind, found in kept.items() if found}, updatable


def _update_form(html: str) -> dict | None:
    return form_with_action(html, r"/interventions/\d+/update$") or (
        form_with_action(html, r"^$") if 'name="version"' in html else None
    )


def _distinct(found: list[str]) -> list[str]:
    return list(dict.fromkeys(found))


def _verified(browser: Browser, found: list[str]) -> list[str]:
    """Up to KEEP of these addresses that answer 200 (not a redirect to another page)."""
    kept = []
    for path in found:
        if len(kept) >= KEEP:
            break
        response = browser.get(path)
        if response.status_code == 200 and urlsplit(response.url).path == urlsplit(path).path:
            kept.append(path)
    return kept


def make_plan(
    base_url: str, database_url: str | None, accounts=None, log=print, new_browser=Browser
) -> dict:
    """Sign every account in and discover its pages; refuses a plan that leaves a role out.
    `new_browser(base_url)` makes each account's browser."""
    accounts = accounts or ACCOUNTS
    found: list[Account] = []
    for role, emails in accounts.items():
        for email in emails:
            browser = new_browser(base_url)
            try:
                took = browser.sign_in(email, database_url)
            except SignInFailed as failed:
                log(f"  {role:<12} {email}: left out ({failed})")
                continue
            pages, updatable = discover(browser, role)
            found.append(Account(email, role, browser.cookies(), pages, updatable, took))
            log(
                f"  {role:<12} {email}: signed in in {took:,.0f} ms; "
                + ", ".join(f"{len(v)} {k}" for k, v in pages.items())
                + (f", {len(updatable)} to update" if role == "partner" else "")
            )
    missing = [role for role in accounts if not any(a.role == role for a in found)]
    if missing:
        raise SignInFailed("no account could sign in for: " + ", ".join(missing))
    return {"base_url": base_url, "accounts": [dataclasses.asdict(a) for a in found]}


def refresh(plan: dict) -> dict:
    """Keep each session alive between phases (a session ends after 30 idle minutes): open the
    home page with it and keep the cookie the app sends back."""
    for account in plan["accounts"]:
        browser = Browser(plan["base_url"])
        browser.http.cookies.update(account["cookies"])
        response = browser.get("/")
        if urlsplit(response.url).path.startswith("/sign-in"):
            raise SignInFailed(f"{account['email']}: the session ended")
        account["cookies"] = browser.cookies()
    return plan


def save(plan: dict, path: Path) -> None:
    path.write_text(json.dumps(plan, indent=1))


def load(path: Path | str) -> dict:
    return json.loads(Path(path).read_text())


def absolute(plan: dict, path: str) -> str:
    return urljoin(plan["base_url"], path)
