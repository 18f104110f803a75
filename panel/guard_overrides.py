"""Text saved past the personal-data guard, for the chair and coordinator to see.

Any member may save text the guard stopped, with a reason (`panel.core.guard`). The audit trail
keeps each override; this table keeps the same facts once more with the panel they belong to, so
that the home page of a panel's chair and coordinator lists the latest in one indexed query, however
long the audit trail grows (the trail has no panel column, and its `changes` are JSON that neither
SQLite nor PostgreSQL can index alike). Like the trail, it never holds the text itself: who, when,
on what, the reason and the kinds of personal data found."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, joinedload, mapped_column, relationship

from panel import access
from panel.accounts.models import User
from panel.core import anonymise
from panel.core.audit import AuditAction, record
from panel.core.database import UTCDateTime, utcnow
from panel.core.guard import GuardOutcome
from panel.extensions import db
from panel.minutes.models import Minutes
from panel.panels.models import Panel

# The most a home page lists: the latest first.
LATEST = 20


class GuardOverride(db.Model):
    __tablename__ = "guard_override"
    __table_args__ = (sa.Index("ix_guard_override_panel_saved", "panel_id", "saved_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(sa.ForeignKey("panel.id"))
    # The case review the text belongs to, if any: left out for someone it is withheld from.
    case_review_id: Mapped[int | None] = mapped_column(sa.ForeignKey("case_review.id"))
    # What was saved (a table name and id, as in the audit trail) and what it was called then.
    object_type: Mapped[str] = mapped_column(sa.String(60))
    object_id: Mapped[int]
    label: Mapped[str] = mapped_column(sa.String(200))
    actor_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    reason: Mapped[str] = mapped_column(sa.String(500))
    # The kinds of personal data kept, e.g. ["DATE", "NAME"]; never the text.
    kinds: Mapped[list[str]] = mapped_column(sa.JSON)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    actor: Mapped[User] = relationship()
    panel: Mapped[Panel] = relationship()

    @property
    def kind_labels(self) -> list[str]:
        """E.g. ["an exact date", "a person's name"]."""
        return [anonymise.KIND_LABELS.get(kind, kind) for kind in self.kinds]


def note(actor: User, obj, outcome, label: str) -> None:
    """Keep an override of the guard (`panel.core.guard.GuardOutcome`) on `obj`, in the caller's
    transaction, beside its audit event."""
    case_review = access.case_review_of(obj)
    db.session.add(
        GuardOverride(
            panel_id=access.panel_of(obj).id,
            case_review_id=case_review.id if case_review is not None else None,
            object_type=obj.__tablename__,
            object_id=obj.id,
            label=label[:200],
            actor_id=actor.id,
            reason=outcome.reason,
            kinds=sorted({kind for kinds in outcome.kinds.values() for kind in kinds}),
        )
    )


# Where each kind of object is shown: {object type: (endpoint, URL argument)}. Minutes are shown
# by their meeting.
PAGES = {
    "case_review": ("cases.show", "case_review_id"),
    "live_case": ("live_cases.show", "live_case_id"),
    "intervention": ("interventions.show", "intervention_id"),
    "lesson": ("lessons.show", "lesson_id"),
    "recommendation": ("lessons.recommendation", "recommendation_id"),
    "minutes": ("minutes.show", "meeting_id"),
}


@dataclass(frozen=True)
class SavedPastGuard:
    """One override as the home page lists it, with where the text is."""

    override: GuardOverride
    endpoint: str | None
    args: dict[str, int]


def latest_for_organiser(user: User, limit: int = LATEST) -> list[SavedPastGuard]:
    """The latest overrides on the panels the user organises, newest first, in one query;
    nothing about a case review withheld from them."""
    panels = access.panels_where(user, access.Action.SEE_GUARD_OVERRIDES)
    if not panels:
        return []
    withheld = access.withheld_case_ids(user)
    select = (
        db.select(GuardOverride, Minutes.meeting_id)
        .outerjoin(
            Minutes,
            sa.and_(GuardOverride.object_type == "minutes", Minutes.id == GuardOverride.object_id),
        )
        .options(joinedload(GuardOverride.actor), joinedload(GuardOverride.panel))
        .where(GuardOverride.panel_id.in_(panels))
        .order_by(GuardOverride.saved_at.desc(), GuardOverride.id.desc())
        .limit(limit)
    )
    if withheld:
        select = select.where(
            sa.or_(
                GuardOverride.case_review_id.is_(None),
                GuardOverride.case_review_id.not_in(withheld),
            )
        )
    rows = []
    for override, meeting_id in db.session.execute(select):
        endpoint, argument = PAGES.get(override.object_type, (None, ""))
        object_id = meeting_id if override.object_type == "minutes" else override.object_id
        if object_id is None:
            endpoint = None
        rows.append(SavedPastGuard(override, endpoint, {argument: object_id} if endpoint else {}))
    return rows


class OverrideRefused(Exception):
    """Someone who may not save past the guard tried to (a tampered form)."""


NOT_ALLOWED = (
    "Only the panel’s members, coordinator and chair can save text the personal-data guard stopped."
)


def check_override(
    actor, panel, outcome: GuardOutcome, refused: type[Exception] = OverrideRefused
) -> None:
    """Raise `refused` (each service passes its own refusal, so that its page shows the message
    beside the form) unless `actor` may save past the guard on `panel`. The form offers the
    override only to those who may; this holds whoever calls a service."""
    if outcome.overridden and not access.can(actor, access.Action.OVERRIDE_GUARD, panel):
        raise refused(NOT_ALLOWED)


def record_override(actor, obj, outcome: GuardOutcome, label: str) -> None:
    """Audit an override with its reason and the kinds found, never the text itself, and note
    it for the panel's chair and coordinator (`note`)."""
    if outcome.overridden:
        record(
            actor,
            AuditAction.GUARD_OVERRIDE,
            obj,
            label=label,
            changes={"reason": outcome.reason, "kinds": outcome.kinds},
        )
        note(actor, obj, outcome, label)
