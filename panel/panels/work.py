"""The home page's "Your organisation's work": what the member's organisation owes, interventions
and recommendations together, the most urgent first, with how many there are in all.

Bounded: the 20 due soonest of both kinds, then links to the full lists. Five queries however many
items there are (two counts, two lists, and the user's local panels, which the navigation asks for
too).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from panel import access
from panel.accounts.models import User
from panel.core.reminders import DueCounts
from panel.core.time import uk_today
from panel.interventions import follow_up as interventions
from panel.interventions.models import Intervention
from panel.lessons import queries as lessons
from panel.lessons.models import Recommendation

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
