"""Panel's simulated users for `make bench-load` (Locust). `tests/load/run.py` starts the servers,
makes the plan (`tests/load/plan.py`: the accounts' sessions and the pages each can open) and runs
this file headless; it is not meant to be pointed anywhere but a server on this machine.

The realistic mix: chairs, coordinators, partners (members of a panel whose organisation owns
interventions) and readers (an advisory group's members, who read published minutes), each
opening the pages their role uses, with a pause to read between pages (BENCH_WAIT, "1-3" seconds
by default; "0" for none). Partners also post updates to their organisation's interventions
through the page's own form, with its CSRF token and the version it was drawn from.

For throughput, one page alone (`OnePage`, BENCH_PAGE names the kind), the app's `/healthz`
(`Healthz`) and the bare endpoint (`Bare`) are each hammered without pauses by the same number of
users.

Settings, from the environment: BENCH_PLAN (the plan's path), BENCH_WAIT, BENCH_PAGE,
BENCH_MAX_REQUESTS (the run stops after this many requests, whatever its time limit) and
BENCH_RECORD: a CSV of every request (when it started, how long it took, whether it failed), from
which `tests/load/report.py` computes exact percentiles and throughput. Locust's own stats CSV
rounds times between 100 ms and 1 s to 10 ms (a p95 of 104 ms reads as 100, right on the target),
counts the seconds before the first request in its requests per second, and is written a moment
before the run ends; it is kept beside the record for reference.
"""

from __future__ import annotations

import csv
import ipaddress
import itertools
import os
import random
import time
from urllib.parse import urlsplit

import gevent
from locust import FastHttpUser, between, constant, events, task
from locust.exception import StopUser

from tests.load import plan as plans

UPDATE_TEXT = (
    "Follow-up visit made on {day}; the support plan was reviewed with the partner agency and "
    "the next review is booked."
)
STALE = "STALE"  # a request type for updates refused because another save overtook the form


def _wait_time():
    low, _, high = os.environ.get("BENCH_WAIT", "1-3").partition("-")
    low_s, high_s = float(low), float(high or low)
    return constant(low_s) if low_s == high_s else between(low_s, high_s)


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@events.test_start.add_listener
def _loopback_only(environment, **_kwargs):
    if not is_loopback(environment.host or ""):
        raise SystemExit(f"bench-load targets this machine only, not {environment.host}")


@events.init.add_listener
def _bounded(environment, **_kwargs):
    """Stop the run after BENCH_MAX_REQUESTS requests, whatever its time limit."""
    limit = int(os.environ.get("BENCH_MAX_REQUESTS", "0") or 0)
    if not limit:
        return
    count = itertools.count(1)

    def counted(**_kwargs):
        if next(count) == limit and environment.runner is not None:
            gevent.spawn(environment.runner.quit)

    environment.events.request.add_listener(counted)


@events.init.add_listener
def _record(environment, **_kwargs):
    """Keep every request (BENCH_RECORD), written when Locust quits."""
    path = os.environ.get("BENCH_RECORD")
    if not path:
        return
    rows: list[tuple] = []

    def recorded(request_type, name, response_time, exception=None, start_time=None, **_kwargs):
        started = start_time if start_time is not None else time.time() - response_time / 1000
        error = "" if exception is None else str(exception)[:200]
        rows.append((request_type, name, f"{started:.6f}", f"{response_time:.3f}", error))

    def write(**_kwargs):
        with open(path, "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(RECORD_COLUMNS)
            writer.writerows(rows)

    environment.events.request.add_listener(recorded)
    environment.events.quitting.add_listener(write)


RECORD_COLUMNS = ["method", "name", "started", "ms", "error"]
_PLAN: dict | None = None
_TURNS: dict[str, itertools.count] = {}


def the_plan() -> dict:
    global _PLAN
    if _PLAN is None:
        _PLAN = plans.load(os.environ["BENCH_PLAN"])
    return _PLAN


def next_account(accounts: list[dict], key: str) -> dict:
    """Accounts in turn, so that simulated users spread over them."""
    turn = next(_TURNS.setdefault(key, itertools.count()))
    return accounts[turn % len(accounts)]


class PanelUser(FastHttpUser):
    """A signed-in person of one role: takes a session of one of the role's accounts and opens
    the pages of its kinds, weighted."""

    abstract = True
    role = ""
    weights: dict[str, int] = {}
    wait_time = _wait_time()
    # A page that takes longer than this has failed (gunicorn's own limit is 30 s).
    network_timeout = 60.0
    connection_timeout = 10.0

    def on_start(self) -> None:
        accounts = [a for a in the_plan()["accounts"] if a["role"] == self.role]
        self.account = next_account(accounts, self.role)
        self.kinds = [k for k in self.weights if self.account["pages"].get(k)]
        self.kind_weights = [self.weights[k] for k in self.kinds]
        host = urlsplit(self.host).hostname
        for name, value in self.account["cookies"].items():
            self.client.cookiejar.set_cookie(_cookie(name, value, host))

    @task
    def open_a_page(self) -> None:
        kind = random.choices(self.kinds, self.kind_weights)[0]
        if kind == plans.UPDATE:
            self.post_update()
        else:
            self.open(kind, random.choice(self.account["pages"][kind]))

    def open(self, kind: str, path: str):
        """GET a page; it must answer 200 itself (a redirect to sign in is a failure)."""
        with self.client.get(path, name=kind, allow_redirects=False, catch_response=True) as r:
            if r.status_code != 200:
                r.failure(f"{r.status_code} {r.headers.get('Location', '')}".strip())
            return r

    def post_update(self) -> None:
        """A partner's update to an intervention their organisation owns: the page's form as
        drawn (its CSRF token and version), a line of text, no change of status."""
        path = random.choice(self.account["updatable"])
        page = self.open(plans.INTERVENTION, path)
        if page.status_code != 200:
            return
        form = plans.form_with_action(page.text, r"/interventions/\d+/update$")
        if form is None:
            return  # no longer open for updates (another user closed it)
        fields = {**form["fields"], "text": UPDATE_TEXT.format(day=time.strftime("%d %B"))}
        fields["status"] = "unchanged"
        fields.pop("restricted", None)
        self.wait()  # typing the update
        started = time.perf_counter()
        with self.client.post(
            form["action"],
            data=fields,
            name=plans.UPDATE,
            allow_redirects=False,
            catch_response=True,
        ) as r:
            if r.status_code == 302:
                return
            if r.status_code == 200 and "Someone else saved a change" in r.text:
                # Another simulated partner saved first: refused with the current record, as
                # it should be. Counted apart, not as a failure.
                r.success()
                self.environment.events.request.fire(
                    request_type=STALE,
                    name=plans.UPDATE,
                    response_length=0,
                    exception=None,
                    response_time=(time.perf_counter() - started) * 1000,
                    context={},
                    start_time=time.time() - (time.perf_counter() - started),
                )
                return
            r.failure(f"update not saved: {r.status_code}")


def _cookie(name: str, value: str, host: str | None):
    from requests.cookies import create_cookie

    return create_cookie(name, value, domain=host or "127.0.0.1", path="/")


class Chair(PanelUser):
    weight = 2
    role = "chair"
    weights = {
        plans.HOME: 3,
        plans.PANEL: 3,
        plans.MEETING: 3,
        plans.CASE_REVIEW: 3,
        plans.CASE_REVIEWS: 1,
        plans.MEETINGS: 1,
        plans.REGISTER: 2,
        plans.REGISTER_SEARCH: 2,
        plans.MINUTES: 1,
        plans.MINUTES_PDF: 1,
        plans.INSIGHT: 1,
        plans.INSIGHT_ACROSS: 1,
    }


class Coordinator(PanelUser):
    weight = 2
    role = "coordinator"
    weights = {
        plans.HOME: 3,
        plans.PANEL: 3,
        plans.MEETING: 3,
        plans.CASE_REVIEW: 2,
        plans.CASE_REVIEWS: 1,
        plans.MEETINGS: 1,
        plans.PANEL_INTERVENTIONS: 2,
        plans.INTERVENTION: 2,
        plans.REGISTER: 1,
        plans.REGISTER_SEARCH: 1,
        plans.MINUTES_LIST: 1,
        plans.MINUTES_PDF: 1,
        plans.INSIGHT: 1,
        plans.INSIGHT_ACROSS: 1,
    }


class Partner(PanelUser):
    weight = 4
    role = "partner"
    weights = {
        plans.HOME: 3,
        plans.MY_INTERVENTIONS: 3,
        plans.INTERVENTION: 2,
        plans.UPDATE: 2,
        plans.PANEL: 1,
        plans.MEETING: 2,
        plans.REGISTER: 1,
        plans.REGISTER_SEARCH: 1,
        plans.MINUTES: 1,
    }

    def on_start(self) -> None:
        # Only partners whose organisation owns open interventions post updates.
        super().on_start()
        if self.account["updatable"]:
            self.kinds.append(plans.UPDATE)
            self.kind_weights.append(self.weights[plans.UPDATE])


class Reader(PanelUser):
    weight = 2
    role = "reader"
    weights = {
        plans.HOME: 2,
        plans.PANEL: 1,
        plans.MINUTES_LIST: 3,
        plans.MINUTES: 3,
        plans.MINUTES_PDF: 2,
    }


MIX = [Chair, Coordinator, Partner, Reader]


class OnePage(PanelUser):
    """Throughput of one kind of page (BENCH_PAGE) alone: every account that has it, no pause."""

    wait_time = constant(0)

    def on_start(self) -> None:
        kind = os.environ["BENCH_PAGE"]
        accounts = [a for a in the_plan()["accounts"] if a["pages"].get(kind)]
        if not accounts:
            raise StopUser
        self.account = next_account(accounts, "page:" + kind)
        self.kinds, self.kind_weights = [kind], [1]
        host = urlsplit(self.host).hostname
        for name, value in self.account["cookies"].items():
            self.client.cookiejar.set_cookie(_cookie(name, value, host))


class Healthz(FastHttpUser):
    """The app's own `/healthz`: every request through the app's middleware, one `SELECT 1`."""

    wait_time = constant(0)

    @task
    def healthz(self) -> None:
        self.client.get("/healthz", name="/healthz")


class Bare(FastHttpUser):
    """The bare Flask + SQLAlchemy endpoint (tests/load/bare.py) on its own server."""

    wait_time = constant(0)

    @task
    def bare(self) -> None:
        self.client.get("/bare", name="bare SELECT 1")
