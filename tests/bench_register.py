"""`make bench`, the lessons register at scale: median response times with 100,000 lessons on one
panel, printed, on SQLite and PostgreSQL.

The demo data is loaded into throwaway databases (a temporary SQLite file, and the PostgreSQL
schema `bench` when BENCH_DATABASE_URL or TEST_DATABASE_URL is set), then 100,000 lessons are added
to the scrutiny panel with `tests.lessons.bulk`, and a member of it asks for the register: with
search terms of different selectivity, with filters, unfiltered, deep in the pages, and across
their panels. The target is under 150 ms for a search. Figures, not pass/fail.

PostgreSQL is vacuumed and analysed after the load, as autovacuum would soon do; SQLite is left
as the app leaves it (no ANALYZE), so its planner works without statistics.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from panel import create_app
from panel.accounts.models import Organisation, User
from panel.cases.models import CaseReview
from panel.demo import DEMO_PASSWORD, ISP, load_demo_data
from panel.extensions import db
from panel.meetings.models import Meeting
from panel.panels.models import Panel
from tests import databases
from tests.lessons.bulk import OLD_WORD, RARE_WORD, seed_lessons

LESSONS = 100_000
ROUNDS = 30
MEMBER = "member@panel.example"
TOTAL = re.compile(r"([\d,]+) lessons?( match the filters)?")


def load(url: str) -> tuple:
    """A migrated database with the demo data and LESSONS lessons on the scrutiny panel; returns
    the app and the ids the requests need."""
    databases.reset_schema(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})
    databases.build(app)
    with app.app_context():
        load_demo_data()
        panel = db.session.scalar(db.select(Panel).where(Panel.name == ISP))
        author = db.session.scalar(db.select(User).where(User.email == "coordinator@panel.example"))
        organisations = list(db.session.scalars(db.select(Organisation).order_by(Organisation.id)))
        case_reviews = db.session.scalars(
            db.select(CaseReview).where(CaseReview.panel_id == panel.id)
        ).all()
        meetings = db.session.scalars(db.select(Meeting).where(Meeting.panel_id == panel.id)).all()
        start = time.perf_counter()
        seed_lessons(
            panel,
            LESSONS,
            organisations=organisations,
            author=author,
            case_reviews=case_reviews,
            meetings=meetings,
        )
        db.session.commit()
        seconds = time.perf_counter() - start
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                    "VACUUM ANALYZE"
                )
        ids = {"panel": panel.id, "organisation": organisations[0].id}
    return app, ids, seconds


def requests(ids: dict) -> list[tuple[str, str]]:
    """(what, path) for each page timed."""
    register = f"/panels/{ids['panel']}/lessons"

    def path(base: str = register, **args) -> str:
        return f"{base}?{urlencode(args, doseq=True)}" if args else base

    return [
        ("search, rare word (1%)", path(q=RARE_WORD.lower())),
        ("search, word in oldest 1% only", path(q=OLD_WORD.lower())),
        ("search, common word", path(q="interpreter")),
        ("search, two words, prefix", path(q="hate crime fl")),
        ("search, most lessons", path(q="victim")),
        (
            "search + stage, strand, kind",
            path(q="interpreter", stage="report", strand="race", kind="improvement"),
        ),
        (
            "search + organisation, status",
            path(q="interpreter", organisation=ids["organisation"], status="open"),
        ),
        (
            "search + recorded from/to",
            path(q="victim", recorded_from=["1", "1", "2025"], recorded_to=["31", "3", "2025"]),
        ),
        ("filters, no search", path(stage="court", strand="disability", overdue="y")),
        ("no filters", path()),
        ("no filters, page 40", path(page=40)),
        ("search, page 40", path(q="victim", page=40)),
        ("all panels, search", path("/lessons", q="interpreter")),
        ("all panels, search, most lessons", path("/lessons", q="victim")),
        ("all panels, no filters", path("/lessons")),
        ("all panels, page 40", path("/lessons", page=40)),
    ]


def _median_ms(client, path: str) -> tuple[float, str]:
    timings = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    found = TOTAL.search(response.get_data(as_text=True))
    return statistics.median(timings), found[1] if found else "?"


def bench(url: str, label: str) -> None:
    app, ids, seconds = load(url)
    print(f"{label}: {LESSONS:,} lessons loaded in {seconds:.1f} s")
    client = app.test_client()
    response = client.post("/sign-in", data={"email": MEMBER, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.status_code
    for what, path in requests(ids):
        median, total = _median_ms(client, path)
        print(f"{label}: {what:<32} {median:6.1f} ms  ({total:>7} lessons)  {path}")
    sys.stdout.flush()
    with app.app_context():
        db.engine.dispose()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        bench(f"sqlite:///{Path(tmp) / 'bench-register.sqlite'}", "SQLite")
        postgres = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
        if postgres:
            os.environ["TEST_DATABASE_URL"] = postgres
            bench(databases.test_database_url(Path(tmp), "bench"), "PostgreSQL")
        else:
            print("PostgreSQL: skipped (set BENCH_DATABASE_URL or TEST_DATABASE_URL)")


if __name__ == "__main__":
    main()
