"""Searching the lessons register: English stemming, the last word as a prefix, every word
required, recommendations and agencies' responses searched with their lesson, the index kept in
step with changes, and whatever is typed never an error. Run on SQLite (FTS5) and PostgreSQL."""

from __future__ import annotations

import re

import pytest

from panel.extensions import db
from panel.lessons import queries, services
from panel.lessons.lifecycle import Move
from panel.lessons.models import Lesson, RecommendationStatus
from tests.conftest import sign_in
from tests.lessons.conftest import lesson, recommendation

TRAINING = "Response officers had no training in spotting hostility towards disabled victims."
INTERPRETER = "The officer in the case did not offer an interpreter at the first account."
HOUSING = "The housing officer shared the victim's concerns with the neighbourhood team quickly."


@pytest.fixture
def lessons(scrutiny):
    """Three lessons on the scrutiny panel, by name, with a member of the panel signed in."""
    coordinator, case_review = scrutiny.people.coordinator, scrutiny.case_review
    return {
        "training": lesson(coordinator, case_review, text=TRAINING),
        "interpreter": lesson(coordinator, case_review, text=INTERPRETER),
        "housing": lesson(coordinator, case_review, text=HOUSING),
    }


@pytest.fixture
def member(client, scrutiny):
    sign_in(client, scrutiny.people.member)
    return client


def found(client, panel, q: str) -> set[int]:
    """The lessons the panel's register lists for the search `q`."""
    response = client.get(f"/panels/{panel.id}/lessons", query_string={"q": q})
    assert response.status_code == 200
    numbers = re.findall(r">Lesson (\d+):", response.get_data(as_text=True))
    assert len(numbers) == len(set(numbers)), "a lesson is listed twice"
    return {int(number) for number in numbers}


def matching(q: str) -> set[int]:
    return set(db.session.scalars(db.select(Lesson.id).where(queries.matches(q))))


def ids(lessons, *names: str) -> set[int]:
    return {lessons[name].id for name in names}


def test_english_words_are_stemmed(member, scrutiny, lessons):
    assert found(member, scrutiny.panel, "trained") == ids(lessons, "training")
    assert found(member, scrutiny.panel, "trained officer") == ids(lessons, "training")
    assert matching("TRAINS") == ids(lessons, "training")


def test_the_last_word_matches_as_the_start_of_a_word(member, scrutiny, lessons):
    assert found(member, scrutiny.panel, "interp") == ids(lessons, "interpreter")
    assert found(member, scrutiny.panel, "interpreter offi") == ids(lessons, "interpreter")
    assert matching("neighbourh") == ids(lessons, "housing")


def test_only_the_last_word_matches_as_the_start_of_a_word(member, scrutiny, lessons):
    assert found(member, scrutiny.panel, "interp officer") == set()


def test_every_word_must_match(member, scrutiny, lessons):
    everything = ids(lessons, "training", "interpreter", "housing")
    assert found(member, scrutiny.panel, "officer") == everything == matching("officer")
    assert found(member, scrutiny.panel, "response officers") == ids(lessons, "training")
    assert found(member, scrutiny.panel, "housing officer") == ids(lessons, "housing")
    assert found(member, scrutiny.panel, "interpreter housing") == set()


def test_a_lesson_is_found_by_its_recommendation_and_the_agency_response(member, scrutiny, lessons):
    addressed = recommendation(
        scrutiny.people.coordinator,
        lessons["interpreter"],
        scrutiny.police,
        text="Publish a dashboard of interpreter bookings for each response team.",
    )
    assert found(member, scrutiny.panel, "dashboard") == ids(lessons, "interpreter")
    assert found(member, scrutiny.panel, "workshop") == set()

    services.move_recommendation(
        scrutiny.police_member,
        addressed,
        Move.RESPOND,
        RecommendationStatus.ACCEPTED,
        "Accepted: a refresher workshop for every shift this quarter.",
        addressed.version,
    )
    assert found(member, scrutiny.panel, "refresher workshops") == ids(lessons, "interpreter")

    services.move_recommendation(
        scrutiny.police_member,
        addressed,
        Move.IMPLEMENT,
        RecommendationStatus.IMPLEMENTED,
        "Attendance registers show ninety per cent of officers attended.",
        addressed.version,
    )
    assert found(member, scrutiny.panel, "attendance regist") == ids(lessons, "interpreter")
    # The lesson's own text is still found (and, as `found` checks, listed once).
    assert found(member, scrutiny.panel, "interpreter") == ids(lessons, "interpreter")


# What people type into a search box, and what FTS5 and to_tsquery would read as syntax.
ODD_SEARCHES = [
    '"',
    '"interpreter',
    '"interpreter"',
    "*",
    "interp*",
    "AND",
    "interpreter AND",
    "interpreter OR housing",
    "NOT interpreter",
    "NEAR(",
    "NEAR(interpreter officer)",
    "-",
    "-interpreter",
    "'",
    "victim's",
    "''interpreter''",
    ":",
    "interpreter:",
    "search_document:interpreter",
    "{search_document}: housing",
    "&",
    "interpreter & housing",
    "|",
    "interpreter | housing",
    "!",
    "!interpreter",
    "(",
    ")",
    "^interpreter",
    "interpreter:*",
    "\\",
    "%",
    "_",
    "__init__",
    "+",
    "²",
    "café",
    "😀",
    "interpreter" * 20,
    "a " * 99,
]


def test_nothing_typed_into_the_search_is_an_error(member, scrutiny, lessons):
    # One test rather than one each: signing in takes a tenth of a second (Argon2).
    failed = []
    for q in ODD_SEARCHES:
        for path in (f"/panels/{scrutiny.panel.id}/lessons", "/lessons"):
            response = member.get(path, query_string={"q": q})
            if response.status_code != 200 or "Lessons register" not in response.text:
                failed.append((path, q, response.status_code))
        if (condition := queries.matches(q)) is not None:
            db.session.scalars(db.select(Lesson.id).where(condition)).all()
    assert failed == []


@pytest.mark.parametrize(
    "q",
    ['"interpreter"', "interp*", "-interpreter", "!interpreter", "(interpreter)", "interpreter:*"],
)
def test_syntax_characters_are_read_as_spaces(member, scrutiny, lessons, q):
    assert found(member, scrutiny.panel, q) == ids(lessons, "interpreter")


def test_a_search_with_no_words_shows_every_lesson(member, scrutiny, lessons):
    assert queries.matches("?! -- *") is None
    assert found(member, scrutiny.panel, "?! -- *") == ids(
        lessons, "training", "interpreter", "housing"
    )
    page = member.get(f"/panels/{scrutiny.panel.id}/lessons", query_string={"q": "?!"})
    assert "3 lessons match the filters" in page.get_data(as_text=True)


def test_changing_a_lesson_changes_what_finds_it(member, scrutiny, lessons):
    changed = lessons["interpreter"]
    services.update_lesson(
        scrutiny.people.coordinator,
        changed,
        services.LessonDetails(
            kind=changed.kind,
            strands=changed.strands,
            text="Nobody checked whether the victim needed a British Sign Language signer.",
            stage=changed.stage,
        ),
    )
    assert found(member, scrutiny.panel, "interpreter") == set()
    assert found(member, scrutiny.panel, "signer") == ids(lessons, "interpreter")


def test_changing_a_recommendation_changes_what_finds_its_lesson(member, scrutiny, lessons):
    addressed = recommendation(
        scrutiny.people.coordinator, lessons["housing"], scrutiny.police, text="Audit the logs."
    )
    services.update_recommendation(
        scrutiny.people.coordinator,
        addressed,
        services.RecommendationDetails(
            organisation=scrutiny.police,
            text="Review the referral pathway.",
            due_date=addressed.due_date,
        ),
        addressed.version,
    )
    assert found(member, scrutiny.panel, "audit") == set()
    assert found(member, scrutiny.panel, "pathway") == ids(lessons, "housing")


def test_a_deleted_lesson_is_no_longer_found(member, scrutiny, lessons):
    services.delete_lesson(scrutiny.people.coordinator, lessons["housing"])
    assert found(member, scrutiny.panel, "housing") == set()
    # SQLite gives the next lesson the deleted one's id: the index must not still hold the
    # deleted text under it.
    replacement = lesson(scrutiny.people.coordinator, scrutiny.case_review, text="Different text.")
    assert found(member, scrutiny.panel, "housing") == set()
    assert found(member, scrutiny.panel, "different") == {replacement.id}
