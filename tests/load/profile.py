"""Where a page's time goes, in process: the pages of the load test (`tests/load/plan.py`), each
asked for N times through Flask's test client, with the SQL, the template rendering and a cProfile
of the Python behind them.

    python -m tests.load.profile --database postgresql://postgres@127.0.0.1:5432/national \\
        [--page panel --page "published minutes list"] [--repeat 20]

Signs the demo accounts in as `make bench-load` does (password and authenticator code, through
the real forms) and finds their pages the same way, but with no server: requests go straight into
the app, so the figures are the app's own work, without gunicorn, the network or a load
generator. Then, per kind of page (and for `/healthz`, and the bare Flask + SQLAlchemy endpoint of
`tests/load/bare.py`, built in process on the same database):

1. a warm-up: each address found once, unmeasured;
2. N requests, timed: mean and p50/max in ms, SQL statements and their time (a cursor-execute
   listener on the engine), and the time spent rendering templates (Flask's
   `before_render_template` and `template_rendered` signals; it includes any SQL a template
   causes);
3. N requests again under cProfile: the top functions by cumulative time, per request. The
   profiler slows Python code down, so these are shares, not times; the timed pass has the times.

Signing in writes what a sign-in writes (the session token, the authenticator step, audit
events), and a page that asks for a panel's confidentiality agreement is agreed to, as in the
load test; pages are only read. The app runs as `make bench-load` runs it: development settings
(the demo accounts are refused in production), templates cached, no debugger.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import os
import pstats
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from flask import before_render_template, template_rendered
from sqlalchemy import event

from panel import create_app
from panel.config import database_url
from tests.load import plan as plans
from tests.load import report
from tests.load.bare import create_bare_app
from tests.load.run import ALONE

HEALTHZ = report.HEALTHZ
BARE = report.BARE
TOP = 15
SLOWEST_SQL = 3
# Frames every request passes through (the test client, Flask's dispatch and this module): they
# sit at the top of any cumulative listing and say nothing about the page.
PLUMBING = (
    "werkzeug/test.py",
    "flask/testing.py",
    "flask/app.py",
    "flask/ctx.py",
    "tests/load/profile.py",
    "{built-in method builtins.exec}",
    "{method 'run' of '_contextvars.Context' objects}",
)


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tests.load.profile", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--database",
        default=os.environ.get("LOAD_DATABASE_URL") or os.environ.get("DATABASE_URL"),
        help="Panel's database, with the demo accounts (LOAD_DATABASE_URL or DATABASE_URL); "
        "PostgreSQL or SQLite",
    )
    parser.add_argument(
        "--page",
        action="append",
        metavar="NAME",
        help=f"a kind of page, as the load test names it (repeatable; default: all): "
        f"{', '.join([*ALONE, HEALTHZ, BARE])}",
    )
    parser.add_argument("--repeat", type=int, default=20, help="requests per page and pass")
    parser.add_argument("--top", type=int, default=TOP, help="functions listed per page")
    parser.add_argument(
        "--sort",
        choices=["cumulative", "own"],
        default="cumulative",
        help="list the functions by cumulative time (with what they call) or their own time",
    )
    parser.add_argument(
        "--panel-only",
        action="store_true",
        help="list only Panel's own functions and templates (panel/, templates/), leaving out the "
        "libraries' frames that every query and render passes through",
    )
    parser.add_argument(
        "--per-role", type=int, default=None, help="sign in at most this many accounts per role"
    )
    parser.add_argument(
        "--role",
        action="append",
        choices=list(plans.ACCOUNTS),
        help="sign in only this role's accounts (repeatable; default: every role)",
    )
    args = parser.parse_args(argv)
    if not args.database:
        parser.error("--database: give Panel's database (or set LOAD_DATABASE_URL)")
    unknown = set(args.page or []) - set(ALONE) - {HEALTHZ, BARE}
    if unknown:
        parser.error(f"--page: no such page: {', '.join(sorted(unknown))}")
    if args.repeat < 1:
        parser.error("--repeat: at least 1")
    return args


# --- The test client behind requests' face, for plan.Browser ---------------------------------


class _Response:
    """What plan.Browser reads of a response: the final URL after redirects, text and status."""

    def __init__(self, response) -> None:
        self.status_code = response.status_code
        self.ok = response.status_code < 400
        self.text = response.get_data().decode("utf-8", "replace")  # a PDF too
        self.url = response.request.url


class _Cookies:
    def __init__(self, client) -> None:
        self.client = client

    def get_dict(self) -> dict[str, str]:
        return {cookie.key: cookie.value for cookie in self.client._cookies.values()}


class _TestClientHttp:
    """requests.Session's get and post (following redirects), on the app's test client."""

    def __init__(self, client) -> None:
        self.client = client
        self.cookies = _Cookies(client)

    def get(self, url: str, timeout: float | None = None) -> _Response:
        return _Response(self.client.get(url, follow_redirects=True))

    def post(self, url: str, data: dict, timeout: float | None = None) -> _Response:
        return _Response(self.client.post(url, data=data, follow_redirects=True))


class InProcessBrowser(plans.Browser):
    """A demo account's browser whose requests go straight into the app."""

    def __init__(self, app) -> None:
        super().__init__("http://localhost", http=_TestClientHttp(app.test_client()))
        self.app = app

    def last_step(self, email: str, database_url: str | None) -> int | None:
        from panel.accounts.models import User
        from panel.extensions import db

        with self.app.app_context():
            return db.session.scalar(db.select(User.totp_last_step).where(User.email == email))


# --- Measuring ------------------------------------------------------------------------------


@dataclass
class Meter:
    """SQL statements and their time, and template rendering time, since the last `reset`; and
    each distinct statement's time over the whole pass (`by_statement`)."""

    queries: int = 0
    sql_s: float = 0.0
    template_s: float = 0.0
    by_statement: dict[str, float] = field(default_factory=dict)
    _sql_started: list[float] = field(default_factory=list)
    _render_started: list[float] = field(default_factory=list)

    def reset(self) -> None:
        self.queries, self.sql_s, self.template_s = 0, 0.0, 0.0

    def before_execute(self, *_args, **_kwargs) -> None:
        self._sql_started.append(time.perf_counter())

    def after_execute(self, _conn, _cursor, statement, *_args, **_kwargs) -> None:
        took = time.perf_counter() - self._sql_started.pop()
        self.queries += 1
        self.sql_s += took
        self.by_statement[statement] = self.by_statement.get(statement, 0.0) + took

    def before_render(self, *_args, **_kwargs) -> None:
        self._render_started.append(time.perf_counter())

    def rendered(self, *_args, **_kwargs) -> None:
        started = self._render_started.pop()
        if not self._render_started:  # a template rendered inside another counts once
            self.template_s += time.perf_counter() - started

    @contextlib.contextmanager
    def listening(self, app, engine):
        event.listen(engine, "before_cursor_execute", self.before_execute)
        event.listen(engine, "after_cursor_execute", self.after_execute)
        before_render_template.connect(self.before_render, app)
        template_rendered.connect(self.rendered, app)
        try:
            yield self
        finally:
            event.remove(engine, "before_cursor_execute", self.before_execute)
            event.remove(engine, "after_cursor_execute", self.after_execute)
            before_render_template.disconnect(self.before_render, app)
            template_rendered.disconnect(self.rendered, app)


@dataclass
class PageProfile:
    name: str
    addresses: int
    requests: int
    ms: list[float]
    cpu_ms: float  # the app's own CPU per request (mean): steadier than `ms` on a busy machine
    calls: float  # Python function calls per request: the same on a busy machine and a quiet one
    queries: float  # per request
    sql_ms: float
    template_ms: float
    # Per request: (function, cumulative ms, own ms, calls).
    top: list[tuple[str, float, float, float]]
    sort: str = "cumulative"
    # Per request: (statement, ms) for the statements that took longest, slowest first.
    slowest_sql: list[tuple[str, float]] = field(default_factory=list)

    @property
    def mean_ms(self) -> float:
        return statistics.fmean(self.ms)


@dataclass
class Target:
    """One page kind: the clients (signed-in accounts) and addresses to ask for, in turn."""

    app: object
    engine: object
    requests: list[tuple[object, str]]  # (client, path)


def _ask(client, path: str) -> None:
    response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"GET {path} answered {response.status_code}: the plan is out of date")
    response.close()


def profile_page(
    name: str,
    target: Target,
    repeat: int,
    top: int,
    sort: str = "cumulative",
    panel_only: bool = False,
) -> PageProfile:
    pairs = target.requests
    for client, path in pairs:  # warm-up
        _ask(client, path)
    turns = [pairs[i % len(pairs)] for i in range(repeat)]
    meter = Meter()
    times, cpu, queries, sql, templates = [], [], [], [], []
    with meter.listening(target.app, target.engine):
        for client, path in turns:
            meter.reset()
            started, started_cpu = time.perf_counter(), time.process_time()
            _ask(client, path)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            queries.append(meter.queries)
            sql.append(meter.sql_s * 1000)
            templates.append(meter.template_s * 1000)
    profiler = cProfile.Profile()
    for client, path in turns:
        profiler.enable()
        _ask(client, path)
        profiler.disable()
    return PageProfile(
        name=name,
        addresses=len(pairs),
        requests=repeat,
        ms=times,
        cpu_ms=statistics.fmean(cpu),
        queries=statistics.fmean(queries),
        sql_ms=statistics.fmean(sql),
        template_ms=statistics.fmean(templates),
        top=top_functions(profiler, repeat, top, sort, panel_only),
        calls=pstats.Stats(profiler).total_calls / repeat,  # type: ignore[attr-defined]
        slowest_sql=[
            (statement, took * 1000 / repeat)
            for statement, took in sorted(
                meter.by_statement.items(), key=lambda item: item[1], reverse=True
            )[:SLOWEST_SQL]
        ],
        sort=sort,
    )


def top_functions(
    profiler: cProfile.Profile,
    repeat: int,
    top: int,
    sort: str = "cumulative",
    panel_only: bool = False,
):
    """The `top` functions by cumulative (or own) time, per request, leaving out the request
    plumbing (and with `panel_only`, everything but Panel's own code and templates)."""
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    rows = []
    for (filename, line, function), (_cc, calls, own, cumulative, _callers) in stats.items():
        where = _short(filename, line, function)
        if any(p in where for p in PLUMBING):
            continue
        if panel_only and not where.startswith(("panel/", "templates/")):
            continue
        rows.append((where, cumulative * 1000 / repeat, own * 1000 / repeat, calls / repeat))
    rows.sort(key=lambda row: row[1] if sort == "cumulative" else row[2], reverse=True)
    return rows[:top]


def _short(filename: str, line: int, function: str) -> str:
    if filename == "~":
        return function
    path = filename.replace("\\", "/")
    for marker in ("/site-packages/", "/lib/python3"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    else:
        with contextlib.suppress(ValueError):
            path = str(Path(filename).resolve().relative_to(Path(__file__).resolve().parents[2]))
    return f"{path}:{line}({function})"


# --- Output ---------------------------------------------------------------------------------


def format_page(page: PageProfile) -> str:
    lines = [
        f"{page.name}: {page.requests} requests over {page.addresses} addresses",
        f"  mean {page.mean_ms:.1f} ms (p50 {statistics.median(page.ms):.1f}, max "
        f"{max(page.ms):.1f}; CPU {page.cpu_ms:.1f}); SQL {page.queries:.1f} statements, "
        f"{page.sql_ms:.1f} ms; templates {page.template_ms:.1f} ms",
        *(
            f"  SQL {took:7.1f} ms per request: {_one_line(statement)}"
            for statement, took in page.slowest_sql
        ),
        f"  {page.calls:,.0f} function calls per request; top functions by {page.sort} time, "
        "per request (cProfile):",
        f"    {'cum ms':>8} {'own ms':>8} {'calls':>8}  function",
    ]
    lines += [
        f"    {cumulative:8.2f} {own:8.2f} {calls:8.1f}  {where}"
        for where, cumulative, own, calls in page.top
    ]
    return "\n".join(lines)


def _one_line(statement: str, width: int = 160) -> str:
    text = " ".join(statement.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def format_summary(pages: list[PageProfile]) -> str:
    width = max(len(p.name) for p in pages)
    lines = [
        f"{'page':<{width}}  {'mean ms':>8}  {'p50 ms':>7}  {'CPU ms':>7}  {'queries':>7}  "
        f"{'SQL ms':>7}  {'templates ms':>12}  {'calls':>7}"
    ]
    lines += [
        f"{p.name:<{width}}  {p.mean_ms:8.1f}  {statistics.median(p.ms):7.1f}  "
        f"{p.cpu_ms:7.1f}  {p.queries:7.1f}  {p.sql_ms:7.1f}  {p.template_ms:12.1f}  "
        f"{p.calls:7,.0f}"
        for p in pages
    ]
    return "\n".join(lines)


# --- The run --------------------------------------------------------------------------------


def build_app(url: str):
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "MAIL_BACKEND": "log"})


def targets_for(app, plan: dict, kinds: list[str]) -> dict[str, Target]:
    """Per kind of page, the addresses the plan found, each with its account's client."""
    with app.app_context():
        engine = app.extensions["sqlalchemy"].engine
    clients = {}
    for account in plan["accounts"]:
        client = app.test_client()
        for name, value in account["cookies"].items():
            client.set_cookie(name, value)
        clients[account["email"]] = client
    found = {}
    for kind in kinds:
        pairs = [
            (clients[account["email"]], path)
            for account in plan["accounts"]
            for path in account["pages"].get(kind, [])
        ]
        if pairs:
            found[kind] = Target(app, engine, pairs)
    return found


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    url = database_url(args.database, "/nonexistent")

    def log(line: str) -> None:
        print(f"[profile {time.strftime('%H:%M:%S')}] {line}", file=sys.stderr, flush=True)

    app = build_app(url)
    wanted = args.page or [*ALONE, HEALTHZ, BARE]
    pages = [k for k in wanted if k not in (HEALTHZ, BARE)]
    found: dict[str, Target] = {}
    if pages:
        accounts = {role: plans.ACCOUNTS[role] for role in args.role or plans.ACCOUNTS}
        if args.per_role:
            accounts = {role: emails[: args.per_role] for role, emails in accounts.items()}
        log("signing in the demo accounts and finding their pages")
        plan = plans.make_plan(
            "http://localhost",
            None,
            accounts=accounts,
            log=log,
            new_browser=lambda _base: InProcessBrowser(app),
        )
        found = targets_for(app, plan, pages)
    if HEALTHZ in wanted:
        found[HEALTHZ] = _anonymous(app, "/healthz")
    if BARE in wanted:
        found[BARE] = _anonymous(create_bare_app(url), "/bare")
    results = []
    for kind in wanted:
        if kind not in found:
            log(f"{kind}: no address found for it; left out")
            continue
        log(f"{kind}: {args.repeat} requests, twice (timed, then under cProfile)")
        result = profile_page(kind, found[kind], args.repeat, args.top, args.sort, args.panel_only)
        results.append(result)
        print(format_page(result) + "\n", flush=True)
    if results:
        print(format_summary(results))
    return 0


def _anonymous(app, path: str) -> Target:
    """`path` asked for without signing in (/healthz, the bare endpoint)."""
    with app.app_context():
        engine = app.extensions["sqlalchemy"].engine
    return Target(app, engine, [(app.test_client(), path)])


if __name__ == "__main__":
    sys.exit(main())
