"""`make bench`: median response times of the busiest pages, printed, on SQLite and PostgreSQL.

Uses its own throwaway databases: a temporary SQLite file, and PostgreSQL (schema `bench`) when
BENCH_DATABASE_URL or TEST_DATABASE_URL is set. Figures, not pass/fail: compare them across changes.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

from panel import create_app
from panel.demo import DEMO_PASSWORD, load_demo_data
from panel.extensions import db
from panel.panels.models import Panel
from tests import databases

ROUNDS = 50


def _median_ms(client, path: str) -> float:
    timings = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(timings)


def bench(url: str, label: str) -> None:
    databases.reset_schema(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})
    databases.build(app)
    with app.app_context():
        load_demo_data()
        panel_id = db.session.scalar(
            db.select(Panel.id).where(Panel.name == "Coventry Hate Crime Panel")
        )
    client = app.test_client()
    start = time.perf_counter()
    client.post("/sign-in", data={"email": "coordinator@panel.example", "password": DEMO_PASSWORD})
    sign_in_ms = (time.perf_counter() - start) * 1000
    print(f"{label}: sign-in (Argon2 verify) {sign_in_ms:.1f} ms")
    for path in ("/", f"/panels/{panel_id}", "/account"):
        print(f"{label}: GET {path:<12} median {_median_ms(client, path):.1f} ms over {ROUNDS}")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        bench(f"sqlite:///{Path(tmp) / 'bench.sqlite'}", "SQLite")
        postgres = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
        if postgres:
            os.environ["TEST_DATABASE_URL"] = postgres
            bench(databases.test_database_url(Path(tmp), "bench"), "PostgreSQL")
        else:
            print("PostgreSQL: skipped (set BENCH_DATABASE_URL or TEST_DATABASE_URL)")


if __name__ == "__main__":
    main()
