"""`make bench`, the home page at scale (issue 14): a member whose organisation owns 5 open
interventions, and one whose organisation owns 5,000, on SQLite and PostgreSQL. For each page, the
median response time and the number of SQL statements; the two sizes should match. Figures, not
pass/fail (the query counts are also a test: tests/interventions/test_organisation_work.py).

Each size has its own throwaway database with the demo data (temporary SQLite files, and the
PostgreSQL schemas `bench_5` and `bench_5000` when BENCH_DATABASE_URL or TEST_DATABASE_URL is
set), in which the demo housing partner's organisation is brought up to that many open
interventions on the Coventry panel with `tests.interventions.bulk`; PostgreSQL is then vacuumed
and analysed, as autovacuum would soon do. Requests alternate between the two sizes, so that a
busy machine slows both alike. The /interventions page shows 25 to a page: with 5 it draws 5.

The plan of the home page's "most urgent 20" query is printed too: each status's branch should
read an index in due date order and stop, not sort every row.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from panel import create_app
from panel.accounts.models import User
from panel.demo import COVENTRY, DEMO_PASSWORD, load_demo_data
from panel.extensions import db
from panel.interventions import queries
from panel.interventions.models import Intervention
from panel.interventions.vocabularies import OPEN_INTERVENTION
from panel.panels.models import Panel
from tests import databases
from tests.factories import unused_totp_code
from tests.interventions.bulk import seed_interventions
from tests.querycount import QueryCounter

ROUNDS = 50
MEMBER = "member@panel.example"
COORDINATOR = "coordinator@panel.example"
SIZES = (5, 5_000)
PAGES = ((MEMBER, "/"), (MEMBER, "/interventions"), (COORDINATOR, "/"))


def _owned(user: User) -> int:
    return db.session.scalar(
        sa.select(sa.func.count(Intervention.id)).where(
            Intervention.owner_organisation_id == user.organisation_id,
            Intervention.status.in_(OPEN_INTERVENTION),
        )
    )


def _grow_to(app, size: int) -> None:
    """Add interventions for the member's organisation on the Coventry panel until it owns
    `size` open ones."""
    with app.app_context():
        member = db.session.scalar(sa.select(User).where(User.email == MEMBER))
        panel = db.session.scalar(sa.select(Panel).where(Panel.name == COVENTRY))
        seed_interventions(panel, member.organisation, size - _owned(member))
        db.session.commit()
        assert _owned(member) == size
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as connection:
                connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                    "VACUUM ANALYZE intervention"
                )


def _plan(app) -> str:
    """How the database runs the home page's "most urgent 20" query for the member."""
    with app.test_request_context():
        member = db.session.scalar(sa.select(User).where(User.email == MEMBER))
        select = queries.most_urgent_select(
            member, queries.local_panels_of(member), queries.HOME_LIMIT
        )
        sql = select.compile(db.engine, compile_kwargs={"literal_binds": True})
        explain = "EXPLAIN QUERY PLAN " if db.engine.dialect.name == "sqlite" else "EXPLAIN "
        rows = db.session.execute(sa.text(explain + str(sql))).all()
        lines = [row[-1] if db.engine.dialect.name == "sqlite" else row[0] for row in rows]
        return "\n".join(f"    {line}" for line in lines)


def _count(app, client, path: str) -> int:
    """The SQL statements one request for `path` runs."""
    with app.app_context():
        engine = db.engine
    # Listened on the engine rather than in an app context, which the request would then share.
    queries = QueryCounter()
    sa.event.listen(engine, "before_cursor_execute", queries._count)
    try:
        response = client.get(path)
    finally:
        sa.event.remove(engine, "before_cursor_execute", queries._count)
    assert response.status_code == 200, (path, response.status_code)
    return len(queries)


def _signed_in(app, email: str):
    """A client signed in as `email`, with the demo's second factor when the role needs one."""
    client = app.test_client()
    response = client.post("/sign-in", data={"email": email, "password": DEMO_PASSWORD})
    if response.location.endswith("/sign-in/code"):
        with app.app_context():
            code = unused_totp_code(db.session, User.email == email)
        response = client.post("/sign-in/code", data={"code": code})
    assert response.status_code == 302 and "/sign-in" not in response.location, response.location
    return client


def _timed(client, path: str) -> float:
    start = time.perf_counter()
    client.get(path)
    return (time.perf_counter() - start) * 1000


def _loaded_app(url: str, size: int):
    databases.reset_schema(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})
    databases.build(app)
    with app.app_context():
        load_demo_data()
    _grow_to(app, size)
    return app


def bench(urls: dict[int, str], label: str) -> None:
    """`urls`: {size: database URL}. Requests alternate between the sizes, so that the load on a
    shared machine falls on both alike."""
    apps = {size: _loaded_app(url, size) for size, url in urls.items()}
    clients = {
        (size, email): _signed_in(app, email)
        for size, app in apps.items()
        for email in (MEMBER, COORDINATOR)
    }
    for email, path in PAGES:
        queries = {size: _count(apps[size], clients[size, email], path) for size in apps}
        timings: dict[int, list[float]] = {size: [] for size in apps}
        for _ in range(ROUNDS):
            for size in apps:
                timings[size].append(_timed(clients[size, email], path))
        for size in apps:
            who = email.split("@")[0]
            print(
                f"{label}: {size:>5,} interventions  {who:<11} GET {path:<14} "
                f"median {statistics.median(timings[size]):6.1f} ms over {ROUNDS}, "
                f"{queries[size]} queries"
            )
        sys.stdout.flush()
    largest = max(apps)
    print(f"{label}: plan of the member's most urgent 20 at {largest:,}:\n{_plan(apps[largest])}")
    for app in apps.values():
        with app.app_context():
            db.engine.dispose()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        bench(
            {size: f"sqlite:///{Path(tmp) / f'bench-home-{size}.sqlite'}" for size in SIZES},
            "SQLite",
        )
        postgres = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
        if postgres:
            os.environ["TEST_DATABASE_URL"] = postgres
            bench(
                {size: databases.test_database_url(Path(tmp), f"bench_{size}") for size in SIZES},
                "PostgreSQL",
            )
        else:
            print("PostgreSQL: skipped (set BENCH_DATABASE_URL or TEST_DATABASE_URL)")


if __name__ == "__main__":
    main()
