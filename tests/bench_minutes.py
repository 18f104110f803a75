"""`make bench`, the minutes PDF: how long a big meeting's minutes take to render, printed, on
SQLite and PostgreSQL.

A held scrutiny meeting with 20 case reviews (each with a finding for all 7 stages, 2 lessons and
2 recommendations per lesson), attendance, a theme, an intervention, actions and notes in both
layers under every agenda item is built through the services (`tests.minutes.minuted_meeting`)
in a throwaway database: a temporary SQLite file, and the PostgreSQL schema `bench` when
BENCH_DATABASE_URL or TEST_DATABASE_URL is set. Then the full PDF (panel members) is rendered
ROUNDS times, the minutes are approved and published (the readers' PDF, stored), and the readers'
layer is rendered ROUNDS times. The target is under 2 s for the full PDF. Figures, not pass/fail.
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from pypdf import PdfReader

from panel import create_app
from panel.accounts.models import OrganisationKind
from panel.extensions import db
from panel.minutes.document import document_of
from panel.minutes.pdf import render_pdf
from panel.panels.models import PanelKind, Role
from tests import databases, factories
from tests.minutes import minuted_meeting

CASE_REVIEWS = 20
ROUNDS = 5
TARGET_SECONDS = 2.0


def _median(work: Callable[[], object]) -> tuple[float, float, object]:
    """The median wall-clock and CPU seconds of ROUNDS runs of `work`, and its result. CPU time
    shows what the render costs when other processes share the machine."""
    wall, cpu, result = [], [], None
    for _ in range(ROUNDS):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = work()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return statistics.median(wall), statistics.median(cpu), result


def _pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def _scrutiny_panel():
    """The panel with a chair, a coordinator and members from five organisations."""
    panel = factories.panel(
        "West Midlands Independent Scrutiny Panel", PanelKind.SCRUTINY_PANEL, "West Midlands"
    )
    organisations = [
        factories.organisation("CPS West Midlands", OrganisationKind.CPS),
        factories.organisation("West Midlands Police", OrganisationKind.POLICE),
        factories.organisation("Coventry City Council", OrganisationKind.COUNCIL),
        factories.organisation("Victim Support West Midlands", OrganisationKind.VICTIMS_SERVICE),
        factories.organisation("Coventry Homes Partnership", OrganisationKind.HOUSING_PROVIDER),
    ]
    people = [
        ("Harriet Lang", Role.CHAIR, 0),
        ("Imran Sadiq", Role.COORDINATOR, 0),
        ("Dev Sharma", Role.MEMBER, 1),
        ("Aisha Khan", Role.MEMBER, 1),
        ("Tom Whitfield", Role.MEMBER, 2),
        ("Grace Mensah", Role.MEMBER, 3),
        ("Joe Barker", Role.MEMBER, 4),
        ("Ruth Evans", Role.MEMBER, 4),
    ]
    users = {}
    for name, role, organisation in people:
        user = factories.user(
            email=f"{name.split()[0].lower()}@bench.example",
            full_name=name,
            organisation_=organisations[organisation],
        )
        factories.membership(panel, user, role)
        users[role] = users.get(role) or user
    return panel, users[Role.CHAIR], users[Role.COORDINATOR], organisations


def bench(url: str, label: str) -> None:
    databases.reset_schema(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})
    databases.build(app)
    with app.app_context():
        start = time.perf_counter()
        panel, chair, coordinator, organisations = _scrutiny_panel()
        meeting = minuted_meeting.build(
            panel,
            chair=chair,
            coordinator=coordinator,
            organisations=organisations[1:],
            case_count=CASE_REVIEWS,
            lessons_per_case=2,
            recommendations_per_lesson=2,
        )
        print(
            f"{label}: meeting with {CASE_REVIEWS} case reviews built in "
            f"{time.perf_counter() - start:.1f} s"
        )
        minutes = meeting.minutes

        start = time.perf_counter()
        render_pdf(document_of(minutes))
        print(f"{label}: first full PDF (cold: imports, fonts) {time.perf_counter() - start:.2f} s")

        assembly, _, document = _median(lambda: document_of(minutes))
        rendering, rendering_cpu, pdf = _median(lambda: render_pdf(document))
        both, _, _ = _median(lambda: render_pdf(document_of(minutes)))
        verdict = "within" if both < TARGET_SECONDS else "OVER"
        print(
            f"{label}: full PDF median {rendering:.2f} s render ({rendering_cpu:.2f} s CPU) + "
            f"{assembly * 1000:.0f} ms assembly; assembled and rendered {both:.2f} s ({verdict} "
            f"the {TARGET_SECONDS:.0f} s target), {_pages(pdf)} pages, {len(pdf) / 1024:.0f} KB "
            f"(median of {ROUNDS})"
        )

        start = time.perf_counter()
        meeting.publish(render_pdf)
        published = minutes.published_version.published_pdf
        print(
            f"{label}: published (approve, render the readers' PDF, store) "
            f"{time.perf_counter() - start:.2f} s, {_pages(published)} pages, "
            f"{len(published) / 1024:.0f} KB"
        )
        readers = document_of(minutes).for_readers()
        rendering, rendering_cpu, pdf = _median(lambda: render_pdf(readers))
        print(
            f"{label}: readers' PDF median {rendering:.2f} s ({rendering_cpu:.2f} s CPU), "
            f"{_pages(pdf)} pages (median of {ROUNDS})"
        )
        sys.stdout.flush()
        db.engine.dispose()


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        bench(f"sqlite:///{Path(tmp) / 'bench-minutes.sqlite'}", "SQLite")
        postgres = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
        if postgres:
            os.environ["TEST_DATABASE_URL"] = postgres
            bench(databases.test_database_url(Path(tmp), "bench"), "PostgreSQL")
        else:
            print("PostgreSQL: skipped (set BENCH_DATABASE_URL or TEST_DATABASE_URL)")


if __name__ == "__main__":
    main()
