"""`make bench-load`: Panel under load, on PostgreSQL, served by gunicorn on this machine.

    python -m tests.load.run --database postgresql://postgres@127.0.0.1:5432/national \\
        --users 10 50 --duration 1m

Starts two gunicorn servers on loopback ports, each with the same number of workers: Panel
(`wsgi:app`) and the bare endpoint (`tests/load/bare.py`, a Flask + SQLAlchemy app answering
`SELECT 1`). With `--instances 2`, Panel runs as two gunicorn instances (each with that many
workers, sharing the database and Redis, as two app servers do) behind nginx on one loopback
address, with the proxy headers of deploy/nginx/panel.conf and PROXY_COUNT=1; `--instances 1 2`
runs the whole bench once each way and closes with a comparison.

Signs the demo accounts in and finds their pages (`tests/load/plan.py`), warms the workers up,
then for each number of users runs Locust headless (`tests/load/locustfile.py`):

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

nginx runs in the foreground from a configuration written to a temporary folder (no system
service, nothing under /etc); a missing nginx stops a two-instance run before it starts.

Bounded: users, time (the mix's DURATION, each phase's seconds, and a hard limit on each Locust
process) and requests (--max-requests per phase). Every server binds to 127.0.0.1 and Locust
refuses any other host. Writes the table, a CSV and an SVG chart to --out (bench-results/ by
default, git-ignored), and prints the table.
"""

from __future__ import annotations

import argparse
import dataclasses
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
import redis

from tests.load import plan as plans
from tests.load import report

ROOT = Path(__file__).resolve().parents[2]
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
DEFAULT_DATABASE = "postgresql://postgres@127.0.0.1:5432/national"
DEFAULT_THROTTLE_STORAGE = "redis://127.0.0.1:6379/0"
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
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers, for each app")
    parser.add_argument(
        "--instances",
        type=int,
        nargs="+",
        default=[1],
        choices=[1, 2],
        help="Panel instances: 1, 2 behind nginx, or '1 2' for both, compared (INSTANCES)",
    )
    parser.add_argument(
        "--throttle-storage",
        default=os.environ.get("RATELIMIT_STORAGE_URI") or DEFAULT_THROTTLE_STORAGE,
        help="the Redis two instances share their throttle counts in (RATELIMIT_STORAGE_URI)",
    )
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


NO_NGINX = (
    "bench-load: --instances 2 puts nginx in front of the two instances, and nginx is not "
    "installed (Debian: apt-get install nginx; only the program is used, not the service)"
)


def nginx_program() -> str | None:
    """nginx, on the PATH or where Debian installs it (/usr/sbin, off a plain user's PATH)."""
    found = shutil.which("nginx") or "/usr/sbin/nginx"
    return found if os.access(found, os.X_OK) else None


def nginx_config(upstream_ports: list[int], port: int, folder: Path, log: Path) -> str:
    """nginx on 127.0.0.1:`port` in front of the app servers on `upstream_ports`, keeping its pid,
    buffers and errors in `folder` and `log`."""
    upstreams = "".join(f"        server 127.0.0.1:{p};\n" for p in upstream_ports)
    temp = "".join(
        f"    {kind}_temp_path {folder / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user nobody nogroup;\n" if os.geteuid() == 0 else ""
    return (
        f"{user}daemon off;\nworker_processes 1;\npid {folder / 'nginx.pid'};\n"
        f"error_log {log} warn;\n"
        "events {\n    worker_connections 1024;\n}\n"
        "http {\n    access_log off;\n    server_tokens off;\n"
        f"{temp}"
        f"    upstream panel_app {{\n{upstreams}    }}\n"
        "    server {\n"
        f"        listen 127.0.0.1:{port};\n"
        "        client_max_body_size 2m;\n"
        "        proxy_set_header Host $host;\n"
        "        proxy_set_header X-Forwarded-For $remote_addr;\n"
        "        proxy_set_header X-Forwarded-Proto $scheme;\n"
        "        proxy_set_header X-Forwarded-Host $host;\n"
        "        proxy_set_header X-Request-ID $request_id;\n"
        "        proxy_connect_timeout 5s;\n"
        "        proxy_read_timeout 70s;\n"
        "        location / {\n            proxy_pass http://panel_app;\n        }\n"
        "    }\n}\n"
    )


class Balancer:
    """nginx in the foreground on a loopback port, spreading requests over `servers` as the
    proxy in front of two app servers does (deploy/nginx/panel.conf, without TLS and static
    files): the same proxy headers, which Panel trusts with PROXY_COUNT=1."""

    def __init__(self, servers: list[Server], folder: Path, log: Path) -> None:
        nginx = nginx_program()
        if nginx is None:
            raise SystemExit(NO_NGINX)
        self.name, self.port, self.log = "nginx", free_port(), log
        self.url = f"http://127.0.0.1:{self.port}"
        config = folder / "nginx.conf"
        config.write_text(nginx_config([s.port for s in servers], self.port, folder, log))
        if os.geteuid() == 0:
            folder.chmod(0o711)  # nginx's workers drop to nobody, and keep their buffers here
        command = [nginx, "-p", str(folder), "-c", str(config), "-e", str(log)]
        self.process = subprocess.Popen(
            command, cwd=folder, stdout=log.open("a"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip

    wait_until_up = Server.wait_until_up
    stop = Server.stop


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


def level(args, locust: Locust, plan: dict, plan_path: Path, app: Server | Balancer,
          bare: Server, users: int, log) -> tuple[list[report.Row], list[str]]:  # fmt: skip
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


@dataclasses.dataclass
class Run:
    """One way of serving Panel, benched: one instance, or two behind nginx."""

    instances: int
    rows: list[report.Row] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)
    cpu_warnings: list[str] = dataclasses.field(default_factory=list)

    @property
    def served_by(self) -> str:
        return (
            "one gunicorn instance"
            if self.instances == 1
            else "two gunicorn instances behind nginx"
        )

    @property
    def suffix(self) -> str:
        """For its files: none for one instance, as before; "-2-instances" for two."""
        return "" if self.instances == 1 else f"-{self.instances}-instances"


def bench(args, instances: int, env: dict, out: Path, raw: Path, log) -> Run:
    """Serve Panel as `instances` gunicorn instances (behind nginx when more than one), sign the
    accounts in, warm up, and run each number of users."""
    run = Run(instances)
    if instances > 1:
        # Two app servers: the throttle counts shared in Redis, the client address nginx's.
        env = {**env, "PROXY_COUNT": "1", "RATELIMIT_STORAGE_URI": args.throttle_storage}
    apps = [
        Server(f"Panel {n}", "wsgi:app", args.workers, env,
               out / f"app-server{run.suffix}{'' if instances == 1 else f'-{n}'}.log")
        for n in range(1, instances + 1)
    ]  # fmt: skip
    bare = Server(
        "bare", "tests.load.bare:from_environment()", args.workers, env,
        out / f"bare-server{run.suffix}.log",
    )  # fmt: skip
    servers: list[Server | Balancer] = [*apps, bare]
    folder = raw / f"i{instances}"
    folder.mkdir()
    # nginx's configuration and buffers; its workers (nobody, when started as root) reach them.
    nginx_folder = Path(tempfile.mkdtemp(prefix="bench-load-nginx-"))
    with tempfile.TemporaryDirectory(prefix="bench-load-") as private:
        # The plan holds live session cookies for the run: kept out of the results folder.
        plan_path = Path(private) / "plan.json"
        try:
            for app in apps:
                app.wait_until_up("/healthz")
            bare.wait_until_up("/bare")
            front: Server | Balancer = apps[0]
            if instances > 1:
                front = Balancer(apps, nginx_folder, out / f"nginx{run.suffix}.log")
                servers.append(front)
                front.wait_until_up("/healthz")
            behind = f" ({', '.join(a.url for a in apps)})" if instances > 1 else ""
            log(
                f"{run.served_by}, {args.workers} workers each: Panel on {front.url}{behind}, "
                f"bare on {bare.url}"
            )
            log("signing in the demo accounts and finding their pages")
            plan = plans.make_plan(front.url, args.database, log=log)
            if args.no_updates:
                for account in plan["accounts"]:
                    account["updatable"] = []
            plans.save(plan, plan_path)
            locust = Locust(plan_path, folder, args)
            log(f"warming up for {args.warm_up:.0f} s")
            locust.run("warm-up", front.url, max(args.users), args.warm_up, MIX_CLASSES, "0")
            for users in args.users:
                rows, notes = level(args, locust, plan, plan_path, front, bare, users, log)
                run.rows += rows
                run.notes += notes
            run.cpu_warnings = locust.cpu_warnings
        finally:
            for server in reversed(servers):
                server.stop()
            shutil.rmtree(nginx_folder, ignore_errors=True)
    return run


def check_throttle_storage(url: str) -> None:
    """Two instances share their throttle counts: the Redis they use must answer."""
    if not url.startswith("redis"):
        raise SystemExit(f"bench-load: two instances share throttle counts in Redis, not {url}")
    try:
        redis.Redis.from_url(url, socket_timeout=5).ping()
    except redis.RedisError as error:
        raise SystemExit(f"bench-load: the Redis at {url} does not answer: {error}") from None


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    out: Path = args.out
    raw = out / "locust"
    shutil.rmtree(raw, ignore_errors=True)
    raw.mkdir(parents=True)

    def log(line: str) -> None:
        print(f"[bench-load {time.strftime('%H:%M:%S')}] {line}", flush=True)

    if max(args.instances) > 1:
        if nginx_program() is None:
            raise SystemExit(NO_NGINX)
        check_throttle_storage(args.throttle_storage)
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
    started, load_before = time.monotonic(), os.getloadavg()[0]
    runs = [
        bench(args, instances, env, out, raw, log) for instances in dict.fromkeys(args.instances)
    ]
    load_after = os.getloadavg()[0]
    cores = os.cpu_count() or 1
    common: list[str] = []
    if max(load_before, load_after) > cores / 2:
        common.append(
            f"The machine was busy besides this run: load average {load_before:.1f} before it "
            f"and {load_after:.1f} after it, on {cores} cores. Every figure is slower than on a "
            "quiet machine; run it again when nothing else is running."
        )
    sections = []
    for run in runs:
        notes = run.notes + common
        if run.cpu_warnings:
            notes.append(
                "Locust reported its own CPU as saturated in: "
                + ", ".join(run.cpu_warnings)
                + " (those throughputs are lower bounds: client and servers share two cores)"
            )
        found = report.targets(run.rows, {u: args.duration for u in args.users})
        heading = (
            f"bench-load: {run.served_by}, gunicorn {args.workers} workers each, PostgreSQL "
            f"with about {dataset}; mix of {args.duration:.0f} s with pauses of {args.wait} s, "
            f"each endpoint alone {args.page_seconds:.0f} s without pauses; {cores} cores, load "
            f"average {load_before:.1f} before and {load_after:.1f} after; the whole run took "
            f"{time.monotonic() - started:.0f} s"
        )
        sections.append(
            "\n\n".join(
                [
                    heading,
                    report.format_table(run.rows),
                    "Targets:\n" + report.format_targets(found),
                ]
                + (["Notes:\n" + "\n".join(f"- {n}" for n in notes)] if notes else [])
            )
        )
        report.write_csv(run.rows, out / f"bench-load{run.suffix}.csv")
        report.write_svg(run.rows, out / f"p95-by-page{run.suffix}.svg")
    if len(runs) > 1:
        sections.append(compare(runs))
    text = "\n\n\n".join(sections)
    (out / "bench-load.md").write_text(text + "\n")
    print()
    print(text)
    written = [f"bench-load{r.suffix}.csv, p95-by-page{r.suffix}.svg" for r in runs]
    print(f"\nWritten: {out / 'bench-load.md'}; in {out}: {'; '.join(written)}; "
          f"Locust's own CSVs in {raw}")  # fmt: skip
    return 0


def compare(runs: list[Run]) -> str:
    """The closing note: for each number of users, how each way of serving did in the mix
    (throughput, errors, p95 of the pages) and /healthz alone."""
    lines = [
        "Compared (the same mix and users; one instance against two behind nginx):",
        "",
        "| users | served by | mix req/s | errors | median page p95 | slowest page p95 "
        "| /healthz alone req/s |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for users in sorted({row.users for run in runs for row in run.rows}):
        for run in runs:
            rows = [r for r in run.rows if r.users == users]
            pages = [r for r in rows if r.page not in (report.HEALTHZ, report.BARE)]
            p95s = sorted(r.p95_ms for r in pages if r.p95_ms is not None)
            healthz = next((r.alone_rps for r in rows if r.page == report.HEALTHZ), None)
            lines.append(
                f"| {users} | {run.served_by} | {sum(r.mix_rps or 0 for r in pages):,.1f} "
                f"| {sum(r.failures for r in pages):,} "
                f"| {_ms(p95s[len(p95s) // 2] if p95s else None)} "
                f"| {_ms(p95s[-1] if p95s else None)} "
                f"| {'-' if healthz is None else f'{healthz:,.1f}'} |"
            )
    return "\n".join(lines)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f} ms"


if __name__ == "__main__":
    sys.exit(main())
