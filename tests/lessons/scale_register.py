"""The lessons register at 100,000 lessons: each page runs the same queries as with ten, and still
lists the right lessons, newest first, under the right total (counted as far as the cap: "more
than 10,000").

The lessons are seeded in bulk (tests/lessons/bulk.py) inside the test's transaction, so the
hundred thousand are written once per database per run, and both sizes are checked in one test.
It takes about 15 s, so it runs in `make bench` (tests/bench_scale.py), not in every run of the
suite: the module is named `scale_*.py`, which pytest collects only when given it by name.
"""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from panel.cases.vocabularies import Stage, Strand
from panel.core.pagination import COUNT_CAP
from panel.core.time import UK
from panel.lessons.lifecycle import AWAITING_AGENCY
from panel.lessons.models import Lesson, LessonKind, RecommendationStatus
from panel.lessons.queries import uk_today
from panel.panels.models import Role
from tests import factories
from tests.cases import factories as case_factories
from tests.conftest import sign_in
from tests.lessons.bulk import RARE_WORD, SeededLesson, SeededRecommendation, seed_lessons
from tests.lessons.conftest import lesson, recommendation
from tests.querycount import count_queries

SCALE = 100_000
SMALL = 10
PAGE_SIZE = 25
TOTAL = re.compile(r"((?:More than )?[\d,]+) lessons?( match the filters)?")


@dataclass(frozen=True)
class RegisterView:
    """One view of the register, and which lessons it should list."""

    path: str
    args: dict
    wanted: Callable[[SeededLesson], bool]


def _about_interpreters(lesson_: SeededLesson) -> bool:
    return lesson_.mentions("interpreter")


def views(panel_id: int, police_id: int) -> dict[str, RegisterView]:
    today = uk_today()
    start = today - timedelta(days=730)
    register = f"/panels/{panel_id}/lessons"

    def on_panel(lesson_: SeededLesson) -> bool:
        return lesson_.panel_id == panel_id

    def lesson_filters(lesson_: SeededLesson) -> bool:
        return (
            on_panel(lesson_)
            and _about_interpreters(lesson_)
            and lesson_.stage == Stage.REPORT
            and Strand.RACE in lesson_.strands
            and lesson_.kind == LessonKind.IMPROVEMENT
            and start <= lesson_.created_at.astimezone(UK).date() <= today
        )

    def recommendation_filters(lesson_: SeededLesson) -> bool:
        return (
            on_panel(lesson_)
            and _about_interpreters(lesson_)
            and any(
                r.organisation_id == police_id and r.status == RecommendationStatus.OPEN
                for r in lesson_.recommendations
            )
        )

    def overdue(lesson_: SeededLesson) -> bool:
        return (
            on_panel(lesson_)
            and Strand.RACE in lesson_.strands
            and any(
                r.status in AWAITING_AGENCY and r.due_date < today for r in lesson_.recommendations
            )
        )

    return {
        "search": RegisterView(
            register, {"q": "interpreter"}, lambda x: on_panel(x) and _about_interpreters(x)
        ),
        "rare word": RegisterView(
            register, {"q": RARE_WORD.lower()}, lambda x: on_panel(x) and x.mentions(RARE_WORD)
        ),
        "search and lesson filters": RegisterView(
            register,
            {
                "q": "interpreter",
                "stage": Stage.REPORT.value,
                "strand": Strand.RACE.value,
                "kind": LessonKind.IMPROVEMENT.value,
                "recorded_from": [str(start.day), str(start.month), str(start.year)],
                "recorded_to": [str(today.day), str(today.month), str(today.year)],
            },
            lesson_filters,
        ),
        "search and recommendation filters": RegisterView(
            register,
            {"q": "interpreter", "organisation": str(police_id), "status": "open"},
            recommendation_filters,
        ),
        "overdue, no search": RegisterView(
            register, {"strand": Strand.RACE.value, "overdue": "y"}, overdue
        ),
        "unfiltered": RegisterView(register, {}, on_panel),
        "all panels, search": RegisterView("/lessons", {"q": "interpreter"}, _about_interpreters),
        "all panels": RegisterView("/lessons", {}, lambda x: True),
    }


@dataclass(frozen=True)
class Seen:
    queries: int
    # As the page says it: "1,234", or past the cap "More than 10,000".
    total: str
    lesson_ids: list[int]


def visit(client, view: RegisterView) -> Seen:
    with count_queries() as queries:
        response = client.get(view.path, query_string=view.args)
    assert response.status_code == 200, (view, response.status_code)
    page = response.get_data(as_text=True)
    return Seen(
        queries=len(queries),
        total=TOTAL.search(page)[1],
        lesson_ids=[int(number) for number in re.findall(r">Lesson (\d+):", page)],
    )


def shown(total: int) -> str:
    """How the register says how many lessons there are."""
    return f"More than {COUNT_CAP:,}" if total > COUNT_CAP else f"{total:,}"


def expected(lessons: list[SeededLesson], view: RegisterView) -> tuple[str, list[int]]:
    """The total as the page says it, and the first page's lessons, newest first."""
    wanted = [lesson_ for lesson_ in lessons if view.wanted(lesson_)]
    wanted.sort(key=lambda lesson_: (lesson_.created_at, lesson_.id), reverse=True)
    return shown(len(wanted)), [lesson_.id for lesson_ in wanted[:PAGE_SIZE]]


def as_seeded(lesson_: Lesson) -> SeededLesson:
    return SeededLesson(
        id=lesson_.id,
        panel_id=lesson_.panel_id,
        stage=lesson_.stage,
        kind=lesson_.kind,
        strands=tuple(lesson_.strands),
        created_at=lesson_.created_at,
        search_document=lesson_.search_document,
        recommendations=tuple(
            SeededRecommendation(r.id, r.organisation_id, r.status, r.due_date)
            for r in lesson_.recommendations
        ),
    )


def test_the_register_runs_the_same_queries_with_100000_lessons(client, scrutiny, people, capsys):
    panel, coordinator, member = scrutiny.panel, scrutiny.people.coordinator, scrutiny.people.member
    # The member also sits on a local panel, for the register across their panels.
    factories.membership(people.panel, member, Role.MEMBER)
    organisations = [scrutiny.police, member.organisation] + [
        factories.organisation() for _ in range(4)
    ]
    case_reviews = [scrutiny.case_review] + [
        case_factories.case_review(coordinator, panel) for _ in range(3)
    ]

    # A lesson every view lists (in its panel), recorded now, so newest: about interpreters
    # and Makaton, at the report stage, with one recommendation to the police due in the future
    # and one overdue.
    known = lesson(
        coordinator,
        scrutiny.case_review,
        stage=Stage.REPORT,
        strands=[Strand.RACE],
        text=f"An interpreter was not offered to a victim who uses {RARE_WORD}.",
    )
    recommendation(coordinator, known, scrutiny.police)
    recommendation(coordinator, known, scrutiny.police, due_date=uk_today() - timedelta(days=10))
    local = lesson(
        people.coordinator,
        case_factories.case_review(people.coordinator, people.panel),
        text="The interpreter booked for the victim did not arrive.",
    )
    seeded = seed_lessons(
        panel,
        SMALL - 1,
        organisations=organisations,
        author=coordinator,
        case_reviews=case_reviews,
        seed=1,
    )
    seeded += [as_seeded(known), as_seeded(local)]
    register_views = views(panel.id, scrutiny.police.id)

    sign_in(client, member)
    client.get(f"/panels/{panel.id}/lessons")  # anything done once per session is done now
    small = {name: visit(client, view) for name, view in register_views.items()}
    for name, view in register_views.items():
        assert (small[name].total, small[name].lesson_ids) == expected(seeded, view), name
        assert known.id in small[name].lesson_ids or not view.wanted(as_seeded(known)), name

    start = time.perf_counter()
    seeded += seed_lessons(
        panel,
        SCALE - SMALL,
        organisations=organisations,
        author=coordinator,
        case_reviews=case_reviews,
        seed=2,
    )
    seconds = time.perf_counter() - start
    large = {name: visit(client, view) for name, view in register_views.items()}
    with capsys.disabled():  # the figures make bench prints (tests/bench_scale.py)
        print(f"\n{SCALE - SMALL:,} lessons seeded in {seconds:.1f} s")
        for name in register_views:
            print(
                f"{name:<36} {small[name].queries:>2} queries, {small[name].total:>2} lessons;"
                f" {large[name].queries:>2} queries, {large[name].total:>16} lessons"
            )
    assert {name: seen.queries for name, seen in large.items()} == {
        name: seen.queries for name, seen in small.items()
    }
    for name, view in register_views.items():
        assert (large[name].total, large[name].lesson_ids) == expected(seeded, view), name
    assert large["unfiltered"].total == large["all panels"].total == shown(SCALE)
    # Each view's filters leave enough lessons to fill a page, so the checks above mean something.
    assert all(len(seen.lesson_ids) == PAGE_SIZE for seen in large.values())

    # The CSV of a search holds every matching lesson, not a page of them.
    response = client.get(f"/panels/{panel.id}/lessons.csv", query_string={"q": RARE_WORD})
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert {int(row["Lesson number"]) for row in rows} == {
        lesson_.id
        for lesson_ in seeded
        if lesson_.panel_id == panel.id and lesson_.mentions(RARE_WORD)
    }
