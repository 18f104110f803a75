"""Retention: a panel keeps case detail only as long as it needs it, then deletes it and keeps the
published minutes and coarse statistics (domain.md, "Protection and retention").

Each panel sets two periods in whole months, and `flask apply-retention` (run daily from cron)
deletes what has come due on the day:

- A closed case review: its narrative, the panel's overall view and the stage comments,
  `Panel.case_review_retention_months` after the later of its closing and the first publication
  of the minutes of the last meeting that discussed it. Until those minutes are published the
  panel may still need the case, so nothing is due; a case review never discussed at a meeting
  (or only at cancelled ones) counts from its closing.
- A closed live case: its risk reason and summary, `Panel.live_case_retention_months` after it
  closed.
- An intervention for a closed live case, once it has ended (completed, not completed or
  cancelled; an open one is still being reported on): its description, the reason for its status
  and the notes in its update log, the same number of months after the later of the case's
  closing and the last entry in its log.

Everything coded stays, for statistics and the panel's record: references, strands, offence,
outcome, stage ratings, risk level, needs, closure reason, outcome for the victim, whether they
felt safer, intervention types, owners, statuses and dates; so do lessons and recommendations,
the minutes (published versions are frozen documents) and the audit trail. Deleted text becomes a
marker that says when it was deleted, so pages still read sensibly. The update log is never edited
in place, so its entries that carry a note are deleted; entries that only moved the status stay.
A case's viewing record (who opened it, how often: panel/viewing.py) goes with its detail; the
audit trail keeps the day's first opening by each person.

Each object deleted gets an audit event (the system is the actor) naming what went, never the
text itself.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

import click
import sqlalchemy as sa
from flask.cli import with_appcontext
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from panel.cases import viewing
from panel.cases.models import CaseReview, CaseReviewStatus
from panel.core.audit import AuditAction, record
from panel.core.time import UK, format_datetime, uk_today
from panel.extensions import db
from panel.interventions.models import Intervention, PanelCase
from panel.interventions.vocabularies import OPEN_INTERVENTION, PanelCaseStatus
from panel.meetings.models import AgendaItem, Meeting, MeetingStatus
from panel.minutes.models import Minutes, MinutesVersion
from panel.panels.models import Panel

# Deleted text is replaced by this sentence, with the day of deletion.
MARKER_START = "Deleted under the retention policy on "

CASE_REVIEW, LIVE_CASE, INTERVENTION = "Case review", "Live case", "Intervention"
_KINDS = (CASE_REVIEW, LIVE_CASE, INTERVENTION)

Target = CaseReview | PanelCase | Intervention


@dataclass(frozen=True)
class DueItem:
    """One object whose free text is due for deletion on the day asked about."""

    panel: Panel
    kind: str
    target: Target
    # The panel's reference, e.g. "ISP-2026-001"; for an intervention its number and case.
    reference: str
    # What started the retention period, and the UK day it did.
    since: str
    started: date
    due: date
    # What would go, in words: ("narrative", "overall view", "7 stage comments").
    deletes: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.kind} {self.reference} of {self.panel.name}"[:200]


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day if it is shorter (31 January plus one
    month is 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def uk_day(moment: datetime) -> date:
    return moment.astimezone(UK).date()


def marker(today: date) -> str:
    return f"{MARKER_START}{format_datetime(today, 'date')}."


def is_deleted(text: str | None) -> bool:
    """Whether there is no case text left here: nothing, or the retention marker."""
    return not text or text.startswith(MARKER_START)


# --- What is due -------------------------------------------------------------------------------


def due_on(today: date) -> list[DueItem]:
    """Everything whose retention period has run out by `today` (a UK day) and still holds free
    text: by panel, then case reviews, live cases and interventions, each by due date. It only
    reads, so a dry run changes nothing."""
    found = [*_case_reviews(today), *_live_cases(today), *_interventions(today)]
    return sorted(
        found,
        key=lambda item: (item.panel.name, _KINDS.index(item.kind), item.due, item.target.id),
    )


def _case_reviews(today: date) -> Iterator[DueItem]:
    reviews = [
        review
        for review in db.session.scalars(
            db.select(CaseReview)
            .options(joinedload(CaseReview.panel), selectinload(CaseReview.stage_findings))
            .where(CaseReview.status == CaseReviewStatus.CLOSED)
        )
        if _case_review_text(review)
    ]
    published = _minutes_published([review.id for review in reviews])
    for review in reviews:
        if review.closed_at is None:
            continue  # closed before closing was dated; migration 0012 dates them all
        starts = [("closed", uk_day(review.closed_at))]
        if review.id in published:
            if published[review.id] is None:
                continue  # its minutes are not published yet
            starts.append(("minutes published", published[review.id]))
        since, started = max(starts, key=lambda start: start[1])
        due = add_months(started, review.panel.case_review_retention_months)
        if due <= today:
            yield DueItem(
                review.panel,
                CASE_REVIEW,
                review,
                review.reference,
                since,
                started,
                due,
                _case_review_text(review),
            )


def _minutes_published(case_review_ids: list[int]) -> dict[int, date | None]:
    """For each case review discussed at a meeting (not cancelled), the UK day the minutes of the
    last such meeting were first published, or None while they are unpublished; case reviews
    never discussed are left out."""
    if not case_review_ids:
        return {}
    last_meeting: dict[int, tuple[datetime, int]] = {}
    for case_review_id, starts_at, meeting_id in db.session.execute(
        db.select(AgendaItem.case_review_id, Meeting.starts_at, Meeting.id)
        .join(AgendaItem.meeting)
        .where(
            AgendaItem.case_review_id.in_(case_review_ids),
            Meeting.status != MeetingStatus.CANCELLED,
        )
    ):
        last_meeting[case_review_id] = max(
            last_meeting.get(case_review_id, (starts_at, meeting_id)), (starts_at, meeting_id)
        )
    meeting_ids = {meeting_id for _, meeting_id in last_meeting.values()}
    first_published_at = dict(
        db.session.execute(
            db.select(Minutes.meeting_id, sa.func.min(MinutesVersion.published_at))
            .join(Minutes.versions)
            .where(Minutes.meeting_id.in_(meeting_ids), MinutesVersion.published_at.is_not(None))
            .group_by(Minutes.meeting_id)
        ).all()
    )
    first_published = {meeting_id: uk_day(at) for meeting_id, at in first_published_at.items()}
    return {
        case_review_id: first_published.get(meeting_id)
        for case_review_id, (_, meeting_id) in last_meeting.items()
    }


def _live_cases(today: date) -> Iterator[DueItem]:
    cases = db.session.scalars(
        db.select(PanelCase)
        .options(joinedload(PanelCase.panel))
        .where(PanelCase.status == PanelCaseStatus.CLOSED, PanelCase.closed_at.is_not(None))
    )
    for case in cases:
        deletes = _live_case_text(case)
        if not deletes:
            continue
        started = uk_day(case.closed_at)
        due = add_months(started, case.panel.live_case_retention_months)
        if due <= today:
            yield DueItem(
                case.panel, LIVE_CASE, case, case.reference, "closed", started, due, deletes
            )


def _interventions(today: date) -> Iterator[DueItem]:
    interventions = db.session.scalars(
        db.select(Intervention)
        .join(Intervention.panel_case)
        .options(
            contains_eager(Intervention.panel_case),
            joinedload(Intervention.panel),
            selectinload(Intervention.updates),
        )
        .where(
            PanelCase.status == PanelCaseStatus.CLOSED,
            PanelCase.closed_at.is_not(None),
            Intervention.status.not_in(OPEN_INTERVENTION),
        )
    )
    for intervention in interventions:
        deletes = _intervention_text(intervention)
        if not deletes:
            continue
        case = intervention.panel_case
        closed = uk_day(case.closed_at)
        last_entry = max((uk_day(update.at) for update in intervention.updates), default=closed)
        since, started = (
            ("case closed", closed) if closed >= last_entry else ("last update", last_entry)
        )
        due = add_months(started, intervention.panel.live_case_retention_months)
        if due <= today:
            yield DueItem(
                intervention.panel,
                INTERVENTION,
                intervention,
                f"{intervention.id} for case {case.reference}",
                since,
                started,
                due,
                deletes,
            )


def _case_review_text(review: CaseReview) -> tuple[str, ...]:
    comments = sum(not is_deleted(finding.comment) for finding in review.stage_findings)
    return _words(
        ("narrative", not is_deleted(review.narrative)),
        ("overall view", not is_deleted(review.overall_view)),
        (_count(comments, "stage comment"), comments > 0),
    )


def _live_case_text(case: PanelCase) -> tuple[str, ...]:
    return _words(
        ("risk reason", not is_deleted(case.risk_reason)),
        ("summary", not is_deleted(case.summary)),
    )


def _intervention_text(intervention: Intervention) -> tuple[str, ...]:
    notes = sum(bool(update.text) for update in intervention.updates)
    return _words(
        ("description", not is_deleted(intervention.description)),
        ("status reason", not is_deleted(intervention.status_reason)),
        (_count(notes, "update note"), notes > 0),
    )


def _words(*pairs: tuple[str, bool]) -> tuple[str, ...]:
    return tuple(words for words, present in pairs if present)


def _count(number: int, singular: str) -> str:
    return f"{number} {singular}{'' if number == 1 else 's'}"


# --- Deleting ----------------------------------------------------------------------------------


def apply_retention(today: date) -> list[DueItem]:
    """Delete the free text of everything due on `today`, with an audit event for each object, in
    one transaction; return what was deleted."""
    due = due_on(today)
    note = marker(today)
    for item in due:
        _DELETE[item.kind](item.target, note)
        months = (
            item.panel.case_review_retention_months
            if item.kind == CASE_REVIEW
            else item.panel.live_case_retention_months
        )
        record(
            None,
            AuditAction.RETENTION_DELETE,
            item.target,
            label=item.label,
            changes={
                "deleted": ", ".join(item.deletes),
                "retention_months": months,
                "due": item.due.isoformat(),
            },
        )
    db.session.commit()
    return due


def _replace(target: Target, field: str, note: str) -> None:
    if not is_deleted(getattr(target, field)):
        setattr(target, field, note)


def _delete_case_review(review: CaseReview, note: str) -> None:
    _replace(review, "narrative", note)
    _replace(review, "overall_view", note)
    for finding in review.stage_findings:
        _replace(finding, "comment", note)
    viewing.delete_views(review)


def _delete_live_case(case: PanelCase, note: str) -> None:
    _replace(case, "risk_reason", note)
    _replace(case, "summary", note)
    viewing.delete_views(case)


def _delete_intervention(intervention: Intervention, note: str) -> None:
    _replace(intervention, "description", note)
    _replace(intervention, "status_reason", note)
    # The log is never edited in place: entries with a note go (delete-orphan), the rest stay.
    intervention.updates = [update for update in intervention.updates if not update.text]


_DELETE = {
    CASE_REVIEW: _delete_case_review,
    LIVE_CASE: _delete_live_case,
    INTERVENTION: _delete_intervention,
}


# --- The command -------------------------------------------------------------------------------


@click.command("apply-retention")
@click.option("--dry-run", is_flag=True, help="List what is due without deleting anything.")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Apply the retention periods as on this day (YYYY-MM-DD) instead of today in the UK.",
)
@with_appcontext
def apply_retention_command(dry_run: bool, today) -> None:
    """Delete case detail whose panel's retention period has run out (for cron)."""
    day = today.date() if today else uk_today()
    items = due_on(day) if dry_run else apply_retention(day)
    when = format_datetime(day, "date")
    if not items:
        click.echo(f"Nothing is due for deletion on {when}.")
        return
    panel = None
    for item in items:
        if item.panel is not panel:
            panel = item.panel
            click.echo(
                f"{panel.name} (case reviews kept {panel.case_review_retention_months} months, "
                f"live cases {panel.live_case_retention_months} months)"
            )
        click.echo(
            f"  {item.kind} {item.reference}: {item.since} {format_datetime(item.started, 'date')}"
            f", due {format_datetime(item.due, 'date')}; "
            f"{'would delete' if dry_run else 'deleted'} {', '.join(item.deletes)}"
        )
    if dry_run:
        click.echo(f"Dry run: {_count(len(items), 'item')} due on {when}. Nothing was deleted.")
    else:
        click.echo(f"Deleted under the retention policy: {_count(len(items), 'item')}.")
