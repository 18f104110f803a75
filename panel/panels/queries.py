"""Read models for panel pages."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from panel import access
from panel.accounts.models import Organisation, User
from panel.extensions import db
from panel.minutes.models import Minutes
from panel.panels.models import GuardOverride, Membership, Panel


def memberships_of(user: User) -> list[Membership]:
    """The panels a user sits on, with their role, by panel name."""
    return list(
        db.session.scalars(
            db.select(Membership)
            .join(Membership.panel)
            .options(joinedload(Membership.panel))
            .where(Membership.user_id == user.id)
            .order_by(Panel.name)
        )
    )


def members_of(panel: Panel) -> list[Membership]:
    """A panel's members with their organisations, by organisation then name."""
    return list(
        db.session.scalars(
            db.select(Membership)
            .join(Membership.user)
            .join(User.organisation)
            .options(joinedload(Membership.user).joinedload(User.organisation))
            .where(Membership.panel_id == panel.id)
            .order_by(Organisation.name, User.full_name)
        )
    )


# The most a home page lists of what was saved past the guard: the latest first.
LATEST_OVERRIDES = 20


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


def latest_for_organiser(user: User, limit: int = LATEST_OVERRIDES) -> list[SavedPastGuard]:
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
