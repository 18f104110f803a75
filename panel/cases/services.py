"""Operations on case reviews: adding and editing one, recording its stage findings, a second
person's check of its text for identifying detail, putting it on a meeting's agenda, closing it,
and recording who opened it (in the viewing record, which live cases share). Each asks `access`
whether the actor may (as the page's route rule does, so a command or another service gets the
same answer), checks what the lifecycle allows, writes and audits; the unit of work commits.

Case material never goes into the audit trail: for the narrative, the comments and the overall
view the trail says that they changed, not what they say.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import g
from sqlalchemy.exc import IntegrityError

from panel import access
from panel.access import Action
from panel.accounts.models import User
from panel.cases.models import CASE_TYPES, CaseReview, CaseReviewStatus, CaseView, StageFinding
from panel.cases.pool.models import has_draft_narrative
from panel.cases.pool.retention import forget_agency_references
from panel.cases.vocabularies import (
    AgeBand,
    Answer,
    LocationType,
    OffenceCategory,
    Outcome,
    OutOfCourtDisposal,
    Rating,
    ReportingRoute,
    Stage,
    Strand,
    UpliftAnswer,
    strand_labels,
)
from panel.core import anonymise
from panel.core.audit import AuditAction, apply_changes, record, record_each
from panel.core.database import insert_for, utcnow
from panel.core.guard import GuardOutcome
from panel.core.time import UK
from panel.extensions import db
from panel.meetings.agenda import services as agenda
from panel.meetings.models import AgendaItem, Meeting
from panel.panels.models import Panel, PanelKind
from panel.panels.services import check_override, record_override

# What a form passes when the guard found nothing.
NO_FINDINGS = GuardOutcome()

# Free text that is case material: the trail records that it changed, never the words.
CASE_TEXT_FIELDS = frozenset({"narrative", "overall_view", "comment"})

# Small words left out of a panel's initials: "Panel of the Black Country" is "PBC".
_MINOR_WORDS = frozenset({"a", "an", "and", "for", "in", "of", "on", "the"})
_PREFIX_LENGTH = 6


class CaseReviewRefused(Exception):
    """A change the case review's lifecycle does not allow; the message is written for the user."""


@dataclass(frozen=True)
class CaseReviewDetails:
    """The facts of a case as the coordinator enters them: coarse, and anonymised."""

    strands: list[Strand]
    offence_category: OffenceCategory
    legislation: str | None
    reporting_route: ReportingRoute
    incident_month: int
    incident_year: int
    policing_area: str
    location_type: LocationType
    victim_age_band: AgeBand
    victim_key_worker: Answer
    repeat_victim: Answer
    suspect_identified: Answer
    outcome: Outcome
    out_of_court_disposal: OutOfCourtDisposal
    uplift_applied: UpliftAnswer
    uplift_announced: UpliftAnswer
    victim_wishes_recorded: Answer
    narrative: str

    def columns(self) -> dict:
        fields = asdict(self)
        fields.pop("strands")
        fields["legislation"] = fields["legislation"] or None
        return fields


@dataclass(frozen=True)
class FindingDetails:
    """One stage as the panel records it. No rating means the stage is not recorded yet."""

    rating: Rating | None
    comment: str | None = None


# --- References --------------------------------------------------------------------------------


def reference_prefix(panel: Panel) -> str:
    """ "ISP" for an Independent Scrutiny Panel; otherwise the panel's initials, e.g. "CHCP"."""
    return _prefix(panel.name, panel.kind)


def _prefix(name: str, kind: PanelKind) -> str:
    if kind == PanelKind.SCRUTINY_PANEL:
        return anonymise.SCRUTINY_PREFIX
    words = [w for w in re.findall(r"[A-Za-z]+", name) if w.lower() not in _MINOR_WORDS]
    return "".join(word[0] for word in words).upper()[:_PREFIX_LENGTH] or "CR"


def reference_prefixes() -> frozenset[str]:
    """Every prefix Panel gives its references today, which the personal-data guard never flags
    (`panel.core.anonymise.find`): one query, once per request (or command)."""
    if "_reference_prefixes" not in g:
        panels = db.session.execute(db.select(Panel.name, Panel.kind)).all()
        g._reference_prefixes = frozenset(_prefix(name, kind) for name, kind in panels) | {
            anonymise.SCRUTINY_PREFIX
        }
    return g._reference_prefixes


def next_reference(panel: Panel, year: int) -> str:
    """The panel's next reference for `year`: one more than the highest used, from 001."""
    stem = f"{reference_prefix(panel)}-{year}-"
    used = db.session.scalars(
        db.select(CaseReview.reference).where(
            CaseReview.panel_id == panel.id, CaseReview.reference.startswith(stem, autoescape=True)
        )
    )
    numbers = [int(ref[len(stem) :]) for ref in used if ref[len(stem) :].isdigit()]
    return f"{stem}{max(numbers, default=0) + 1:03d}"


# --- Adding and editing ------------------------------------------------------------------------


def create_case_review(
    actor: User,
    panel: Panel,
    details: CaseReviewDetails,
    guard: GuardOutcome = NO_FINDINGS,
    now: datetime | None = None,
) -> CaseReview:
    """Add a case review to the panel with the next reference of the year it was added."""
    access.require(actor, Action.MANAGE_CASE_REVIEWS, panel)
    check_override(actor, panel, guard, CaseReviewRefused)
    year = (now or utcnow()).astimezone(UK).year
    # Two coordinators adding at once can both pick the same number; the unique constraint
    # stops the second, which then takes the number after.
    for attempt in range(2):
        case_review = CaseReview(
            panel=panel,
            reference=next_reference(panel, year),
            status=CaseReviewStatus.ADDED,
            created_by_id=actor.id,
            **details.columns(),
        )
        case_review.strands = details.strands
        try:
            with db.session.begin_nested():
                db.session.add(case_review)
            break
        except IntegrityError:
            if attempt:
                raise
    fields = {key: _audited(key, value) for key, value in details.columns().items()}
    record(
        actor,
        AuditAction.CREATE,
        case_review,
        label=_label(case_review),
        changes={
            "reference": case_review.reference,
            "strands": strand_labels(details.strands),
            **fields,
        },
    )
    _record_override(actor, case_review, guard)
    db.session.flush()
    return case_review


def update_case_review(
    actor: User,
    case_review: CaseReview,
    details: CaseReviewDetails,
    guard: GuardOutcome = NO_FINDINGS,
) -> CaseReview:
    access.require(actor, Action.MANAGE_CASE_REVIEWS, case_review)
    check_changeable(case_review)
    check_override(actor, case_review.panel, guard, CaseReviewRefused)
    old_strands = case_review.strands
    changes = _mask(apply_changes(case_review, details.columns()))
    if set(old_strands) != set(details.strands):
        case_review.strands = details.strands
        changes["strands"] = [strand_labels(old_strands), strand_labels(details.strands)]
    changes.update(_withdraw_check(case_review))
    if changes:
        record(actor, AuditAction.UPDATE, case_review, label=_label(case_review), changes=changes)
    _record_override(actor, case_review, guard)
    db.session.flush()
    return case_review


# --- Stage findings ----------------------------------------------------------------------------


def record_stage_findings(
    actor: User,
    case_review: CaseReview,
    findings: dict[Stage, FindingDetails],
    overall_view: str | None,
    guard: GuardOutcome = NO_FINDINGS,
) -> CaseReview:
    """Record the panel's rating and comment for each stage given a rating, and its overall view.

    A stage without a rating is left as it was. Once every stage has a rating (not assessed
    counts) the case review is reviewed.
    """
    access.require(actor, Action.MANAGE_CASE_REVIEWS, case_review)
    check_changeable(case_review)
    check_override(actor, case_review.panel, guard, CaseReviewRefused)
    existing = {finding.stage: finding for finding in case_review.stage_findings}
    changes: dict[str, list] = {}
    for stage, details in findings.items():
        if details.rating is None:
            continue
        fields = {"rating": details.rating, "comment": details.comment or None}
        finding = existing.get(stage)
        if finding is None:
            finding = StageFinding(stage=stage, **fields)
            case_review.stage_findings.append(finding)
            changed = {key: [None, _stored(value)] for key, value in fields.items() if value}
        else:
            changed = apply_changes(finding, fields)
        if changed:
            finding.updated_by_id = actor.id
        for key, value in _mask(changed).items():
            changes[f"{stage.value}_{key}"] = value
    changes.update(_mask(apply_changes(case_review, {"overall_view": overall_view or None})))
    rated = {finding.stage for finding in case_review.stage_findings}
    if rated == set(Stage) and case_review.status in (
        CaseReviewStatus.ADDED,
        CaseReviewStatus.ON_AGENDA,
    ):
        changes.update(apply_changes(case_review, {"status": CaseReviewStatus.REVIEWED}))
    changes.update(_withdraw_check(case_review))
    if changes:
        record(actor, AuditAction.UPDATE, case_review, label=_label(case_review), changes=changes)
    _record_override(actor, case_review, guard)
    db.session.flush()
    return case_review


# --- The second pair of eyes ------------------------------------------------------------------

# What the audit trail calls the check, as a change of the case review.
CHECKED_FIELD = "checked_for_identifying_detail"


def check_checker(actor: User, case_review: CaseReview) -> None:
    """Raise unless `actor` may confirm the case review checked: a chair or coordinator of its
    panel (`access`), while it is open, and not its author, since the point is a second pair of
    eyes."""
    access.require(actor, Action.CHECK_CASE_REVIEW, case_review)
    check_changeable(case_review)
    if case_review.created_by_id == actor.id:
        raise CaseReviewRefused(
            "You wrote this case review, so another chair or coordinator must check it for "
            "identifying detail."
        )
    # The check deletes the agency's reference of a drawn case: checked before its summary is
    # written, the coordinator could no longer find the file to write it from.
    if has_draft_narrative(case_review):
        raise CaseReviewRefused(
            "This case review cannot be checked yet: its summary is still the one written when "
            "it was drawn. The coordinator must replace it with the anonymised summary from the "
            "agency's file first."
        )


def may_check(actor: User, case_review: CaseReview) -> bool:
    """Whether the case review page offers `actor` the check (`check_checker` would pass)."""
    try:
        check_checker(actor, case_review)
    except (CaseReviewRefused, access.NotAllowed):
        return False
    return True


def confirm_checked(
    actor: User, case_review: CaseReview, seen_sha256: str, now: datetime | None = None
) -> CaseReview:
    """Record that `actor` checked the case review's text for identifying detail. `seen_sha256`
    is the fingerprint of the text the confirmation page showed: if the text changed since, the
    confirmation would be for words the actor has not read, so it is refused."""
    check_checker(actor, case_review)
    current = case_review.text_sha256
    if seen_sha256 != current:
        raise CaseReviewRefused(
            "The case review changed while you were checking it. Check its text again."
        )
    was = "yes" if case_review.is_checked else None
    case_review.checked_by_id = actor.id
    case_review.checked_at = now or utcnow()
    case_review.checked_sha256 = current
    record(
        actor,
        AuditAction.UPDATE,
        case_review,
        label=_label(case_review),
        changes={CHECKED_FIELD: [was, "yes"]},
    )
    # Checked, the case review no longer needs the file it was drawn from (if it was drawn).
    forget_agency_references(actor, case_review)
    db.session.flush()
    return case_review


def _withdraw_check(case_review: CaseReview) -> dict[str, list]:
    """Withdraw the check if the text is no longer the text that was checked, and say so for the
    audit record of the change. Who checked it last, and when, stay for the case page to show."""
    if case_review.checked_sha256 is None or case_review.is_checked:
        return {}
    case_review.checked_sha256 = None
    return {CHECKED_FIELD: ["yes", "withdrawn: the text changed"]}


# --- Meetings and the lifecycle ----------------------------------------------------------------


def place_on_agenda(actor: User, case_review: CaseReview, meeting: Meeting) -> AgendaItem:
    """Put the case on the meeting's agenda, where every new item goes (before "Any other
    business"), for the panel's default duration. A case not finished at one meeting is carried
    over by placing it on a later one too."""
    access.require(actor, Action.MANAGE_CASE_REVIEWS, case_review)
    check_changeable(case_review)
    minutes = meeting.panel.default_case_review_minutes
    # The agenda's own checks (an open meeting of the case's panel, not listed twice) decide.
    try:
        (item,) = agenda.add_case_reviews(actor, meeting, [(case_review, minutes)])
    except agenda.AgendaRefused as refused:
        raise CaseReviewRefused(str(refused)) from refused
    return item


def close_case_review(actor: User, case_review: CaseReview) -> CaseReview:
    """Close a reviewed case: its findings stand, and it can no longer be changed."""
    access.require(actor, Action.MANAGE_CASE_REVIEWS, case_review)
    check_changeable(case_review)
    if case_review.status != CaseReviewStatus.REVIEWED:
        raise CaseReviewRefused(
            "A case review can be closed once every stage has a rating. "
            "Record the stage findings first."
        )
    changes = apply_changes(case_review, {"status": CaseReviewStatus.CLOSED})
    case_review.closed_at = utcnow()  # starts its retention period (panel/retention.py)
    record(actor, AuditAction.UPDATE, case_review, label=_label(case_review), changes=changes)
    db.session.flush()
    return case_review


def record_view(actor: User, case_review: CaseReview) -> None:
    """Case material is need-to-know: every page that shows a case review's text records the
    opening (`record_views`), once the actor is known to be allowed to open it."""
    access.require(actor, Action.VIEW_CASE_REVIEWS, case_review)
    record_views(actor, [case_review])


# --- The viewing record: who has opened a case review or a live case ---------------------------


def record_views(actor: User, cases: Iterable[Any], at: datetime | None = None) -> None:
    """Record that `actor` opened each of `cases` (case reviews or live cases) at `at` (now unless
    given): the one way every page that shows case text (a case's own pages, the minutes with
    their case reviews) records it; the unit of work commits it with the page. Whether the actor
    may see the text is the page's question, asked before it gets here.

    The viewing record counts each opening in the day's row (`count_views`: one statement for all
    of them, however many case reviews a page of minutes shows), and the day's first opening of
    each case by this person is also an audit VIEW event, at the same moment as the row's
    first_at."""
    at = at or utcnow()
    opened = {(case.__tablename__, case.id): case for case in cases}
    if not opened:
        return
    counts = count_views(actor, list(opened.values()), at)
    first = [(case, case.audit_label) for key, case in opened.items() if counts[key] == 1]
    record_each(actor, AuditAction.VIEW, first, at)


def count_views(actor: User, cases: Sequence[Any], at: datetime) -> dict[tuple[str, int], int]:
    """Count an opening of each of `cases` by `actor` at `at` in the day's rows, and return how
    many openings each row now holds, by (table name, id): 1 for the day's first. One atomic
    statement (INSERT ... ON CONFLICT DO UPDATE, a row per case), so two pages loading at once
    both count, neither fails on the unique constraint, and exactly one of them sees 1. Rows go
    in one order (by table name and id), so two pages counting the same cases at once wait for
    each other rather than deadlock."""
    day = at.astimezone(UK).date()
    rows = sorted({(case.__tablename__, case.id) for case in cases})
    assert all(object_type in CASE_TYPES for object_type, _ in rows), rows
    insert = insert_for(CaseView, db.session).values(
        [
            {
                "object_type": object_type,
                "object_id": object_id,
                "user_id": actor.id,
                "day": day,
                "first_at": at,
                "last_at": at,
                "count": 1,
            }
            for object_type, object_id in rows
        ]
    )
    counted = insert.on_conflict_do_update(
        index_elements=["object_type", "object_id", "user_id", "day"],
        set_={"count": CaseView.count + 1, "last_at": insert.excluded.last_at},
    ).returning(CaseView.object_type, CaseView.object_id, CaseView.count)
    return {
        (object_type, object_id): count
        for object_type, object_id, count in db.session.execute(counted)
    }


def delete_views(case) -> None:
    """Delete the viewing record of `case` (its case detail is being deleted); the audit trail
    keeps its VIEW events."""
    db.session.execute(
        sa.delete(CaseView).where(
            CaseView.object_type == case.__tablename__, CaseView.object_id == case.id
        )
    )


# --- Helpers -----------------------------------------------------------------------------------


def check_changeable(case_review: CaseReview) -> None:
    """Raise `CaseReviewRefused` if the case review is closed: its findings stand as they are."""
    if case_review.status == CaseReviewStatus.CLOSED:
        raise CaseReviewRefused("This case review is closed, so it can no longer be changed.")


def _record_override(actor: User, case_review: CaseReview, guard: GuardOutcome) -> None:
    record_override(actor, case_review, guard, _label(case_review))


def _stored(value):
    return value.value if isinstance(value, enum.Enum) else value


def _audited(key: str, value):
    if key in CASE_TEXT_FIELDS:
        return "(set)" if value else None
    return _stored(value)


def _mask(changes: dict[str, list]) -> dict[str, list]:
    return {
        key: ["(hidden)", "(changed)"] if key in CASE_TEXT_FIELDS else value
        for key, value in changes.items()
    }


def _label(case_review: CaseReview) -> str:
    return case_review.audit_label
