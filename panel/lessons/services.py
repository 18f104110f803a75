"""Operations on lessons and recommendations. Each checks what is allowed, writes, audits and
commits in one transaction; addressing a recommendation then e-mails the organisation's members.

Lesson and recommendation text is anonymised and meant for minutes, but it may still hold what
the guard let through on the chair's say-so, so the audit trail says that text changed, not
what it says.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from panel import access
from panel.access import Action
from panel.accounts.models import Organisation, User
from panel.cases.models import CaseReview
from panel.cases.vocabularies import Stage, Strand, strand_labels
from panel.core import locking
from panel.core.audit import AuditAction, apply_changes, record
from panel.core.guard import GuardOutcome
from panel.extensions import db
from panel.lessons import lifecycle, notifications
from panel.lessons.lifecycle import Move, RecommendationRefused
from panel.lessons.models import (
    Lesson,
    LessonKind,
    Recommendation,
    RecommendationEvent,
    RecommendationStatus,
)
from panel.meetings.models import Meeting
from panel.panels.services import check_override, record_override

NO_FINDINGS = GuardOutcome()
TEXT_FIELDS = frozenset({"text", "response", "evidence", "note"})

STALE = (
    "Someone else changed this recommendation while you were working on it. Check what it "
    "says now, then try again: your text is still in the form."
)


# Who may take each step of a recommendation's lifecycle (`panel.access` decides who holds each).
MOVE_ACTIONS = {
    Move.RESPOND: Action.RESPOND_TO_RECOMMENDATION,
    Move.IMPLEMENT: Action.RESPOND_TO_RECOMMENDATION,
    Move.CLOSE: Action.SIGN_OFF_RECOMMENDATION,
    Move.WITHDRAW: Action.SIGN_OFF_RECOMMENDATION,
}


@dataclass(frozen=True)
class LessonDetails:
    kind: LessonKind
    strands: list[Strand]
    text: str
    # For a lesson from a case review; a theme recorded at a meeting may name none.
    stage: Stage | None = None


@dataclass(frozen=True)
class RecommendationDetails:
    organisation: Organisation
    text: str
    due_date: date


@dataclass(frozen=True)
class Addressed:
    """A recommendation just addressed to an organisation, and how many of its members are
    being told by e-mail (queued with the change, delivered once it is saved)."""

    recommendation: Recommendation
    notified: int


# --- Lessons -----------------------------------------------------------------------------------


def record_lesson(
    actor: User,
    details: LessonDetails,
    *,
    case_review: CaseReview | None = None,
    meeting: Meeting | None = None,
    guard: GuardOutcome = NO_FINDINGS,
) -> Lesson:
    """Record a lesson against a case review's stage, or against a meeting as a theme."""
    access.require(actor, Action.RECORD_LESSONS, case_review or meeting)
    if (case_review is None) == (meeting is None):
        raise ValueError("a lesson is recorded against a case review or a meeting")
    if case_review is not None and details.stage is None:
        raise RecommendationRefused("Choose the stage the lesson is about.")
    if case_review is not None:
        panel = case_review.panel
    else:
        assert meeting is not None  # one of the two, checked above
        panel = meeting.panel
    check_override(actor, panel, guard, RecommendationRefused)
    lesson = Lesson(
        panel=panel,
        case_review=case_review,
        meeting=meeting,
        stage=details.stage,
        kind=details.kind,
        text=details.text,
        created_by_id=actor.id,
        updated_by_id=actor.id,
    )
    lesson.strands = details.strands
    refresh_search_document(lesson)
    db.session.add(lesson)
    db.session.flush()
    record(
        actor,
        AuditAction.CREATE,
        lesson,
        label=lesson_label(lesson),
        changes={
            "kind": details.kind.value,
            "stage": details.stage.value if details.stage else None,
            "strands": strand_labels(details.strands),
            "text": "(set)",
        },
    )
    record_override(actor, lesson, guard, lesson_label(lesson))
    db.session.flush()
    return lesson


def update_lesson(
    actor: User, lesson: Lesson, details: LessonDetails, guard: GuardOutcome = NO_FINDINGS
) -> Lesson:
    access.require(actor, Action.RECORD_LESSONS, lesson)
    check_override(actor, lesson.panel, guard, RecommendationRefused)
    if lesson.recommendations and details.kind != LessonKind.IMPROVEMENT:
        raise RecommendationRefused(
            "This lesson has recommendations, so it must stay an area for improvement."
        )
    fields = {"kind": details.kind, "text": details.text}
    if lesson.case_review_id is not None:
        fields["stage"] = details.stage
    old_strands = lesson.strands
    changes = _mask(apply_changes(lesson, fields))
    if set(old_strands) != set(details.strands):
        lesson.strands = details.strands
        changes["strands"] = [strand_labels(old_strands), strand_labels(details.strands)]
    if changes:
        lesson.updated_by_id = actor.id
        refresh_search_document(lesson)
        record(actor, AuditAction.UPDATE, lesson, label=lesson_label(lesson), changes=changes)
    record_override(actor, lesson, guard, lesson_label(lesson))
    db.session.flush()
    return lesson


def delete_lesson(actor: User, lesson: Lesson) -> None:
    """Delete a lesson recorded by mistake. One with recommendations stays: withdraw them."""
    access.require(actor, Action.RECORD_LESSONS, lesson)
    if lesson.recommendations:
        raise RecommendationRefused(
            "This lesson has recommendations, so it cannot be deleted. Withdraw a "
            "recommendation that is no longer wanted."
        )
    record(actor, AuditAction.DELETE, lesson, label=lesson_label(lesson))
    db.session.delete(lesson)
    db.session.flush()


# --- Recommendations ---------------------------------------------------------------------------


def add_recommendation(
    actor: User,
    lesson: Lesson,
    details: RecommendationDetails,
    guard: GuardOutcome = NO_FINDINGS,
    *,
    notify: bool = True,
) -> Addressed:
    """Address a recommendation from an area for improvement to an organisation, and tell the
    organisation's members on the panel (unless `notify` is False: loading demo data)."""
    access.require(actor, Action.RECORD_LESSONS, lesson)
    if lesson.kind != LessonKind.IMPROVEMENT:
        raise RecommendationRefused(
            "Only an area for improvement can carry recommendations. Change the lesson's kind "
            "first if it is one."
        )
    check_override(actor, lesson.panel, guard, RecommendationRefused)
    recommendation = Recommendation(
        lesson=lesson,
        panel_id=lesson.panel_id,
        organisation=details.organisation,
        text=details.text,
        due_date=details.due_date,
        status=RecommendationStatus.OPEN,
        created_by_id=actor.id,
    )
    recommendation.events.append(_event(actor, RecommendationStatus.OPEN, None))
    db.session.add(recommendation)
    refresh_search_document(lesson)
    db.session.flush()
    record(
        actor,
        AuditAction.CREATE,
        recommendation,
        label=recommendation_label(recommendation),
        changes={
            "organisation": details.organisation.name,
            "due_date": details.due_date.isoformat(),
            "text": "(set)",
        },
    )
    record_override(actor, recommendation, guard, recommendation_label(recommendation))
    db.session.flush()
    return Addressed(recommendation, notifications.tell_addressed(recommendation) if notify else 0)


def update_recommendation(
    actor: User,
    recommendation: Recommendation,
    details: RecommendationDetails,
    version: int,
    guard: GuardOutcome = NO_FINDINGS,
) -> Addressed:
    """Change an open recommendation's wording, due date or organisation. A new organisation's
    members are told, as if it had just been addressed to them."""
    access.require(actor, Action.RECORD_LESSONS, recommendation)
    locking.check_version(recommendation.version, version, _stale)
    if recommendation.status != RecommendationStatus.OPEN:
        raise RecommendationRefused(
            "Only an open recommendation can be changed: the agency has already responded to "
            "this one."
        )
    check_override(actor, recommendation.panel, guard, RecommendationRefused)
    with locking.saving(_stale):
        readdressed = details.organisation.id != recommendation.organisation_id
        changes = _mask(
            apply_changes(
                recommendation,
                {
                    "organisation_id": details.organisation.id,
                    "text": details.text,
                    "due_date": details.due_date,
                },
            )
        )
        if readdressed:
            recommendation.organisation = details.organisation
        if changes:
            refresh_search_document(recommendation.lesson)
            record(
                actor,
                AuditAction.UPDATE,
                recommendation,
                label=recommendation_label(recommendation),
                changes=changes,
            )
        record_override(actor, recommendation, guard, recommendation_label(recommendation))
    notified = notifications.tell_addressed(recommendation) if readdressed else 0
    return Addressed(recommendation, notified)


def move_recommendation(
    actor: User,
    recommendation: Recommendation,
    move: Move,
    target: RecommendationStatus,
    note: str | None,
    version: int,
    guard: GuardOutcome = NO_FINDINGS,
) -> Recommendation:
    """Take one step of the lifecycle: respond, report implementation, close or withdraw.

    `version` is the one the person's form was drawn from: if someone moved the recommendation
    meanwhile, the step is refused rather than made on top of a status they never saw.
    """
    access.require(actor, MOVE_ACTIONS[move], recommendation)
    locking.check_version(recommendation.version, version, _stale)
    lifecycle.check(recommendation.status, move, target)
    transition = lifecycle.TRANSITIONS[move]
    if transition.note_label and not note:
        raise RecommendationRefused(f"Enter {transition.note_label.lower()}.")
    check_override(actor, recommendation.panel, guard, RecommendationRefused)
    with locking.saving(_stale):
        fields: dict = {"status": target}
        if move == Move.RESPOND:
            fields["response"] = note
        elif move == Move.IMPLEMENT:
            fields["evidence"] = note
        changes = _mask(apply_changes(recommendation, fields))
        recommendation.events.append(_event(actor, target, note or None))
        if note and move in (Move.RESPOND, Move.IMPLEMENT):
            refresh_search_document(recommendation.lesson)
        if note and move in (Move.CLOSE, Move.WITHDRAW):
            changes["note"] = ["(hidden)", "(set)"]
        record(
            actor,
            AuditAction.UPDATE,
            recommendation,
            label=recommendation_label(recommendation),
            changes=changes,
        )
        record_override(actor, recommendation, guard, recommendation_label(recommendation))
    return recommendation


# --- Helpers -----------------------------------------------------------------------------------


def refresh_search_document(lesson: Lesson) -> None:
    """What full-text search finds a lesson by: its own text and its recommendations', with the
    agencies' responses and evidence."""
    parts: list[str | None] = [lesson.text]
    for recommendation in lesson.recommendations:
        parts += [recommendation.text, recommendation.response, recommendation.evidence]
    lesson.search_document = "\n".join(part for part in parts if part)


def lesson_label(lesson: Lesson) -> str:
    return f"{lesson.kind.label} lesson {lesson.id} ({lesson.about}) of {lesson.panel.name}"[:200]


def recommendation_label(recommendation: Recommendation) -> str:
    return (
        f"Recommendation {recommendation.id} to {recommendation.organisation.name} "
        f"of {recommendation.panel.name}"
    )[:200]


def _event(actor: User, status: RecommendationStatus, note: str | None) -> RecommendationEvent:
    return RecommendationEvent(
        status=status, note=note, by_id=actor.id, by_organisation_id=actor.organisation_id
    )


def _stale() -> RecommendationRefused:
    return RecommendationRefused(STALE)


def _mask(changes: dict[str, list]) -> dict[str, list]:
    return {
        key: ["(hidden)", "(changed)"] if key in TEXT_FIELDS else value
        for key, value in changes.items()
    }
