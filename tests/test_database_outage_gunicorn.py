"""A real server whose PostgreSQL goes away and comes back: pages say so kindly meanwhile, the
same processes serve again afterwards, and no save is left half-written.

gunicorn (two workers, as in production) serves Panel on a loopback port, on a schema of the
test database of its own, through `tests.forwarder.Forwarder`: closing the forwarder is the
database stopping (every connection cut, new ones refused), opening it again is the database
back on the same address. The machine's PostgreSQL itself is never stopped: other tests share it.
A cut on a pattern drops the one connection that sends it, so a save can be cut in the middle
of its transaction, at a chosen statement, every time.

PostgreSQL only, by nature (tests/conftest.py leaves this module out on SQLite);
tests/test_database_outage.py proves the error page itself in-process on either database.
Bounded: each request 15 s, the server's start 60 s, the whole module well under a minute.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, HTTPRedirectHandler, Request, build_opener

import pytest
import sqlalchemy as sa

from panel import create_app
from panel.accounts.models import User
from panel.cases.agreement import services as agreement
from panel.core import encryption
from panel.core.time import uk_today
from panel.extensions import db
from panel.interventions import services as interventions
from panel.panels.models import PanelKind, Role
from tests import databases, factories
from tests.forwarder import Forwarder

ROOT = Path(__file__).resolve().parent.parent
# The housing provider that owns the interventions: its name is written, in that transaction,
# only into the audit event that records the new intervention (the intervention row holds the
# organisation's id), so a cut on it falls after the intervention's own rows were sent.
OWNER = "Radford Housing Co-operative"
PLACE = "Foleshill, around the shops"
# Every row a save of an intervention writes: its own, its first update, its audit event.
ROWS = (
    "SELECT (SELECT count(*) FROM intervention) + (SELECT count(*) FROM intervention_update)"
    " + (SELECT count(*) FROM audit_event)"
)


class Browser:
    """Cookies kept, redirects not followed, CSRF tokens read from the forms: as a person's
    browser, for one person."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.opener = build_opener(HTTPCookieProcessor(CookieJar()), _NoRedirects())

    def request(self, method: str, path: str, data: dict | None = None):
        body = urlencode(data, doseq=True).encode() if data is not None else None
        request = Request(self.base_url + path, data=body, method=method)  # noqa: S310
        try:
            with self.opener.open(request, timeout=15) as response:
                return response.status, response.headers, response.read().decode()
        except HTTPError as error:
            return error.code, error.headers, error.read().decode()

    def get(self, path: str):
        return self.request("GET", path)

    def post(self, path: str, data: dict):
        return self.request("POST", path, data)

    def form(self, path: str) -> dict:
        """The CSRF token of the form on `path`, as the next POST needs it."""
        status, _headers, page = self.get(path)
        assert status == 200, page
        return {"csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]}


class _NoRedirects(HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 302 itself is the answer


@dataclass
class Outage:
    forwarder: Forwarder
    base_url: str
    log: Path
    engine: sa.Engine  # straight to the database, past the forwarder: what was saved
    panel_id: int
    owner_id: int
    type_id: int
    coordinator: Browser

    def log_lines(self) -> list[str]:
        return self.log.read_text().splitlines()

    def panel_lines(self) -> list[dict]:
        """Panel's own log lines (JSON); gunicorn's are text."""
        return [json.loads(line) for line in self.log_lines() if line.startswith("{")]

    def count(self, sql: str) -> int:
        with self.engine.connect() as connection:
            return connection.execute(sa.text(sql)).scalar_one()

    def saved(self, description: str) -> tuple[int, int]:
        """How many interventions have `description`, and audit events record their creation."""
        with self.engine.connect() as connection:
            ids = connection.scalars(
                sa.text("SELECT id FROM intervention WHERE description = :text"),
                {"text": description},
            ).all()
            events = connection.execute(
                sa.text(
                    "SELECT count(*) FROM audit_event WHERE action = 'create' "
                    "AND object_type = 'intervention' AND object_id = ANY(:ids)"
                ),
                {"ids": list(ids)},
            ).scalar_one()
        return len(ids), events

    def intervention_form(self, description: str) -> tuple[str, dict]:
        path = f"/panels/{self.panel_id}/interventions/new"
        day = uk_today() + timedelta(days=28)
        return path, {
            **self.coordinator.form(path),
            "type_id": str(self.type_id),
            "description": description,
            "place_or_community": PLACE,
            "owner_organisation_id": str(self.owner_id),
            "lead_id": "",
            "due_date": [str(day.day), str(day.month), str(day.year)],
            "agreed_at_id": "",
        }


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def outage(tmp_path_factory) -> Iterator[Outage]:
    tmp = tmp_path_factory.mktemp("outage")
    url = databases.test_database_url(tmp, "outage")
    databases.reset_schema(url)
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
    with builder.app_context():
        panel = factories.panel("Coventry Hate Crime Panel", PanelKind.LOCAL_HATE_CRIME_PANEL)
        police = factories.organisation("West Midlands Police, Coventry NPU")
        owner = factories.organisation(OWNER)
        coordinator = factories.user(email="coordinator@example.org", organisation_=police)
        member = factories.user(email="member@example.org", organisation_=owner)
        factories.membership(panel, coordinator, Role.COORDINATOR)
        factories.membership(panel, member, Role.MEMBER)
        agreement.accept(coordinator, panel)
        type_id = interventions.intervention_types(panel)[0].id
        db.session.commit()
        panel_id, owner_id, email = panel.id, owner.id, coordinator.email
        db.engine.dispose()

    target = sa.make_url(url)
    engine = sa.create_engine(url)
    with Forwarder((target.host or "127.0.0.1", target.port or 5432)) as forwarder:
        port = _free_port()
        log = tmp / "gunicorn.log"
        env = {
            **os.environ,
            **settings,
            "PANEL_ENV": "development",
            "PANEL_INSTANCE_PATH": str(tmp / "instance"),
            "DATABASE_URL": target.set(port=forwarder.port).render_as_string(False),
            "LOG_FORMAT": "json",
            "MAIL_BACKEND": "log",
        }
        command = [
            *(sys.executable, "-m", "gunicorn", "--workers", "2", "--timeout", "30"),
            *("--bind", f"127.0.0.1:{port}", "wsgi:app"),
            # Not the one control socket every gunicorn on the machine shares by default.
            "--no-control-socket",
        ]
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            base_url = f"http://127.0.0.1:{port}"
            _wait_until_up(base_url, process, log)
            browser = Browser(base_url)
            _sign_in(browser, builder, email)
            yield Outage(
                forwarder=forwarder,
                base_url=base_url,
                log=log,
                engine=engine,
                panel_id=panel_id,
                owner_id=owner_id,
                type_id=type_id,
                coordinator=browser,
            )
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    engine.dispose()
    databases.drop_schema(url)


def _wait_until_up(base_url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn stopped:\n{log.read_text()}")
        try:
            if Browser(base_url).get("/readyz")[0] == 200:
                return
        except (URLError, OSError):
            pass
        time.sleep(0.2)
    pytest.fail(f"gunicorn did not answer within 60 s:\n{log.read_text()}")


def _sign_in(browser: Browser, builder, email: str) -> None:
    token = browser.form("/sign-in")
    status, headers, page = browser.post(
        "/sign-in", {**token, "email": email, "password": factories.PASSWORD}
    )
    assert status == 302 and headers["Location"].endswith("/sign-in/code"), page
    with builder.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email))
        code = factories.totp_code(user)
        db.engine.dispose()
    token = browser.form("/sign-in/code")
    status, _headers, page = browser.post("/sign-in/code", {**token, "code": code})
    assert status == 302, page


def _assert_friendly_503(answer) -> None:
    status, headers, page = answer
    assert status == 503, page
    assert headers["Retry-After"].isdigit()
    assert "Sorry, Panel is not available at the moment" in page
    for never in ("Traceback", "SELECT", "INSERT", "psycopg", "sqlalchemy", "5432"):
        assert never not in page, never


def test_pages_say_panel_is_unavailable_while_postgresql_is_away_and_work_again_after(outage):
    coordinator = outage.coordinator
    assert coordinator.get("/")[0] == 200  # the pool holds live connections
    visitor = Browser(outage.base_url)
    sign_in_form = visitor.form("/sign-in")
    path, form = outage.intervention_form("A visit to the shops with the neighbourhood team.")
    lines_before = len(outage.log_lines())

    outage.forwarder.close()
    pages = [
        coordinator.get("/"),
        coordinator.get(f"/panels/{outage.panel_id}"),
        coordinator.post(path, form),
        visitor.post("/sign-in", {**sign_in_form, "email": "a@example.org", "password": "x"}),
        visitor.get("/reset-password/a-link-from-an-e-mail"),  # the link is looked up
    ]
    for answer in pages:
        _assert_friendly_503(answer)
    assert Browser(outage.base_url).get("/healthz")[0] == 200  # the processes are up
    status, _headers, ready = Browser(outage.base_url).get("/readyz")
    assert status == 503 and json.loads(ready)["checks"]["database"] == "failed"

    outage.forwarder.open()
    # Every connection the two workers' pools held was cut; each is replaced when next taken
    # (pool_pre_ping), so no page fails after the database is back, on either worker.
    for _ in range(12):
        assert coordinator.get("/")[0] == 200
    assert Browser(outage.base_url).get("/readyz")[0] == 200

    new_lines = outage.log_lines()[lines_before:]
    text = "\n".join(new_lines)
    unreachable = [line for line in new_lines if "Database unreachable" in line]
    assert len(unreachable) == len(pages), text  # one line a page, not one per retry
    assert all('"level": "ERROR"' in line for line in unreachable)
    for never in ("Traceback", "INSERT", "A visit to the shops", "a@example.org"):
        assert never not in text, never
    # No worker was restarted: the same two processes served before, during and after.
    assert sum("Booting worker" in line for line in outage.log_lines()) == 2


def test_a_form_sent_while_postgresql_is_away_is_not_saved_and_is_saved_once_sent_again(outage):
    description = "Leaflets at the bus station with the community officer."
    path, form = outage.intervention_form(description)
    outage.forwarder.close()
    _assert_friendly_503(outage.coordinator.post(path, form))
    outage.forwarder.open()
    assert outage.saved(description) == (0, 0)

    status, headers, page = outage.coordinator.post(path, form)  # the same form, sent again
    assert status == 302, page
    assert outage.saved(description) == (1, 1)


@pytest.mark.parametrize(
    ("cut_on", "after", "where"),
    [
        (OWNER.encode(), None, "after the intervention's rows, at its audit event"),
        # The save's own COMMIT: only its transaction sends the owner's name before one.
        (b"COMMIT", OWNER.encode(), "at the commit"),
    ],
)
def test_a_connection_cut_in_the_middle_of_a_save_leaves_nothing_half_written(
    outage, cut_on, after, where
):
    description = f"A patrol on the estate (cut {where})."
    path, form = outage.intervention_form(description)
    rows_before = outage.count(ROWS)

    cuts = outage.forwarder.cuts
    outage.forwarder.cut_when_client_sends(cut_on, after=after)
    _assert_friendly_503(outage.coordinator.post(path, form))
    assert outage.forwarder.cuts == cuts + 1
    # The transaction had sent the intervention's row and its first update before the cut (as
    # text: psycopg would prepare a statement after its fifth use on a connection, and this
    # module agrees four interventions).
    sent = outage.forwarder.sent_before_cut
    assert b"INSERT INTO intervention " in sent and b"INSERT INTO intervention_update " in sent
    # PostgreSQL rolled back what the transaction had written when its client vanished.
    assert outage.saved(description) == (0, 0)
    assert outage.count(ROWS) == rows_before

    status, _headers, page = outage.coordinator.post(path, form)  # sent again: saved once
    assert status == 302, page
    assert outage.saved(description) == (1, 1)
