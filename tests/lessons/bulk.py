"""Many lessons at once, for tests and benchmarks of the register at scale.

`seed_lessons` writes lessons, their strands, recommendations and each recommendation's history
with SQLAlchemy Core inserts in batches (a hundred thousand in seconds, where the services would
take minutes), on SQLite and PostgreSQL, inside whatever transaction the session is in. The text is
anonymised and varied, built from the phrases panels use, and the search index is kept as the
services keep it: `search_document` is set exactly as `services.refresh_search_document` sets it,
and on SQLite the triggers of migration 0004 copy it into the FTS table.

One lesson in a hundred (every hundredth, starting with the first) mentions Makaton, so a search
for it has a known, small result set spread over the years; the oldest one in a hundred mention
Covid, a word that a newest-first scan meets only at the very end; the phrases in `IMPROVEMENT`
and `GOOD_PRACTICE` are common.
"""

from __future__ import annotations

import enum
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from panel.accounts.models import Organisation, User
from panel.cases.models import CaseReview
from panel.cases.vocabularies import Stage, Strand
from panel.core.database import utcnow
from panel.extensions import db
from panel.lessons.models import (
    Lesson,
    LessonKind,
    LessonStrand,
    Recommendation,
    RecommendationEvent,
    RecommendationStatus,
)
from panel.meetings.models import Meeting
from panel.panels.models import Panel

RARE_WORD = "Makaton"
RARE_EVERY = 100
OLD_WORD = "Covid"
OLD_SENTENCE = f"Contact was limited during the {OLD_WORD} restrictions."
BATCH = 5_000
SPAN = timedelta(days=3 * 365)

AGENCIES = [
    "The police",
    "The call handler",
    "The officer in the case",
    "The neighbourhood team",
    "The CPS",
    "The prosecutor",
    "Witness Care",
    "The court",
    "The housing provider",
    "The local authority",
    "The school",
    "The bus operator",
    "The victims' service",
    "The probation service",
    "The youth offending service",
]

IMPROVEMENT = [
    "an interpreter was not offered at the first account",
    "the victim personal statement was not taken",
    "the hate crime flag was not applied to the crime report",
    "the victim was not told about the third-party reporting centre",
    "the hostility shown was not recorded in the statement",
    "the charging advice did not mention the uplift",
    "the uplift was not announced in open court",
    "the needs assessment under the Victims' Code was not completed",
    "no referral was made to the victims' service",
    "the repeat victimisation was not identified from earlier reports",
    "CCTV was not collected before it was overwritten",
    "the community impact assessment was not reviewed",
    "the victim was not updated when the suspect was released under investigation",
    "special measures were not considered for the witness",
    "the body-worn video was missing from the case file",
    "the out of court disposal was agreed without asking the victim",
]

GOOD_PRACTICE = [
    "the officer in the case kept the victim updated every week",
    "an interpreter was booked for every contact with the victim",
    "the hate crime coordinator reviewed the crime report within a day",
    "the victim personal statement was read aloud in court",
    "the uplift was announced and recorded on the court register",
    "the neighbourhood team completed a community impact assessment",
    "information was shared under the partnership protocol",
    "the third-party reporting centre passed the report on the same day",
    "the victim was offered restorative justice at the right time",
    "special measures were arranged before the trial",
]

BECAUSE = [
    "so the hostility could not be evidenced",
    "which delayed the charging decision by several weeks",
    "and the victim lost confidence in reporting",
    "so the sentence uplift could not be applied",
    "and the victim withdrew support for the prosecution",
    "which the panel saw in more than one case this year",
    "although the supervisor had flagged it at the time",
]

PRAISE = [
    "and the victim said it made a real difference",
    "which the panel would like shared with other teams",
    "and the case went to trial with the victim's support",
    "as the force guidance expects",
]

RARE = [
    f"The victim communicates with {RARE_WORD} and no one at the first account could sign.",
    f"A {RARE_WORD} user was supported by a trained intermediary throughout.",
]

RECOMMENDATIONS = [
    "Remind response officers to offer an interpreter before taking a first account.",
    "Add a prompt for the hate crime flag to the crime recording system.",
    "Brief prosecutors to address the uplift in every hate crime charging decision.",
    "Train call handlers to mention third-party reporting centres to callers.",
    "Audit a sample of hate crime files each quarter for victim personal statements.",
    "Review the referral pathway to the victims' service with the commissioner.",
    "Include the community impact assessment in the daily management meeting.",
    "Tell victims within five days when a suspect is released under investigation.",
]

RESPONSES = [
    "Accepted: a briefing will go to every response team this quarter.",
    "Accepted and added to the training plan for the coming year.",
    "Not accepted: the current guidance already covers this and is being followed.",
    "Accepted in part: the system change needs the supplier and is scheduled.",
]

EVIDENCE = [
    "Briefing delivered to all teams; a dip sample of twenty files found the flag in nineteen.",
    "The prompt is live in the recording system and compliance is reported monthly.",
    "Training delivered to every call handler, with attendance records kept.",
]

# Where each recommendation ends up, and how often.
STATUS_WEIGHTS = {
    RecommendationStatus.OPEN: 35,
    RecommendationStatus.ACCEPTED: 25,
    RecommendationStatus.NOT_ACCEPTED: 10,
    RecommendationStatus.IMPLEMENTED: 15,
    RecommendationStatus.CLOSED: 10,
    RecommendationStatus.WITHDRAWN: 5,
}

# The steps that lead to each status after "open", for the recommendation's history.
HISTORY = {
    RecommendationStatus.OPEN: [],
    RecommendationStatus.ACCEPTED: [RecommendationStatus.ACCEPTED],
    RecommendationStatus.NOT_ACCEPTED: [RecommendationStatus.NOT_ACCEPTED],
    RecommendationStatus.IMPLEMENTED: [
        RecommendationStatus.ACCEPTED,
        RecommendationStatus.IMPLEMENTED,
    ],
    RecommendationStatus.CLOSED: [
        RecommendationStatus.ACCEPTED,
        RecommendationStatus.IMPLEMENTED,
        RecommendationStatus.CLOSED,
    ],
    RecommendationStatus.WITHDRAWN: [RecommendationStatus.WITHDRAWN],
}

RESPONDED = {
    RecommendationStatus.ACCEPTED,
    RecommendationStatus.NOT_ACCEPTED,
    RecommendationStatus.IMPLEMENTED,
    RecommendationStatus.CLOSED,
}
EVIDENCED = {RecommendationStatus.IMPLEMENTED, RecommendationStatus.CLOSED}


@dataclass(frozen=True, slots=True)
class SeededRecommendation:
    id: int
    organisation_id: int
    status: RecommendationStatus
    due_date: date


@dataclass(frozen=True, slots=True)
class SeededLesson:
    """What a test needs to know to predict which filters select the lesson."""

    id: int
    panel_id: int
    stage: Stage | None
    kind: LessonKind
    strands: tuple[Strand, ...]
    created_at: datetime
    search_document: str
    recommendations: tuple[SeededRecommendation, ...]

    def mentions(self, word: str) -> bool:
        return word.lower() in self.search_document.lower()


def seed_lessons(
    panel: Panel,
    count: int,
    *,
    organisations: Sequence[Organisation],
    author: User,
    case_reviews: Sequence[CaseReview] | None = None,
    meetings: Sequence[Meeting] = (),
    end: datetime | None = None,
    seed: int = 1,
) -> list[SeededLesson]:
    """Insert `count` lessons into `panel`, recorded by `author` over the three years before
    `end` (default now), oldest first, with recommendations to `organisations`.

    Lessons go against `case_reviews` (twenty new ones if not given) and, one in ten, against
    `meetings` if any are given. Nothing is committed: the caller's transaction holds it all.
    """
    if case_reviews is None:
        from tests.cases import factories as case_factories

        case_reviews = [case_factories.case_review(author, panel) for _ in range(20)]
    rng = random.Random(seed)
    end = end or utcnow() - timedelta(minutes=1)
    # Oldest first, so that ids rise with created_at as they do in real use.
    times = sorted(end - rng.random() * SPAN for _ in range(count))
    seeded: list[SeededLesson] = []
    for start in range(0, count, BATCH):
        seeded += _insert_batch(
            rng,
            panel,
            times[start : start + BATCH],
            first_index=start,
            oldest=count // RARE_EVERY,
            organisations=organisations,
            author=author,
            case_reviews=case_reviews,
            meetings=meetings,
        )
    return seeded


@dataclass
class _Draft:
    """A lesson before it has an id."""

    row: dict
    strands: tuple[Strand, ...]
    recommendations: list[tuple[dict, list[dict]]]


def _insert_batch(
    rng: random.Random,
    panel: Panel,
    times: list[datetime],
    *,
    first_index: int,
    oldest: int,
    organisations: Sequence[Organisation],
    author: User,
    case_reviews: Sequence[CaseReview],
    meetings: Sequence[Meeting],
) -> list[SeededLesson]:
    drafts = [
        _draft(
            rng,
            panel,
            created_at,
            first_index + offset,
            oldest,
            organisations,
            author,
            case_reviews,
        )
        for offset, created_at in enumerate(times)
    ]
    if meetings:
        for draft in drafts:
            if rng.random() < 0.1:
                draft.row.update(
                    case_review_id=None, stage=None, meeting_id=rng.choice(meetings).id
                )

    lesson_ids = _insert_with_ids(Lesson, [draft.row for draft in drafts])
    strand_rows = [
        {"lesson_id": lesson_id, "strand": strand}
        for lesson_id, draft in zip(lesson_ids, drafts, strict=True)
        for strand in draft.strands
    ]
    if strand_rows:
        _insert(LessonStrand.__table__, strand_rows)

    recommendation_rows = []
    for lesson_id, draft in zip(lesson_ids, drafts, strict=True):
        for row, _events in draft.recommendations:
            row["lesson_id"] = lesson_id
            recommendation_rows.append(row)
    _insert_with_ids(Recommendation, recommendation_rows)

    event_rows = []
    seeded = []
    for lesson_id, draft in zip(lesson_ids, drafts, strict=True):
        recommendations = []
        for row, events in draft.recommendations:
            for event in events:
                event["recommendation_id"] = row["id"]
            event_rows += events
            recommendations.append(
                SeededRecommendation(
                    row["id"], row["organisation_id"], row["status"], row["due_date"]
                )
            )
        seeded.append(
            SeededLesson(
                id=lesson_id,
                panel_id=panel.id,
                stage=draft.row["stage"],
                kind=draft.row["kind"],
                strands=draft.strands,
                created_at=draft.row["created_at"],
                search_document=draft.row["search_document"],
                recommendations=tuple(recommendations),
            )
        )
    if event_rows:
        _insert(RecommendationEvent.__table__, event_rows)
    return seeded


def _insert_with_ids(model, rows: list[dict]) -> list[int]:
    """Give `rows` new ids (setting each row's "id"), insert them, and return the ids in order.

    The ids are taken first and written explicitly because COPY returns none, and because an
    INSERT ... RETURNING that must keep the rows' order runs one statement per row on SQLite.
    """
    if not rows:
        return []
    table = model.__table__
    if db.session.get_bind().dialect.name == "postgresql":
        # From the table's own sequence, so later inserts by the app carry on after these.
        sequence = sa.func.pg_get_serial_sequence(table.name, "id")
        ids = list(
            db.session.scalars(
                sa.select(sa.func.nextval(sequence)).select_from(
                    sa.func.generate_series(1, len(rows))
                )
            )
        )
    else:
        # SQLite gives a new row max(id) + 1 (these tables are not AUTOINCREMENT).
        start = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0))) + 1
        ids = list(range(start, start + len(rows)))
    for id_, row in zip(ids, rows, strict=True):
        row["id"] = id_
    _insert(table, rows)
    return ids


def _insert(table: sa.Table, rows: list[dict]) -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        _copy(table, rows)
    else:
        db.session.execute(sa.insert(table), rows)


def _copy(table: sa.Table, rows: list[dict]) -> None:
    """PostgreSQL's COPY, on the session's own connection (so in its transaction): several times
    faster than an executemany through psycopg, which sends a statement per row, or than
    SQLAlchemy's multi-row VALUES, whose parameters psycopg takes seconds to parse."""
    columns = list(rows[0])
    driver = db.session.connection().connection.driver_connection
    sql = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
    with driver.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row([_plain(row[column]) for column in columns])


def _plain(value):
    # SQLAlchemy's enum columns store the member's value; COPY bypasses SQLAlchemy's types.
    return value.value if isinstance(value, enum.Enum) else value


def _draft(
    rng: random.Random,
    panel: Panel,
    created_at: datetime,
    index: int,
    oldest: int,
    organisations: Sequence[Organisation],
    author: User,
    case_reviews: Sequence[CaseReview],
) -> _Draft:
    kind = LessonKind.IMPROVEMENT if rng.random() < 0.6 else LessonKind.GOOD_PRACTICE
    text = _lesson_text(rng, kind, rare=index % RARE_EVERY == 0, old=index < oldest)
    recommendations = []
    if kind == LessonKind.IMPROVEMENT and rng.random() < 0.3:
        recommendations = [
            _recommendation(rng, panel, created_at, organisations, author)
            for _ in range(1 if rng.random() < 0.8 else 2)
        ]
    # As services.refresh_search_document: the lesson's text, then each recommendation's text,
    # response and evidence, leaving out what is empty.
    parts = [text]
    for row, _events in recommendations:
        parts += [row["text"], row["response"], row["evidence"]]
    roll = rng.random()
    strand_count = 0 if roll < 0.2 else 1 if roll < 0.8 else 2
    return _Draft(
        row={
            "panel_id": panel.id,
            "case_review_id": rng.choice(case_reviews).id,
            "meeting_id": None,
            "stage": rng.choice(list(Stage)),
            "kind": kind,
            "text": text,
            "search_document": "\n".join(part for part in parts if part),
            "created_at": created_at,
            "created_by_id": author.id,
            "updated_at": created_at,
            "updated_by_id": author.id,
        },
        strands=tuple(sorted(rng.sample(list(Strand), strand_count), key=list(Strand).index)),
        recommendations=recommendations,
    )


def _lesson_text(rng: random.Random, kind: LessonKind, *, rare: bool, old: bool) -> str:
    if kind == LessonKind.IMPROVEMENT:
        first = f"{rng.choice(AGENCIES)} said {rng.choice(IMPROVEMENT)}, {rng.choice(BECAUSE)}."
        second = f"In a related case {rng.choice(IMPROVEMENT)}."
    else:
        first = f"{rng.choice(AGENCIES)} reported that {rng.choice(GOOD_PRACTICE)}, "
        first += f"{rng.choice(PRAISE)}."
        second = f"Also, {rng.choice(GOOD_PRACTICE)}."
    sentences = [first] + ([second] if rng.random() < 0.5 else [])
    if rare:
        sentences.insert(rng.randrange(len(sentences) + 1), rng.choice(RARE))
    if old:
        sentences.append(OLD_SENTENCE)
    return " ".join(sentence[0].upper() + sentence[1:] for sentence in sentences)


def _recommendation(
    rng: random.Random,
    panel: Panel,
    lesson_created: datetime,
    organisations: Sequence[Organisation],
    author: User,
) -> tuple[dict, list[dict]]:
    """A recommendation row and its history (event rows), without ids yet."""
    status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
    now = utcnow()
    created_at = min(lesson_created + timedelta(hours=rng.randrange(1, 72)), now)
    row = {
        "panel_id": panel.id,
        "organisation_id": rng.choice(organisations).id,
        "text": rng.choice(RECOMMENDATIONS),
        "due_date": created_at.date() + timedelta(days=rng.randrange(28, 180)),
        "status": status,
        "response": rng.choice(RESPONSES) if status in RESPONDED else None,
        "evidence": rng.choice(EVIDENCE) if status in EVIDENCED else None,
        "created_at": created_at,
        "created_by_id": author.id,
        "version": 1 + len(HISTORY[status]),
    }
    notes = {
        RecommendationStatus.ACCEPTED: row["response"],
        RecommendationStatus.NOT_ACCEPTED: row["response"],
        RecommendationStatus.IMPLEMENTED: row["evidence"],
    }
    at = created_at
    events = []
    for step in [RecommendationStatus.OPEN, *HISTORY[status]]:
        events.append(
            {
                "status": step,
                "note": notes.get(step),
                "at": at,
                "by_id": author.id,
                "by_organisation_id": author.organisation_id,
            }
        )
        at = min(at + timedelta(days=rng.randrange(7, 60)), now)
    return row, events
