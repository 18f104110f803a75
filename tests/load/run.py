"""`make bench-load`: Panel under load, on PostgreSQL, served by gunicorn on this machine.

    python -m tests.load.run --database postgresql://postgres@127.0.0.1:5432/national \\
        --users 10 50 --duration 1m

Starts two gunicorn servers on loopback ports, each with the same number of workers: Panel
(`wsgi:app`) and the bare endpoint (`tests/load/bare.py`, a Flask + SQLAlchemy app answering
`SELECT 1`). Signs the demo accounts in and finds their pages (`tests/load/plan.py`), warms the
workers up, then for each number of users runs Locust headless (`tests/load/locustfile.py`):

1. the realistic mix for the given time: per-page p50/p95/p99 and throughput, and errors;
2. each page alone, then the app's `/healthz` alone, then the bare endpoint alone, each for a
   few seconds with the same number of users and no pauses: throughput per page, and its ratio
   to `/healthz` and to bare.

Why separate phases rather than tagged tasks in one run: in one run every endpoint shares the same
workers at once, so `/healthz`'s throughput would be whatever share of the mix it was given, and
its latency would include queueing behind the slow pages; the ratios would measure the mix's
weights, not the endpoints. Each endpoint alone, with the same users, workers and machine, minutes
apart, measures what each costs. Locust runs on the same two cores, so its own CPU is part of
every phase alike; when Locust reports its CPU as saturated, the report says so (the throughput
of the fastest endpoints is then a lower bound).

The app runs as in production (gunicorn, no debugger, templates cached, a SECRET_KEY of its own for
the run, mail written to the server's log) except for one setting: PANEL_ENV stays `development`,
because production refuses the demo accounts (their password is published) and marks the session
cookie Secure, which a client on plain http://127.0.0.1 does not send back; neither changes what a
page costs. The throttles and the session limits keep their defaults: each account signs in once.

Bounded: users, time (the mix's DURATION, each phase's seconds, and a hard limit on each Locust
process) and requests (--max-requests per phase). Every server binds to 127.0.0.1 and Locust
refuses any other host. Writes the table, a CSV and an SVG chart to --out (bench-results/ by
default, git-ignored), and prints the table.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg

from tests.load import plan as plans
from tests.load import report

ROOT = Path(__file__).resolve().parents[2]
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
DEFAULT_DATABASE = "postgresql://postgres@127.0.0.1:5432/national"
MIX_CLASSES = ["Chair", "Coordinator", "Partner", "Reader"]
# The pages measured alone, in this order; the update (a write) is measured in the mix only.
ALONE = [
    plans.HOME,
    plans.PANEL,
    plans.MEETINGS,
    plans.MEETING,
    plans.CASE_REVIEWS,
    plans.CASE_REVIEW,
    plans.REGISTER,
    plans.REGISTER_SEARCH,
    plans.MY_INTERVENTIONS,
    plans.PANEL_INTERVENTIONS,
    plans.INTERVENTION,
    plans.MINUTES_LIST,
    plans.MINUTES,
    plans.MINUTES_PDF,
    plans.INSIGHT,
    plans.INSIGHT_ACROSS,
]
# The order of the table: the pages, the update after the page it is posted from.
ORDER = [
    *ALONE[: ALONE.index(plans.INTERVENTION) + 1],
    plans.UPDATE,
    *ALONE[ALONE.index(plans.INTERVENTION) + 1 :],
]
# What the database holds, for the report's heading (PostgreSQL's estimates: no counting).
SIZES = ["panel", "meeting", "case_review", "lesson", "intervention", "audit_event"]


def seconds(text: str) -> float:
    """'90', '90s', '5m', '1h' or '1h30m' as seconds."""
    text = text.strip().lower()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    parts = re.findall(r"(\d+(?:\.\d+)?)([hms])", text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (e.g. 30s, 5m, 1h)")
    return sum(float(n) * {"h": 3600, "m": 60, "s": 1}[u] for n, u in parts)


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="make bench-load", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database",
        default=os.environ.get("LOAD_DATABASE_URL") or DEFAULT_DATABASE,
        help="PostgreSQL with Panel's schema and demo accounts (LOAD_DATABASE_URL)",
    )
    parser.add_argument("--users", type=int, nargs="+", default=[10, 50])
    parser.add_argument("--duration", type=seconds, default=seconds("1m"), help="of each mix")
    parser.add_argument(
        "--page-seconds", type=seconds, default=10.0, help="each page, /healthz and bare alone"
    )
    parser.add_argument("--warm-up", type=seconds, default=10.0)
    parser.add_argument("--wait", default="1-3", help="pause between a user's pages: MIN-MAX s")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers, for both apps")
    parser.add_argument("--max-requests", type=int, default=1_000_000, help="per phase")
    parser.add_argument(
        "--no-updates", action="store_true", help="partners read only (no intervention updates)"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "bench-results")
    args = parser.parse_args(argv)
    if not re.fullmatch(r"\d+(\.\d+)?(-\d+(\.\d+)?)?", args.wait):
        parser.error(f"--wait takes seconds or MIN-MAX seconds, not {args.wait!r}")
    if not all(0 < u <= 500 for u in args.users):
        parser.error("--users: between 1 and 500")
    return args


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """A gunicorn on a loopback port, in its own process group, stopped by its own id."""

    def __init__(self, name: str, app: str, workers: int, env: dict, log: Path) -> None:
        self.name, self.port, self.log = name, free_port(), log
        self.url = f"http://127.0.0.1:{self.port}"
        command = [
            sys.executable, "-m", "gunicorn", "--workers", str(workers),
            "--bind", f"127.0.0.1:{self.port}", app,
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_until_up(self, path: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} server stopped: see {self.log}")
            try:
                with urllib.request.urlopen(self.url + path, timeout=5) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise SystemExit(f"{self.name} server did not answer {path} within {timeout:.0f} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def check_database(url: str) -> dict[str, int]:
    """The database answers and has Panel's tables; how big the main ones are (PostgreSQL's
    estimates; a table never analysed, as in a small new database, is counted)."""
    try:
        with psycopg.connect(plans.libpq_url(url), autocommit=True, connect_timeout=10) as db:
            found = dict(
                db.execute(
                    "SELECT relname, reltuples::bigint FROM pg_class "
                    "WHERE relkind = 'r' AND relname = ANY(%s) "
                    "AND relnamespace = 'public'::regnamespace",
                    (SIZES + ["user_account"],),
                ).fetchall()
            )
            if "user_account" not in found:
                raise SystemExit(
                    f"bench-load: {url} has no Panel tables. Load it first, e.g.\n"
                    f"  DATABASE_URL={url} .venv/bin/flask --app wsgi db upgrade\n"
                    f"  DATABASE_URL={url} .venv/bin/flask --app wsgi demo-data --national"
                )
            sizes = {name: found.get(name, 0) for name in SIZES}
            for name, estimate in sizes.items():
                if estimate <= 0:
                    query = f'SELECT count(*) FROM "{name}"'  # noqa: S608 - a name from SIZES
                    sizes[name] = db.execute(query).fetchone()[0]
    except psycopg.Error as error:
        raise SystemExit(f"bench-load: cannot use {url}: {error}".strip()) from None
    return sizes


class Locust:
    """Runs tests/load/locustfile.py headless, one phase at a time, with a hard time limit."""

    def __init__(self, plan_path: Path, folder: Path, args: argparse.Namespace) -> None:
        self.plan_path, self.folder, self.args = plan_path, folder, args
        self.cpu_warnings: list[str] = []

    def run(self, name: str, host: str, users: int, run_seconds: float, classes: list[str],
            wait: str, page: str = "") -> dict[str, report.Stat]:  # fmt: skip
        """One phase; what each endpoint did in it (report.summarise)."""
        prefix = self.folder / name
        record = Path(f"{prefix}_requests.csv")
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "BENCH_PLAN": str(self.plan_path),
            "BENCH_WAIT": wait,
            "BENCH_PAGE": page,
            "BENCH_MAX_REQUESTS": str(self.args.max_requests),
            "BENCH_RECORD": str(record),
        }
        command = [
            sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless",
            "--users", str(users), "--spawn-rate", str(users),
            "--run-time", f"{max(int(run_seconds), 1)}s", "--stop-timeout", "10",
            "--host", host, "--csv", str(prefix), "--only-summary",
            "--loglevel", "WARNING", "--exit-code-on-error", "0", *classes,
        ]  # fmt: skip
        log = prefix.with_suffix(".log")
        with log.open("w") as out:
            subprocess.run(
                command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, check=True,
                timeout=run_seconds + 120,
            )  # fmt: skip
        if "CPU usage" in log.read_text():
            self.cpu_warnings.append(name)
        return report.summarise(report.read_requests(record))


def level(args, locust: Locust, plan: dict, plan_path: Path, app: Server, bare: Server,
          users: int, log) -> tuple[list[report.Row], list[str]]:  # fmt: skip
    """The mix, then each page, /healthz and bare alone, with this many users."""
    plans.save(plans.refresh(plan), plan_path)
    log(f"{users} users: the mix for {args.duration:.0f} s (pauses of {args.wait} s)")
    mix = locust.run(f"u{users}-mix", app.url, users, args.duration, MIX_CLASSES, args.wait)
    plans.save(plans.refresh(plan), plan_path)
    alone: dict[str, report.Stat] = {}
    kinds = [k for k in ALONE if any(a["pages"].get(k) for a in plan["accounts"])]
    each = f"{args.page_seconds:.0f} s"
    log(f"{users} users: {len(kinds)} pages, /healthz and bare alone, {each} each")
    for kind in kinds:
        slug = re.sub(r"\W+", "-", kind).strip("-")
        stats = locust.run(
            f"u{users}-alone-{slug}", app.url, users, args.page_seconds, ["OnePage"], "0", kind
        )
        if kind in stats:
            alone[kind] = stats[kind]
    healthz = locust.run(f"u{users}-healthz", app.url, users, args.page_seconds, ["Healthz"], "0")[
        report.HEALTHZ
    ]
    bare_stat = locust.run(f"u{users}-bare", bare.url, users, args.page_seconds, ["Bare"], "0")[
        report.BARE
    ]
    rows = report.build_rows(
        users, mix, alone, healthz, bare_stat, plans.PDF_PAGES, ORDER, plans.INSIGHT_PAGES
    )
    notes = []
    stale = mix.get(f"STALE {plans.UPDATE}")
    if stale:
        notes.append(
            f"{users} users: {stale.requests} intervention updates were refused because another "
            "simulated partner saved the same intervention first (as designed; not errors)"
        )
    return rows, notes


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    out: Path = args.out
    raw = out / "locust"
    shutil.rmtree(raw, ignore_errors=True)
    raw.mkdir(parents=True)

    def log(line: str) -> None:
        print(f"[bench-load {time.strftime('%H:%M:%S')}] {line}", flush=True)

    sizes = check_database(args.database)
    dataset = ", ".join(f"{n:,} {name}" for name, n in sizes.items())
    log(f"database {re.sub(r'//[^@/]*@', '//', args.database)}: about {dataset}")

    env = {
        **os.environ,
        "DATABASE_URL": args.database,
        "SECRET_KEY": secrets.token_hex(32),
        "PANEL_ENV": "development",
        "MAIL_BACKEND": "log",
    }
    servers = [
        Server("Panel", "wsgi:app", args.workers, env, out / "app-server.log"),
        Server("bare", "tests.load.bare:from_environment()", args.workers, env,
               out / "bare-server.log"),
    ]  # fmt: skip
    app, bare = servers
    started, load_before = time.monotonic(), os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-load-") as private:
        # The plan holds live session cookies for the run: kept out of the results folder.
        plan_path = Path(private) / "plan.json"
        try:
            app.wait_until_up("/healthz")
            bare.wait_until_up("/bare")
            log(f"gunicorn, {args.workers} workers each: Panel on {app.url}, bare on {bare.url}")
            log("signing in the demo accounts and finding their pages")
            plan = plans.make_plan(app.url, args.database, log=log)
            if args.no_updates:
                for account in plan["accounts"]:
                    account["updatable"] = []
            plans.save(plan, plan_path)
            locust = Locust(plan_path, raw, args)
            log(f"warming up for {args.warm_up:.0f} s")
            locust.run("warm-up", app.url, max(args.users), args.warm_up, MIX_CLASSES, "0")
            rows: list[report.Row] = []
            notes: list[str] = []
            for users in args.users:
                more_rows, more_notes = level(args, locust, plan, plan_path, app, bare, users, log)
                rows += more_rows
                notes += more_notes
        finally:
            for server in servers:
                server.stop()
    if locust.cpu_warnings:
        notes.append(
            "Locust reported its own CPU as saturated in: "
            + ", ".join(locust.cpu_warnings)
            + " (those throughputs are lower bounds: client and servers share two cores)"
        )
    load_after = os.getloadavg()[0]
    cores = os.cpu_count() or 1
    if max(load_before, load_after) > cores / 2:
        notes.append(
            f"The machine was busy besides this run: load average {load_before:.1f} before it "
            f"and {load_after:.1f} after it, on {cores} cores. Every figure is slower than on a "
            "quiet machine; run it again when nothing else is running."
        )
    found = report.targets(rows, {u: args.duration for u in args.users})
    heading = (
        f"bench-load: gunicorn {args.workers} workers, PostgreSQL with about {dataset}; "
        f"mix of {args.duration:.0f} s with pauses of {args.wait} s, each endpoint alone "
        f"{args.page_seconds:.0f} s without pauses; {cores} cores, load average "
        f"{load_before:.1f} before and {load_after:.1f} after; took "
        f"{time.monotonic() - started:.0f} s"
    )
    text = "\n\n".join(
        [heading, report.format_table(rows), "Targets:\n" + report.format_targets(found)]
        + (["Notes:\n" + "\n".join(f"- {n}" for n in notes)] if notes else [])
    )
    report.write_csv(rows, out / "bench-load.csv")
    report.write_svg(rows, out / "p95-by-page.svg")
    (out / "bench-load.md").write_text(text + "\n")
    print()
    print(text)
    print(f"\nWritten: {out / 'bench-load.md'}, {out / 'bench-load.csv'}, "
          f"{out / 'p95-by-page.svg'}; Locust's own CSVs in {raw}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
