"""Several app servers behave as one (issue 20): two real gunicorn instances on two loopback ports,
sharing one database and one Redis, as a force's app servers behind a proxy do. Whichever server a
request reaches:

- a session started on one works on the other, and signing out on one ends it on the other (the
  session is a signed cookie; signing out changes the person's session token in the database);
- failed sign-ins count towards one throttle limit (Redis), not one limit per server;
- a save made from a form drawn before another server saved the same record is refused;
- `flask send-reminders` started on two hosts at once sends each person one message.

The database is the suite's (SQLite, or PostgreSQL with TEST_DATABASE_URL) in a schema of its
own, built by the migrations; the throttle counts live in Redis database 2 under a key prefix of
this run, deleted afterwards. Everything listens on 127.0.0.1 and every wait is bounded.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import re
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import date, timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urljoin

import pyotp
import pytest
import redis

from panel import create_app
from panel.core import encryption, unit_of_work
from panel.core.time import uk_today
from panel.extensions import db
from panel.panels.models import PanelKind, Role
from tests import databases, factories
from tests.interventions.conftest import agreed
from tests.load.plan import form_with_action
from tests.load.run import ROOT, Server
from tests.mailserver import SMTPServer, start_smtp_server

REDIS_URL = "redis://127.0.0.1:6379/2"
# Low enough to reach in a few requests: two servers with a limit each would let twice through.
SIGN_IN_LIMIT = 4
BASE_URL = "https://panel.example.org"
STALE = "Someone else saved a change to this intervention while you were working on it."
# The partner's organisation: each of its people on the panel is reminded of its intervention.
PARTNERS = 8
_addresses = itertools.count(10)


@dataclasses.dataclass
class Deployment:
    a: Server
    b: Server
    env: dict[str, str]
    log_folder: Path
    partner: str  # e-mail address
    partner_totp: str
    intervention_id: int
    reminded: list[str]  # who the reminder run on `today` e-mails
    today: date
    # The last authenticator step the partner used: each code is accepted once.
    last_step: int = 0

    def code(self) -> str:
        """A code from the partner's authenticator that they have not used yet."""
        while True:
            now = int(time.time()) // 30
            for step in (now, now + 1):  # the server accepts one step either side
                if step > self.last_step:
                    self.last_step = step
                    return pyotp.TOTP(self.partner_totp).at(step * 30)
            time.sleep(30 - time.time() % 30 + 0.5)


@pytest.fixture(scope="module")
def deployment(tmp_path_factory) -> Iterator[Deployment]:
    store = redis.Redis.from_url(REDIS_URL, socket_timeout=5)
    try:
        store.ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis at {REDIS_URL} does not answer ({error}): start redis-server")
    folder = tmp_path_factory.mktemp("instances")
    url = databases.test_database_url(folder, schema="instances")
    databases.reset_schema(url)
    prefix = f"panel-instances-{secrets.token_hex(4)}"
    settings = {
        "SECRET_KEY": secrets.token_hex(32),
        "DATA_ENCRYPTION_KEY": encryption.generate_key(),
        "AUDIT_CHAIN_KEY": secrets.token_hex(32),
    }
    builder = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": settings["SECRET_KEY"],
            "DATA_ENCRYPTION_KEYS": [settings["DATA_ENCRYPTION_KEY"]],
            "AUDIT_CHAIN_KEY": settings["AUDIT_CHAIN_KEY"],
            "ARGON2_PROFILE": "CHEAPEST",
        }
    )
    databases.build(builder)
    today = uk_today()
    with builder.app_context():
        data = _build(today)
        db.engine.dispose()
    env = {
        **os.environ,
        **settings,
        "PANEL_ENV": "development",  # production sends the session cookie over HTTPS only
        "PANEL_INSTANCE_PATH": str(folder / "instance"),
        "DATABASE_URL": url,
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "SIGN_IN_RATE_LIMIT": f"{SIGN_IN_LIMIT} per minute",
        "PANEL_BASE_URL": BASE_URL,
        "MAIL_BACKEND": "log",
        # Behind one proxy, as deployed: the client address is the one it forwards.
        "PROXY_COUNT": "1",
    }
    # wsgi:app, with this run's key prefix in Redis (a setting Panel reads from no variable).
    app = f"panel:create_app({{'RATELIMIT_KEY_PREFIX': '{prefix}'}})"
    servers = [Server(name, app, 1, env, folder / f"{name}.log") for name in ("A", "B")]
    try:
        for server in servers:
            server.wait_until_up("/healthz", timeout=60)
        yield Deployment(*servers, env=env, log_folder=folder, today=today, **data)
    finally:
        for server in servers:
            server.stop()
        for key in store.scan_iter(f"*{prefix}*"):
            store.delete(key)
        databases.drop_schema(url)


def _build(today: date) -> dict:
    """A local panel; a housing association that agreed an intervention now overdue, with
    PARTNERS people on the panel (the first signs in on the servers)."""
    from panel.cases.agreement import services as agreement

    panel = factories.panel("Coventry Hate Crime Panel", PanelKind.LOCAL_HATE_CRIME_PANEL)
    police = factories.organisation("West Midlands Police, Coventry NPU")
    housing = factories.organisation("Coventry Homes Partnership")
    coordinator = factories.user(email="coordinator@example.org", organisation_=police)
    factories.membership(panel, coordinator, Role.COORDINATOR)
    partners = [
        factories.user(email=f"partner{n}@housing.example.org", organisation_=housing)
        for n in range(PARTNERS)
    ]
    for person in partners:
        factories.membership(panel, person, Role.MEMBER)
    agreement.accept(partners[0], panel)
    intervention = agreed(coordinator, panel, housing, due=today - timedelta(days=2))
    unit_of_work.commit()
    return {
        "partner": partners[0].email,
        "partner_totp": partners[0].totp_secret,
        "intervention_id": intervention.id,
        # The coordinator answers for the panel's overdue interventions too.
        "reminded": sorted(person.email for person in [coordinator, *partners]),
    }


@dataclasses.dataclass
class Response:
    path: str  # what was asked for: a form's action is relative to it
    status: int
    location: str
    text: str


class Browser:
    """One person's browser: its cookies go to whichever server it asks, as behind a proxy
    that sends each request to either, and says which address the request came from
    (X-Forwarded-For: each browser here has its own, so each test its own throttle counts).
    Redirects are not followed, so each answer is seen."""

    class _Stay(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}
        self.address = f"192.0.2.{next(_addresses)}"  # TEST-NET-1: never a real client
        self._opener = urllib.request.build_opener(self._Stay)

    def get(self, server: Server, path: str) -> Response:
        return self._open(server, path, None)

    def post(self, server: Server, path: str, fields: dict) -> Response:
        return self._open(server, path, urlencode(fields).encode())

    def submit(self, server: Server, page: Response, pattern: str, **fields) -> Response:
        """Post the form of `page` whose action matches `pattern`, with its hidden fields (the
        CSRF token, the version) as drawn and `fields` filled in."""
        form = form_with_action(page.text, pattern)
        assert form is not None, f"no form for {pattern!r} on the page"
        action = urljoin(page.path, form["action"])
        return self.post(server, action, {**form["fields"], **fields})

    def _open(self, server: Server, path: str, body: bytes | None) -> Response:
        path = re.sub(r"^https?://[^/]+", "", path)
        headers = {
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "X-Forwarded-For": self.address,
        }
        request = urllib.request.Request(server.url + path, data=body, headers=headers)  # noqa: S310
        try:
            answer = self._opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            answer = error
        with answer:
            for header in answer.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            text = answer.read().decode()
            return Response(path, answer.status, answer.headers.get("Location", ""), text)


def sign_in(browser: Browser, server: Server, deployment: Deployment) -> None:
    page = browser.get(server, "/sign-in")
    answer = browser.submit(
        server, page, r"^$|/sign-in", email=deployment.partner, password=factories.PASSWORD
    )
    assert answer.status == 302 and answer.location.endswith("/sign-in/code"), answer
    page = browser.get(server, "/sign-in/code")
    answer = browser.submit(server, page, r"^$|/sign-in/code", code=deployment.code())
    assert answer.status == 302 and "/sign-in" not in answer.location, answer


def intervention_page(deployment: Deployment) -> str:
    return f"/interventions/{deployment.intervention_id}"


def test_a_session_started_on_one_server_works_on_the_other_and_signing_out_ends_it(
    deployment,
):
    a, b = deployment.a, deployment.b
    browser = Browser()
    assert browser.get(b, intervention_page(deployment)).status == 302  # not signed in

    sign_in(browser, a, deployment)

    on_b = browser.get(b, intervention_page(deployment))
    assert on_b.status == 200
    assert f"Intervention {deployment.intervention_id}" in on_b.text
    # Another tab keeps the cookie it had when the person signs out in this one, on server A.
    other_tab = dict(browser.cookies)
    page = browser.get(a, intervention_page(deployment))
    assert browser.submit(a, page, r"/sign-out$").status == 302
    browser.cookies = other_tab
    ended = browser.get(b, intervention_page(deployment))
    assert ended.status == 302 and "/sign-in" in ended.location


def test_failed_sign_ins_on_either_server_count_towards_one_limit(deployment):
    a, b = deployment.a, deployment.b
    browser = Browser()
    statuses = []
    for attempt in range(SIGN_IN_LIMIT + 2):
        server = (a, b)[attempt % 2]
        page = browser.get(server, "/sign-in")
        answer = browser.submit(
            server, page, r"^$|/sign-in", email=f"nobody{attempt}@example.org", password="wrong"
        )
        statuses.append(answer.status)

    # With a limit on each server, A and B would each have let SIGN_IN_LIMIT through.
    assert statuses == [200] * SIGN_IN_LIMIT + [429, 429]


def test_a_save_from_a_form_drawn_before_the_other_server_saved_is_refused(deployment):
    a, b = deployment.a, deployment.b
    browser = Browser()
    sign_in(browser, a, deployment)
    drawn_on_a = browser.get(a, intervention_page(deployment))

    page_on_b = browser.get(b, intervention_page(deployment))
    saved = browser.submit(
        b, page_on_b, r"/update$", status="in_progress", text="Leaflets went out on Monday."
    )
    assert saved.status == 302

    # Drawn while the intervention was agreed, not started: it must not be saved over B's.
    stale = browser.submit(
        a, drawn_on_a, r"/update$", status="cancelled", text="Nobody came to the meeting."
    )
    assert stale.status == 200
    assert STALE in stale.text
    now = browser.get(b, intervention_page(deployment)).text
    assert "Leaflets went out on Monday." in now
    assert "Nobody came to the meeting." not in now
    assert re.search(r"govuk-tag[^>]*>\s*In progress", now)


class SlowServer(SMTPServer):
    """Takes a while over each message, so that the two runs are sending at the same time."""

    async def handle_DATA(self, server, session, envelope) -> str:
        import asyncio

        await asyncio.sleep(0.25)
        return await super().handle_DATA(server, session, envelope)


def test_reminders_started_on_two_hosts_at_once_send_each_person_one_message(deployment):
    server, controller = start_smtp_server(SlowServer(host="127.0.0.1", port=0))
    env = {
        **deployment.env,
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": server.host,
        "MAIL_PORT": str(server.port),
        "MAIL_SECURITY": "none",
    }
    command = [
        sys.executable, "-m", "flask", "--app", "wsgi", "send-reminders",
        "--today", deployment.today.isoformat(),
    ]  # fmt: skip
    try:
        runs = [
            subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )  # fmt: skip
            for _host in ("one", "two")
        ]
        outputs = [run.communicate(timeout=60)[0] for run in runs]
        # A third run, the same day, after both.
        again = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
        )
    finally:
        controller.stop()

    assert [run.returncode for run in runs] == [0, 0], "\n".join(outputs)
    received = sorted(address for m in server.messages for address in m.envelope_to)
    assert received == deployment.reminded
    sent_by_each = [
        [line for line in output.splitlines() if " -> " in line and "(already" not in line]
        for output in outputs
    ]
    assert sum(len(lines) for lines in sent_by_each) == len(deployment.reminded), outputs
    assert again.returncode == 0, again.stderr
    assert f"Skipped {len(deployment.reminded)} people already sent their" in again.stdout


def test_the_servers_log_no_errors(deployment):
    for name in ("A", "B"):
        log = (deployment.log_folder / f"{name}.log").read_text()
        assert "Traceback" not in log, log[-3000:]
