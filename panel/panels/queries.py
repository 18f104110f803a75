"""Read models for panel pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from panel import access
from panel.accounts.models import Organisation, User
from panel.core.reminders import DueCounts
from panel.core.time import uk_today
from panel.extensions import db
from panel.interventions import queries as interventions
from panel.interventions.models import Intervention
from panel.lessons import queries as lessons
from panel.lessons.models import Recommendation
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


# --- An organisation's work on a member's home page --------------------------------------------
# The home page's "Your organisation's work": what the member's organisation owes, interventions
# and recommendations together, the most urgent first, with how many there are in all.
#
# Bounded: the 20 due soonest of both kinds, then links to the full lists. Five queries however many
# items there are (two counts, two lists, and the user's local panels, which the navigation asks for
# too).


LIMIT = interventions.HOME_LIMIT


@dataclass(frozen=True)
class WorkItem:
    """An intervention or a recommendation the organisation owns (exactly one of them is set)."""

    due_date: date
    overdue: bool
    intervention: Intervention | None = None
    recommendation: Recommendation | None = None


@dataclass(frozen=True)
class OrganisationWork:
    items: list[WorkItem]
    interventions: DueCounts
    recommendations: DueCounts
    # Whether the user sits on any panel in a role that owes work (not only as a reader).
    applies: bool = False

    @property
    def counts(self) -> DueCounts:
        return self.interventions + self.recommendations

    def __bool__(self) -> bool:
        return bool(self.counts.total)


def organisation_work(user: User, today: date | None = None) -> OrganisationWork:
    """The open interventions (on the local panels the user sits on) and recommendations
    waiting on the user's organisation (on the panels whose lessons they read), soonest due
    first (so the overdue lead), at most 20, with the counts of each kind by how soon due (each
    count stops past 100: "more than 100")."""
    if not access.panels_where(user, access.Action.VIEW_LESSONS):
        return OrganisationWork([], DueCounts(), DueCounts())
    today = today or uk_today()
    intervention_counts = interventions.organisation_counts(user, today)
    recommendation_counts = lessons.organisation_counts(user, today, interventions.HOME_COUNT_CAP)
    items = [
        WorkItem(i.due_date, i.due_date < today, intervention=i)
        for i in interventions.most_urgent_for_organisation(user, today, LIMIT)
    ]
    if recommendation_counts.total:
        items += [
            WorkItem(r.due_date, r.due_date < today, recommendation=r)
            for r in lessons.most_urgent_for_organisation(user, LIMIT)
        ]
    # Each list is already soonest first; together, the 20 soonest of both.
    items.sort(key=lambda item: (item.due_date, item.recommendation is not None))
    return OrganisationWork(items[:LIMIT], intervention_counts, recommendation_counts, applies=True)


def membership_by_id(membership_id: int) -> Membership | None:
    """The membership with this id, or None: for the admin area's pages about one."""
    return db.session.get(Membership, membership_id)
