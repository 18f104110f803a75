"""The aggregate read models of insight: what the panels' records add up to over a period.

Every function takes the ids of the panels to count and a `Period`, and counts in the database
(GROUP BY on the panels' indexed columns, within the period), never loading rows to count them in
Python. Each result is bounded by a vocabulary (strands, stages, ratings, outcomes) or cut to the
`TOP` organisations or intervention types with the rest as "others", so a page runs the same
queries, each returning a few dozen rows, however long the history. Medians are computed in SQL
too: PostgreSQL's percentile_cont, or on SQLite the middle rows found by window functions.

The functions return `Table`s (panel.insight.measures): the page, its charts, its CSV downloads
(and a printed report) are all drawn from the same tables, with small numbers already suppressed
by the measures' types.

What falls in a period: a case review, lesson, recommendation or intervention by when it was
added; a live case if it was open at any time in the period (its referral before the period's
end, its closure, if any, after its start); a closure by when the case closed; attendance by when
the meeting was held.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from panel.accounts.models import Organisation
from panel.cases.models import CaseReview, CaseReviewStrand, StageFinding
from panel.cases.vocabularies import Answer, OffenceCategory, Outcome, Rating, Stage, Strand
from panel.core.time import UK
from panel.extensions import db
from panel.insight.measures import (
    Count,
    Keys,
    Line,
    Median,
    Period,
    Rate,
    Row,
    Table,
    cells_of,
    column_lines,
    complements,
    protect,
    protect_rows,
    row_lines,
    rows_with,
    uk_midnight,
)
from panel.interventions.models import (
    Intervention,
    InterventionType,
    LiveCase,
    LiveCaseNeed,
    LiveCaseStrand,
)
from panel.interventions.vocabularies import (
    OPEN_INTERVENTION,
    InterventionStatus,
    RiskLevel,
    VictimNeed,
    VictimOutcome,
)
from panel.lessons.lifecycle import AWAITING_AGENCY
from panel.lessons.models import (
    Lesson,
    LessonKind,
    Recommendation,
    RecommendationEvent,
    RecommendationStatus,
)
from panel.meetings.models import REPRESENTED, Attendance, Meeting, MeetingStatus
from panel.panels.models import Panel, PanelKind

# Organisations and intervention types listed by name, the most frequent first; the rest are
# added up as one row.
TOP = 10
OTHERS = -1
ALL = -2
POSITIVE_OUTCOMES = frozenset(outcome for outcome in Outcome if outcome.positive)
# Meetings that took place (their attendance is recorded).
HELD = frozenset(
    {
        MeetingStatus.HELD,
        MeetingStatus.MINUTES_DRAFTED,
        MeetingStatus.MINUTES_APPROVED,
        MeetingStatus.MINUTES_PUBLISHED,
    }
)
RESPONDED = (RecommendationStatus.ACCEPTED, RecommendationStatus.NOT_ACCEPTED)


def _within(column, period: Period):
    return sa.and_(column >= period.starts_at, column < period.ends_at)


def _is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _days_between(later, earlier):
    """Elapsed days from `earlier` to `later`, as a fraction."""
    if _is_postgresql():
        return sa.cast(sa.extract("epoch", later - earlier), sa.Float) / 86400.0
    return sa.func.julianday(later) - sa.func.julianday(earlier)


def _medians(days: sa.Select) -> dict[Any, Median]:
    """The median of `days` (columns ``key`` and ``days``) for each key, in one query."""
    found = days.subquery()
    if _is_postgresql():
        query = sa.select(
            found.c.key,
            sa.func.percentile_cont(0.5).within_group(found.c.days),
            sa.func.count(),
        ).group_by(found.c.key)
    else:
        ranked = sa.select(
            found.c.key,
            found.c.days,
            sa.func.row_number()
            .over(partition_by=found.c.key, order_by=found.c.days)
            .label("position"),
            sa.func.count().over(partition_by=found.c.key).label("n"),
        ).subquery()
        # The middle row, or the two middle rows of an even count.
        query = (
            sa.select(ranked.c.key, sa.func.avg(ranked.c.days), sa.func.max(ranked.c.n))
            .where(ranked.c.position.in_([(ranked.c.n + 1) // 2, (ranked.c.n + 2) // 2]))
            .group_by(ranked.c.key)
        )
    return {key: Median(float(median), n) for key, median, n in db.session.execute(query)}


def _pairs(query: sa.Select) -> dict[Any, int]:
    """{key: count} from a query of a key and a count."""
    return {key: n for key, n in db.session.execute(query)}


def _rows_by(query: sa.Select) -> dict[tuple, int]:
    """{(group keys...): count} from a query whose last column is the count."""
    return {tuple(row[:-1]): row[-1] for row in db.session.execute(query)}


def _sum(counts: dict[tuple, int], where: dict[int, Any]) -> int:
    """The total of `counts` over the keys matching `where` ({position: value or a test})."""
    total = 0
    for key, n in counts.items():
        if all(test(key[i]) if callable(test) else key[i] == test for i, test in where.items()):
            total += n
    return total


def _plotted(row: Row, column: int) -> int:
    """The row's count or median in `column` as a number to compare (-1 if none is shown)."""
    cell = row.cells[column]
    if isinstance(cell, Count):
        return cell.value
    if isinstance(cell, Median):
        return -1 if cell.shown is None else cell.shown
    return -1


def _largest(rows: Sequence[Row], column: int = 0) -> Row | None:
    best = max(rows, key=lambda row: _plotted(row, column), default=None)
    return best if best is not None and _plotted(best, column) > 0 else None


def _most_summary(rows: Sequence[Row], what: str, column: int = 0) -> str:
    best = _largest(rows, column)
    if best is None:
        return f"No {what} in this period."
    cell = best.cells[column]
    if isinstance(cell, Count) and cell.hidden:
        # Naming the row would rank a hidden figure against the others.
        return f"The row with the most {what} is not named: its figure is fewer than 5 or withheld."
    return f"The most {what}: {best.label} ({cell})."


def panel_kinds(panel_ids: Iterable[int]) -> dict[int, PanelKind]:
    ids = list(panel_ids)
    query = sa.select(Panel.id, Panel.kind).where(Panel.id.in_(ids))
    return {panel_id: kind for panel_id, kind in db.session.execute(query)}


def panel_names(panel_ids: Iterable[int]) -> list[str]:
    """The panels' names, in order: a person organises a handful of panels."""
    return list(
        db.session.scalars(
            sa.select(Panel.name).where(Panel.id.in_(list(panel_ids))).order_by(Panel.name)
        )
    )


# --- Scrutiny panels: case reviews -------------------------------------------------------------


def _case_reviews(panel_ids: list[int], period: Period) -> list:
    return [CaseReview.panel_id.in_(panel_ids), _within(CaseReview.created_at, period)]


def case_review_tables(panel_ids: list[int], period: Period) -> list[Table]:
    """Case reviews by strand, by offence category and by outcome, with the positive outcomes
    (1 to 10) against the rest: two queries."""
    where = _case_reviews(panel_ids, period)
    by_offence = _rows_by(
        sa.select(CaseReview.offence_category, CaseReview.outcome, sa.func.count())
        .where(*where)
        .group_by(CaseReview.offence_category, CaseReview.outcome)
    )
    by_strand = _rows_by(
        sa.select(CaseReviewStrand.strand, CaseReview.outcome, sa.func.count())
        .join(CaseReview, CaseReview.id == CaseReviewStrand.case_review_id)
        .where(*where)
        .group_by(CaseReviewStrand.strand, CaseReview.outcome)
    )
    positive = POSITIVE_OUTCOMES.__contains__
    columns = ("Case reviews", "Positive outcomes", "Positive outcome rate")
    strand_rows = [_keyed_row(strand.label, by_strand, strand) for strand in Strand]
    offence_rows = [_keyed_row(o.label, by_offence, o) for o in OffenceCategory]
    all_reviews = sum(by_offence.values())
    positives = _sum(by_offence, {1: positive})
    outcome_rows = [
        Row("Positive outcomes (1 to 10)", (Count(positives), Rate(positives, all_reviews))),
        Row(
            "Other outcomes (11 to 22)",
            (Count(all_reviews - positives), Rate(all_reviews - positives, all_reviews)),
        ),
    ]
    types = [o for o in Outcome if _sum(by_offence, {1: o})]
    by_type = [Row(o.label, (Count(_sum(by_offence, {1: o})),)) for o in types]
    # The offence categories and the outcome types each add up to every case review (and their
    # positive outcomes to the positive ones), which the outcome table shows.
    outcome, offence, kind = Keys("outcome"), Keys("offence"), Keys("type")
    every = "all"
    # Each offence category's case reviews less its positive ones: the ones that were not.
    not_positive, offence_lines = complements(offence_rows, 0, 1, offence)
    cells = protect(
        {
            **cells_of(outcome_rows, outcome),
            **cells_of(offence_rows, offence),
            **cells_of(by_type, kind),
            **not_positive,
            every: Count(all_reviews),
        },
        [
            *offence_lines,
            Line(every, (outcome(0, 0), outcome(1, 0))),
            Line(every, tuple(offence(r, 0) for r in range(len(offence_rows)))),
            Line(outcome(0, 0), tuple(offence(r, 1) for r in range(len(offence_rows)))),
            Line(every, tuple(kind(r, 0) for r in range(len(types)))),
            Line(outcome(0, 0), tuple(kind(r, 0) for r, o in enumerate(types) if o.positive)),
            Line(outcome(1, 0), tuple(kind(r, 0) for r, o in enumerate(types) if not o.positive)),
        ],
        # The trends show both totals too.
        fixed=[every, outcome(0, 0)],
    )
    outcome_rows = rows_with(outcome_rows, cells, outcome)
    offence_rows = rows_with(offence_rows, cells, offence)
    by_type = rows_with(by_type, cells, kind)
    # A case can concern more than one strand, so the strands add up to nothing shown; each
    # strand's case reviews less its positive ones still could give a small count away.
    strand_rows = protect_rows(strand_rows, [], rests=(0, 1))
    rate = outcome_rows[0].cells[1]
    return [
        Table(
            "case-reviews-by-outcome",
            "Case reviews by outcome",
            ("Outcome", "Case reviews", "Share of case reviews"),
            outcome_rows,
            f"Case reviews in this period: {cells[every]}. Positive outcome rate: {rate}.",
        ),
        Table(
            "case-reviews-by-strand",
            "Case reviews by strand",
            ("Strand", *columns),
            strand_rows,
            _most_summary(strand_rows, "case reviews")
            + " A case can concern more than one strand.",
        ),
        Table(
            "case-reviews-by-offence",
            "Case reviews by offence category",
            ("Offence category", *columns),
            offence_rows,
            _most_summary(offence_rows, "case reviews"),
        ),
        Table(
            "case-reviews-by-outcome-type",
            "Case reviews by outcome type",
            ("Outcome type", "Case reviews"),
            by_type,
            "Only the outcome types recorded in this period are listed.",
            chart_column=None,
        ),
    ]


def _keyed_row(label: str, counts: dict[tuple, int], value) -> Row:
    """Case reviews with `value` first in their key, the positive outcomes among them, and the
    rate."""
    whole = _sum(counts, {0: value})
    part = _sum(counts, {0: value, 1: POSITIVE_OUTCOMES.__contains__})
    return Row(label, (Count(whole), Count(part), Rate(part, whole)))


def stage_rating_table(panel_ids: list[int], period: Period) -> Table:
    """The ratings of each stage in the period's case reviews: where the process most often
    falls short. Each stage's row adds up, with the case reviews not yet rated at that stage, to
    the period's case reviews (which the case review tables show), so it is protected against
    that total. Two queries."""
    counts = _rows_by(
        sa.select(StageFinding.stage, StageFinding.rating, sa.func.count())
        .join(CaseReview, CaseReview.id == StageFinding.case_review_id)
        .where(*_case_reviews(panel_ids, period))
        .group_by(StageFinding.stage, StageFinding.rating)
    )
    total: int = db.session.execute(
        sa.select(sa.func.count()).select_from(CaseReview).where(*_case_reviews(panel_ids, period))
    ).scalar_one()
    rows = []
    for stage in Stage:
        by_rating = [counts.get((stage, rating), 0) for rating in Rating]
        short = counts.get((stage, Rating.AREA_FOR_IMPROVEMENT), 0)
        assessed = sum(by_rating) - counts.get((stage, Rating.NOT_ASSESSED), 0)
        unrated = total - sum(by_rating)
        rows.append(
            Row(stage.label, (*map(Count, by_rating), Count(unrated), Rate(short, assessed)))
        )
    parts = range(len(Rating) + 1)
    cells = protect(
        {**cells_of(rows), "total": Count(total)},
        [Line("total", tuple((None, r, c) for c in parts)) for r in range(len(rows))],
        fixed=["total"],  # the period's case reviews, shown with the case reviews
    )
    rows = rows_with(rows, cells)
    return Table(
        "stage-ratings",
        "Stage ratings: areas for improvement by stage",
        (
            "Stage",
            *(rating.label for rating in Rating),
            "Not yet rated",
            "Share of assessed rated for improvement",
        ),
        rows,
        _most_summary(rows, "areas for improvement", column=2),
        chart_column=2,
    )


def lesson_table(panel_ids: list[int], period: Period) -> Table:
    """Lessons learnt by stage (or a theme across cases) and kind. One query."""
    counts = _rows_by(
        sa.select(Lesson.stage, Lesson.kind, sa.func.count())
        .where(Lesson.panel_id.in_(panel_ids), _within(Lesson.created_at, period))
        .group_by(Lesson.stage, Lesson.kind)
    )
    rows = [
        Row(
            label,
            (
                *(Count(counts.get((stage, kind), 0)) for kind in LessonKind),
                Count(sum(counts.get((stage, kind), 0) for kind in LessonKind)),
            ),
        )
        for stage, label in [*((s, s.label) for s in Stage), (None, "Theme across cases")]
    ]
    kinds = len(LessonKind)
    rows = protect_rows(rows, row_lines(range(len(rows)), range(kinds), kinds))
    return Table(
        "lessons",
        "Lessons learnt by stage and kind",
        ("Stage", *(kind.label for kind in LessonKind), "All lessons"),
        rows,
        _most_summary(rows, "areas for improvement", column=1),
        chart_column=1,
        compare_column=0,
        series=(LessonKind.IMPROVEMENT.label, LessonKind.GOOD_PRACTICE.label),
    )


# --- Scrutiny panels: recommendations ----------------------------------------------------------


def recommendation_tables(panel_ids: list[int], period: Period, today: date) -> list[Table]:
    """Recommendations made in the period by the agency addressed (the `TOP` most addressed, then
    the others) and status, how many are overdue now, and the median days each agency took to
    respond and to implement. Three queries."""
    where = [Recommendation.panel_id.in_(panel_ids), _within(Recommendation.created_at, period)]
    top = (
        sa.select(Recommendation.organisation_id)
        .where(*where)
        .group_by(Recommendation.organisation_id)
        .order_by(sa.func.count().desc(), Recommendation.organisation_id)
        .limit(TOP)
    )
    agency_of = sa.case(
        (Recommendation.organisation_id.in_(top), Recommendation.organisation_id), else_=OTHERS
    )
    agency = agency_of.label("agency")
    overdue = sa.and_(Recommendation.status.in_(AWAITING_AGENCY), Recommendation.due_date < today)
    grouped = (
        sa.select(
            agency,
            Recommendation.status.label("status"),
            sa.func.count().label("made"),
            sa.func.sum(sa.case((overdue, 1), else_=0)).label("overdue"),
        )
        .where(*where)
        .group_by("agency", "status")
        .subquery()
    )
    made: dict[tuple, int] = {}
    late: dict[int, int] = defaultdict(int)
    names = {OTHERS: "Other agencies", ALL: "All agencies"}
    for key, status, n, overdue_n, name in db.session.execute(
        sa.select(grouped, Organisation.name).outerjoin(
            Organisation, Organisation.id == grouped.c.agency
        )
    ):
        made[key, status] = n
        late[key] += overdue_n or 0
        if name is not None:
            names[key] = name

    def took(status_in) -> dict[Any, Median]:
        # Each recommendation's days until it first reached one of `status_in`, worked out once
        # (a CTE) for both the agencies' medians and everyone's: a busy panel makes 30,000
        # recommendations a year, and working it out twice took 0.7 s.
        first = (
            sa.select(
                agency_of.label("key"),
                _days_between(sa.func.min(RecommendationEvent.at), Recommendation.created_at).label(
                    "days"
                ),
            )
            .select_from(RecommendationEvent)
            .join(Recommendation, Recommendation.id == RecommendationEvent.recommendation_id)
            .where(*where, RecommendationEvent.status.in_(status_in))
            # By the recommendation's key, so that its other columns may be read.
            .group_by(Recommendation.id)
            .cte()
        )
        joined = sa.select(first.c.key, first.c.days)
        everyone = sa.select(sa.literal(ALL).label("key"), first.c.days)
        return _medians(sa.union_all(joined, everyone).subquery().select())

    to_respond = took(RESPONDED)
    to_implement = took((RecommendationStatus.IMPLEMENTED,))

    agencies = sorted(
        {key for key, _ in made if key != OTHERS},
        key=lambda key: (-_sum(made, {0: key}), names[key]),
    )
    if any(key == OTHERS for key, _ in made):
        agencies.append(OTHERS)
    for key, status in list(made):
        made[ALL, status] = made.get((ALL, status), 0) + made[key, status]
    late[ALL] = sum(late.values())
    if agencies:
        agencies.append(ALL)

    status_rows = [
        Row(
            names[key],
            (
                Count(_sum(made, {0: key})),
                *(Count(made.get((key, status), 0)) for status in RecommendationStatus),
            ),
        )
        for key in agencies
    ]
    speed_rows = [
        Row(
            names[key],
            (
                Count(_sum(made, {0: key})),
                Count(late.get(key, 0)),
                to_respond.get(key, Median(None, 0)),
                to_implement.get(key, Median(None, 0)),
            ),
        )
        for key in agencies
    ]
    # Each agency's statuses add up to what it was made, and the agencies to all of them; the
    # agencies' overdue counts add up to all that are overdue. Both tables show what was made.
    by_status, by_speed = Keys("status"), Keys("speed")
    last = len(agencies) - 1
    cells = protect(
        {**cells_of(status_rows, by_status), **cells_of(speed_rows, by_speed)},
        [
            *row_lines(range(len(agencies)), range(1, len(RecommendationStatus) + 1), 0, by_status),
            *column_lines(range(len(RecommendationStatus) + 1), range(last), last, by_status),
            *column_lines([1], range(last), last, by_speed),
        ],
        fixed=[by_status(last, 0)],  # all that were made: the trend shows it too
    )
    cells.update({by_speed(r, 0): cells[by_status(r, 0)] for r in range(len(agencies))})
    status_rows = rows_with(status_rows, cells, by_status)
    speed_rows = rows_with(speed_rows, cells, by_speed)
    overdue_now = speed_rows[-1].cells[1] if speed_rows else Count(0)
    slowest = _largest(speed_rows[:-1], column=2)
    return [
        Table(
            "recommendations-by-agency",
            "Recommendations by agency and status",
            ("Agency", "Made", *(status.label for status in RecommendationStatus)),
            status_rows,
            _most_summary(status_rows[:-1], "recommendations made to one agency")
            + f" Overdue now: {overdue_now}.",
        ),
        Table(
            "recommendation-response-times",
            "How quickly agencies respond to and implement recommendations",
            (
                "Agency",
                "Made",
                "Overdue now",
                "Median days to respond",
                "Median days to implement",
            ),
            speed_rows,
            (
                f"Slowest to respond: {slowest.label} (median {slowest.cells[2]})."
                if slowest
                else "No agency has enough responses in this period to show a median."
            ),
            chart_column=2,
        ),
    ]


@dataclass(frozen=True)
class RecommendationLine:
    """One recommendation of the year, for the annual report's list."""

    organisation: str
    text: str
    status: str
    made: date
    # Days from the recommendation to the agency's answer (accepted or not), if it answered.
    days_to_respond: int | None
    id: int


# The most recommendations an annual report lists (the tables count them all).
LISTED = 100


def year_recommendations(panel_id: int, period: Period) -> tuple[list[RecommendationLine], int]:
    """The first `LISTED` recommendations made in the period, oldest first, with the days each
    took to be answered; and how many were made. Two queries."""
    where = [Recommendation.panel_id == panel_id, _within(Recommendation.created_at, period)]
    # Asked of each listed recommendation, not grouped over every event in the country first.
    answered = (
        sa.select(sa.func.min(RecommendationEvent.at))
        .where(
            RecommendationEvent.recommendation_id == Recommendation.id,
            RecommendationEvent.status.in_(RESPONDED),
        )
        .scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(
            Organisation.name,
            Recommendation.text,
            Recommendation.status,
            Recommendation.created_at,
            answered,
            Recommendation.id,
        )
        .join(Organisation, Organisation.id == Recommendation.organisation_id)
        .where(*where)
        .order_by(Recommendation.created_at, Recommendation.id)
        .limit(LISTED)
    ).all()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Recommendation).where(*where))
    return [
        RecommendationLine(
            organisation,
            text,
            status.label,
            made.astimezone(UK).date(),
            None if at is None else (at - made).days,
            id_,
        )
        for organisation, text, status, made, at, id_ in rows
    ], total or 0


# --- Local panels ------------------------------------------------------------------------------


def _live_in(panel_ids: list[int], period: Period) -> list:
    """Live cases open at any time in the period."""
    return [
        LiveCase.panel_id.in_(panel_ids),
        LiveCase.created_at < period.ends_at,
        sa.or_(LiveCase.closed_at.is_(None), LiveCase.closed_at >= period.starts_at),
    ]


def live_case_tables(panel_ids: list[int], period: Period) -> list[Table]:
    """Live cases open in the period by strand, risk and the victim's needs. Three queries."""
    where = _live_in(panel_ids, period)
    by_strand = _pairs(
        sa.select(LiveCaseStrand.strand, sa.func.count())
        .join(LiveCase, LiveCase.id == LiveCaseStrand.live_case_id)
        .where(*where)
        .group_by(LiveCaseStrand.strand)
    )
    by_risk = _pairs(
        sa.select(LiveCase.risk_level, sa.func.count()).where(*where).group_by(LiveCase.risk_level)
    )
    by_need = _pairs(
        sa.select(LiveCaseNeed.need, sa.func.count())
        .join(LiveCase, LiveCase.id == LiveCaseNeed.live_case_id)
        .where(*where)
        .group_by(LiveCaseNeed.need)
    )
    tables = []
    for slug, title, heading, vocabulary, counts, note in (
        ("live-cases-by-strand", "Live cases by strand", "Strand", Strand, by_strand,
         " A case can concern more than one strand."),
        ("live-cases-by-risk", "Live cases by risk", "Risk", RiskLevel, by_risk, ""),
        ("live-cases-by-need", "Live cases by the victim’s needs", "Need", VictimNeed, by_need,
         " A victim can have more than one need."),
    ):  # fmt: skip
        rows = [Row(member.label, (Count(counts.get(member, 0)),)) for member in vocabulary]
        tables.append(
            Table(
                slug,
                title,
                (heading, "Live cases"),
                rows,
                _most_summary(rows, "live cases") + note,
            )
        )
    return tables


def _top_then_others(column, where: list, label: str):
    """`column` where it is one of the `TOP` most frequent values under `where`, else None."""
    top = (
        sa.select(column)
        .select_from(Intervention)
        .join(InterventionType, InterventionType.id == Intervention.type_id)
        .where(*where)
        .group_by(column)
        .order_by(sa.func.count().desc(), column)
        .limit(TOP)
    )
    return sa.case((column.in_(top), column), else_=None).label(label)


def intervention_tables(panel_ids: list[int], period: Period) -> list[Table]:
    """Interventions agreed in the period by type and by the organisation that owns them (the
    `TOP` most frequent of each, then the others), with their outcome so far. Two queries."""
    where = [Intervention.panel_id.in_(panel_ids), _within(Intervention.created_at, period)]
    statuses = [s for s in InterventionStatus if s not in OPEN_INTERVENTION]
    columns = ("Agreed", "Still open", *(s.label for s in statuses))
    built = []
    for slug, title, heading, column, others in (
        ("interventions-by-type", "Interventions by type", "Type", InterventionType.name,
         "Other types"),
        ("interventions-by-owner", "Interventions by owner", "Owner",
         Intervention.owner_organisation_id, "Other organisations"),
    ):  # fmt: skip
        key = _top_then_others(column, where, "key")
        grouped = (
            sa.select(key, Intervention.status.label("status"), sa.func.count().label("n"))
            .join(InterventionType, InterventionType.id == Intervention.type_id)
            .where(*where)
            .group_by("key", "status")
        )
        if column is Intervention.owner_organisation_id:
            found = grouped.subquery()
            query = sa.select(Organisation.name, found.c.status, found.c.n).outerjoin(
                Organisation, Organisation.id == found.c.key
            )
        else:
            query = grouped
        counts = _rows_by(query)
        named = sorted(
            {name for name, _ in counts if name is not None},
            key=lambda name: (-_sum(counts, {0: name}), name),
        )
        keys: list[str | None] = [*named, *([None] if (None in {k for k, _ in counts}) else [])]
        rows = [
            _intervention_row(others if name is None else name, counts, name, statuses)
            for name in keys
        ]
        if rows:
            rows.append(_intervention_row("All interventions", counts, ..., statuses))
        built.append((slug, title, heading, rows))
    # Each row's outcomes add up to what it agreed and the rows to "All interventions", which
    # both tables show: they are protected together, that row's cells shared.
    lines: list[Line] = []
    counts_of: dict = {}
    for slug, _, _, rows in built:
        if rows:
            keyed = Keys(slug, shared=len(rows) - 1)
            counts_of.update(cells_of(rows, keyed))
            lines += row_lines(range(len(rows)), range(1, len(columns)), 0, keyed)
            lines += column_lines(range(len(columns)), range(len(rows) - 1), len(rows) - 1, keyed)
    # The trend shows all that were agreed too.
    cells = protect(counts_of, lines, fixed=[("shared", 0)])
    tables = []
    for slug, title, heading, rows in built:
        rows = rows_with(rows, cells, Keys(slug, shared=len(rows) - 1))
        tables.append(
            Table(
                slug,
                title,
                (heading, *columns),
                rows,
                _most_summary(rows[:-1], "interventions agreed"),
            )
        )
    return tables


def _intervention_row(label: str, counts: dict[tuple, int], key, statuses) -> Row:
    mine = {k: n for k, n in counts.items() if key is ... or k[0] == key}
    return Row(
        label,
        (
            Count(sum(mine.values())),
            Count(_sum(mine, {1: OPEN_INTERVENTION.__contains__})),
            *(Count(_sum(mine, {1: status})) for status in statuses),
        ),
    )


def felt_safer_table(panel_ids: list[int], period: Period) -> Table:
    """Live cases closed in the period, by the outcome for the victim, and the share of them
    where the victim felt safer. One query."""
    counts = _rows_by(
        sa.select(LiveCase.victim_outcome, LiveCase.felt_safer, sa.func.count())
        .where(LiveCase.panel_id.in_(panel_ids), _within(LiveCase.closed_at, period))
        .group_by(LiveCase.victim_outcome, LiveCase.felt_safer)
    )

    def row(label: str, outcome) -> Row:
        mine = {k: n for k, n in counts.items() if outcome is ... or k[0] == outcome}
        closed, safer = sum(mine.values()), _sum(mine, {1: Answer.YES})
        return Row(label, (Count(closed), Count(safer), Rate(safer, closed)))

    rows = [row(o.label, o) for o in VictimOutcome]
    if any(k[0] is None for k in counts):
        rows.append(row("Outcome not recorded", None))
    rows.append(row("All closed cases", ...))
    rows = protect_rows(
        rows, column_lines([0, 1], range(len(rows) - 1), len(rows) - 1), rests=(0, 1)
    )
    every = rows[-1]
    return Table(
        "felt-safer",
        "Closed cases where the victim felt safer",
        ("Outcome for the victim", "Closed cases", "Felt safer", "Share who felt safer"),
        rows,
        f"Live cases closed in this period: {every.cells[0]}. "
        + (
            "How many of them the victim felt safer in is withheld (small numbers)."
            if isinstance(every.cells[1], Count) and every.cells[1].withheld
            else f"The victim felt safer in {every.cells[1]} of them (share: {every.cells[2]})."
        ),
        chart_column=2,
    )


def first_intervention_table(panel_ids: list[int], period: Period) -> Table:
    """The median days from a live case's referral to its first intervention, for cases referred
    in the period, by risk. One query."""
    first = (
        sa.select(
            Intervention.live_case_id.label("id"), sa.func.min(Intervention.created_at).label("at")
        )
        .join(LiveCase, LiveCase.id == Intervention.live_case_id)
        .where(LiveCase.panel_id.in_(panel_ids), _within(LiveCase.created_at, period))
        .group_by(Intervention.live_case_id)
        .subquery()
    )
    days = _days_between(first.c.at, LiveCase.created_at).label("days")
    risk = sa.cast(LiveCase.risk_level, sa.String(20))
    medians = _medians(
        sa.union_all(
            sa.select(risk.label("key"), days).join(first, first.c.id == LiveCase.id),
            sa.select(sa.literal("all").label("key"), days).join(first, first.c.id == LiveCase.id),
        )
        .subquery()
        .select()
    )
    rows = [
        Row(label, (Count(found.count), found))
        for label, found in [
            *((level.label, medians.get(level.value, Median(None, 0))) for level in RiskLevel),
            ("All live cases", medians.get("all", Median(None, 0))),
        ]
    ]
    rows = protect_rows(rows, column_lines([0], range(len(rows) - 1), len(rows) - 1))
    return Table(
        "time-to-first-intervention",
        "Days from referral to the first intervention",
        ("Risk", "Cases referred with an intervention", "Median days to the first"),
        rows,
        f"For live cases referred in this period: median {rows[-1].cells[1]} from referral "
        "to the first intervention.",
        chart_column=1,
    )


# --- Every panel -------------------------------------------------------------------------------


def attendance_table(panel_ids: list[int], period: Period) -> Table:
    """How many of the meetings held in the period each organisation was represented at (a
    member present, or their deputy): the `TOP` organisations expected most often, then the
    others. One query."""
    where = [
        Meeting.panel_id.in_(panel_ids),
        Meeting.status.in_(HELD),
        _within(Meeting.starts_at, period),
    ]
    top = (
        sa.select(Attendance.organisation_id)
        .join(Meeting, Meeting.id == Attendance.meeting_id)
        .where(*where)
        .group_by(Attendance.organisation_id)
        .order_by(
            sa.func.count(sa.distinct(Attendance.meeting_id)).desc(), Attendance.organisation_id
        )
        .limit(TOP)
    )
    organisation = sa.case(
        (Attendance.organisation_id.in_(top), Attendance.organisation_id), else_=OTHERS
    ).label("organisation")
    represented = sa.case((Attendance.status.in_(REPRESENTED), Attendance.meeting_id), else_=None)
    grouped = (
        sa.select(
            organisation,
            sa.func.count(sa.distinct(Attendance.meeting_id)).label("expected"),
            sa.func.count(sa.distinct(represented)).label("represented"),
        )
        .join(Meeting, Meeting.id == Attendance.meeting_id)
        .where(*where)
        .group_by("organisation")
        .subquery()
    )
    found = db.session.execute(
        sa.select(grouped, Organisation.name)
        .outerjoin(Organisation, Organisation.id == grouped.c.organisation)
        .order_by(grouped.c.organisation == OTHERS, grouped.c.expected.desc(), Organisation.name)
    ).all()
    rows = [
        Row(
            name or "Other organisations",
            (Count(expected), Count(present), Rate(present, expected)),
        )
        for _, expected, present, name in found
    ]
    # The meetings missed (expected less represented) are a count too.
    rows = protect_rows(rows, [], rests=(0, 1))
    return Table(
        "attendance",
        "Attendance by organisation",
        ("Organisation", "Meetings expected at", "Meetings represented at", "Attendance rate"),
        rows,
        "Meetings held in this period that each organisation’s members were expected at, and "
        "how many it was represented at (a member present, or their deputy).",
        chart_column=2,
    )


# --- Trends ------------------------------------------------------------------------------------


def _bucket(column, period: Period):
    """Which step of the trend `column` falls in: the previous period's steps first (0 to n-1),
    then this period's (n to 2n-1)."""
    steps = [*period.previous().buckets(), *period.buckets()]
    return sa.case(
        *(
            (sa.and_(column >= uk_midnight(s.start), column < uk_midnight(s.end)), index)
            for index, s in enumerate(steps)
        ),
        else_=None,
    ).label("step")


def _trend(slug: str, title: str, noun: str, counts: dict[int, int], period: Period) -> Table:
    now, before = period.buckets(), period.previous().buckets()
    n = len(now)
    rows = [
        Row(step.label, (Count(counts.get(n + i, 0)), Count(counts.get(i, 0)), before[i].label))
        for i, step in enumerate(now)
    ]
    # The summary's totals add up the steps of each period.
    cells = protect(
        {
            **cells_of(rows),
            "this": Count(sum(counts.get(n + i, 0) for i in range(n))),
            "last": Count(sum(counts.get(i, 0) for i in range(n))),
        },
        [
            Line("this", tuple((None, i, 0) for i in range(n))),
            Line("last", tuple((None, i, 1) for i in range(n))),
        ],
        fixed=["this", "last"],  # the period's totals, which other tables show
    )
    rows = rows_with(rows, cells)
    this_total, last_total = cells["this"], cells["last"]
    return Table(
        slug,
        title,
        ("Step", "This period", "Previous period", "Compared with"),
        rows,
        f"{noun} in this period: {this_total}; in the previous period: {last_total}.",
        chart_column=0,
        compare_column=1,
    )


def _counts_by_step(model, column, panel_ids: list[int], period: Period, *where) -> dict[int, int]:
    step = _bucket(column, period)
    return _pairs(
        sa.select(step, sa.func.count())
        .where(
            model.panel_id.in_(panel_ids),
            column >= period.previous().starts_at,
            column < period.ends_at,
            *where,
        )
        .group_by("step")
    )


def scrutiny_trends(panel_ids: list[int], period: Period) -> list[Table]:
    """Case reviews, positive outcomes and recommendations, step by step, beside the previous
    period's. Three queries."""
    return [
        _trend(
            "trend-case-reviews",
            "Case reviews over time",
            "Case reviews",
            _counts_by_step(CaseReview, CaseReview.created_at, panel_ids, period),
            period,
        ),
        _trend(
            "trend-positive-outcomes",
            "Positive outcomes over time",
            "Case reviews with a positive outcome",
            _counts_by_step(
                CaseReview,
                CaseReview.created_at,
                panel_ids,
                period,
                CaseReview.outcome.in_(POSITIVE_OUTCOMES),
            ),
            period,
        ),
        _trend(
            "trend-recommendations",
            "Recommendations made over time",
            "Recommendations made",
            _counts_by_step(Recommendation, Recommendation.created_at, panel_ids, period),
            period,
        ),
    ]


def local_trends(panel_ids: list[int], period: Period) -> list[Table]:
    """Live cases referred and interventions agreed, step by step, beside the previous
    period's. Two queries."""
    return [
        _trend(
            "trend-live-cases",
            "Live cases referred over time",
            "Live cases referred",
            _counts_by_step(LiveCase, LiveCase.created_at, panel_ids, period),
            period,
        ),
        _trend(
            "trend-interventions",
            "Interventions agreed over time",
            "Interventions agreed",
            _counts_by_step(Intervention, Intervention.created_at, panel_ids, period),
            period,
        ),
    ]


# --- A page's sections -------------------------------------------------------------------------


def sections(panel_ids: list[int], period: Period, today: date) -> list[tuple[str, list[Table]]]:
    """Every table for the panels, by section heading: scrutiny panels' measures if any of them
    is a scrutiny panel, local panels' if any is a local panel, attendance for all. A fixed
    number of queries for the same kinds of panel."""
    kinds = panel_kinds(panel_ids)
    scrutiny = [i for i, kind in kinds.items() if kind == PanelKind.SCRUTINY_PANEL]
    local = [i for i, kind in kinds.items() if kind == PanelKind.LOCAL_HATE_CRIME_PANEL]
    found: list[tuple[str, list[Table]]] = []
    if scrutiny:
        found += [
            ("Case reviews", case_review_tables(scrutiny, period)),
            (
                "Stage ratings and lessons",
                [stage_rating_table(scrutiny, period), lesson_table(scrutiny, period)],
            ),
            ("Recommendations", recommendation_tables(scrutiny, period, today)),
            ("Scrutiny trends", scrutiny_trends(scrutiny, period)),
        ]
    if local:
        found += [
            ("Live cases", live_case_tables(local, period)),
            (
                "Interventions",
                [
                    *intervention_tables(local, period),
                    felt_safer_table(local, period),
                    first_intervention_table(local, period),
                ],
            ),
            ("Local panel trends", local_trends(local, period)),
        ]
    found.append(("Attendance", [attendance_table(list(kinds), period)]))
    return found
