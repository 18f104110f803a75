"""Following interventions up on the home page and the "Interventions" page: the open
interventions a member's organisation owns, and for the chair and coordinator their panels'
overdue ones. Each list is bounded and takes a fixed number of queries however many
interventions there are (tests/interventions/test_organisation_work.py counts them at 5,000)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask import current_app, g
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import joinedload

from panel import access
from panel.accounts.models import User
from panel.core.pagination import paginate_rows
from panel.core.reminders import DueCounts, count_due, due_by
from panel.core.time import uk_today
from panel.extensions import db
from panel.interventions.models import Intervention
from panel.interventions.vocabularies import OPEN_INTERVENTION
from panel.panels.models import Panel, PanelKind

# The home page lists the most urgent this many, then links to the whole list.
HOME_LIMIT = 20
# The home page and the navigation count each group (overdue, due soon, later) this far, then
# say "more than 100": a count that stops costs the same however many there are.
HOME_COUNT_CAP = 100


def local_panels_of(user: User) -> list[int]:
    """The local panels where the user follows interventions (any role but reader), in one
    query, once per request: the navigation asks on every page."""
    panel_ids = access.panels_where(user, access.Action.VIEW_INTERVENTION)
    if not panel_ids:
        return []
    cache = g.setdefault("_local_panels", {})
    if user.id not in cache:
        cache[user.id] = list(
            db.session.scalars(
                db.select(Panel.id)
                .where(Panel.id.in_(panel_ids), Panel.kind == PanelKind.LOCAL_HATE_CRIME_PANEL)
                .order_by(Panel.id)
            )
        )
    return cache[user.id]


# --- What the user's organisation owns ---------------------------------------------------------


def _on_panels(panel_ids: list[int]) -> sa.ColumnElement[bool]:
    """On one of the panels. On SQLite, as a filter it cannot answer from an index, so that it
    reads the owner's index (ix_intervention_owner_status_due): without statistics (Panel never
    runs ANALYZE) it preferred the panel's index, and read every other organisation's
    interventions on the panel to count the few of the coordinator's own (2.6 ms instead of 0.1
    at 5,000). PostgreSQL's statistics choose well, and `panel_id + 0` would only blind them."""
    column = Intervention.panel_id
    if db.session.get_bind().dialect.name == "sqlite":
        column = column + 0
    return column.in_(panel_ids)


def _organisation_owns(user: User, panel_ids: list[int]) -> list[sa.ColumnElement[bool]]:
    return [
        Intervention.owner_organisation_id == user.organisation_id,
        Intervention.status.in_(OPEN_INTERVENTION),
        _on_panels(panel_ids),
    ]


def organisation_counts(
    user: User, today: date | None = None, cap: int | None = HOME_COUNT_CAP
) -> DueCounts:
    """How many open interventions the user's organisation owns on the local panels the user
    sits on, by how soon they are due, each counted up to `cap` (None: all of them). One query,
    once per request: the navigation shows the overdue ones on every page."""
    panel_ids = local_panels_of(user)
    if not panel_ids:
        return DueCounts()
    today = today or uk_today()
    cache = g.setdefault("_organisation_intervention_counts", {})
    key = (user.id, today, cap)
    if key not in cache:
        owned = db.select(Intervention).where(*_organisation_owns(user, panel_ids))
        cache[key] = count_due(owned, Intervention.due_date, today, cap)
    return cache[key]


def _soonest(where: list[sa.ColumnElement[bool]], branches, first: int) -> sa.Subquery:
    """The ids and due dates of the `first` rows matching `where` that are due soonest (then by
    id), for one query that returns them in that order.

    One branch per condition in `branches` (each status, or each panel and status), each limited
    to its own soonest `first`, then merged: with the leading columns of an index fixed by
    equality, each branch reads its rows in the index's order and stops, where a single `IN`
    over statuses would have the database sort every match (5,000 rows to show 20)."""
    parts = [
        db.select(Intervention.id, Intervention.due_date)
        .where(*where, *branch)
        .order_by(Intervention.due_date, Intervention.id)
        .limit(first)
        .subquery()
        for branch in branches
    ]
    merged = sa.union_all(*(db.select(part.c.id, part.c.due_date) for part in parts)).subquery()
    return db.select(merged.c.id).order_by(merged.c.due_date, merged.c.id).limit(first).subquery()


def _by_status(user: User) -> list[list[sa.ColumnElement[bool]]]:
    # Owner and status fixed: ix_intervention_owner_status_due then gives the due date order.
    return [
        [Intervention.owner_organisation_id == user.organisation_id, Intervention.status == s]
        for s in sorted(OPEN_INTERVENTION, key=lambda s: s.value)
    ]


def _loaded(ids: sa.Subquery) -> sa.Select:
    return (
        db.select(Intervention)
        .join(ids, ids.c.id == Intervention.id)
        .options(
            joinedload(Intervention.panel),
            joinedload(Intervention.live_case),
            joinedload(Intervention.type),
            joinedload(Intervention.lead),
            joinedload(Intervention.owner_organisation),
        )
        .order_by(Intervention.due_date, Intervention.id)
    )


def most_urgent_for_organisation(
    user: User, today: date | None = None, limit: int = HOME_LIMIT
) -> list[Intervention]:
    """The `limit` open interventions of the user's organisation due soonest (overdue first), on
    the local panels the user sits on; one query, none when the counts say there are none."""
    panel_ids = local_panels_of(user)
    if not panel_ids or not organisation_counts(user, today).total:
        return []
    return list(db.session.scalars(most_urgent_select(user, panel_ids, limit)))


def most_urgent_select(user: User, panel_ids: list[int], limit: int) -> sa.Select:
    """The query of `most_urgent_for_organisation` (tests/bench_home.py prints its plan)."""
    return _loaded(_soonest([_on_panels(panel_ids)], _by_status(user), limit))


@dataclass(frozen=True)
class OrganisationInterventions:
    """A page of the organisation's open interventions, grouped by how soon they are due, with
    how many there are in each group across every page."""

    counts: DueCounts
    page: Pagination | None = None
    overdue: list[Intervention] = field(default_factory=list)
    due_soon: list[Intervention] = field(default_factory=list)
    later: list[Intervention] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.counts.total)

    @property
    def all(self) -> list[Intervention]:
        return self.overdue + self.due_soon + self.later


def organisation_interventions(
    user: User, today: date | None = None, page: int = 1
) -> OrganisationInterventions:
    """Page `page` (`panel.core.pagination.page_number`) of the open interventions (agreed, in
    progress) the user's organisation owns on every local panel the user sits on, soonest due
    first, grouped "overdue" (before `today`), "due within 14 days" and "later", with the count
    of each group (all of them: this is the whole list). Two queries; a page past the end is Not
    Found."""
    today = today or uk_today()
    counts = organisation_counts(user, today, cap=None)
    if not counts.total:
        return OrganisationInterventions(counts)
    per_page = current_app.config["PAGE_SIZE"]
    # Each branch needs the rows up to the end of this page; the page is the last `per_page`.
    ids = _soonest([_on_panels(local_panels_of(user))], _by_status(user), page * per_page)
    found = paginate_rows(
        _loaded(ids), counts.total.n, page=page, per_page=per_page, item=lambda row: row[0]
    )
    soon = due_by(today)
    return OrganisationInterventions(
        counts=counts,
        page=found,
        overdue=[i for i in found.items if i.due_date < today],
        due_soon=[i for i in found.items if today <= i.due_date <= soon],
        later=[i for i in found.items if i.due_date > soon],
    )


# --- For the chair and coordinator: their panels' overdue interventions ------------------------


@dataclass(frozen=True)
class PanelOverdue:
    panel_id: int
    panel_name: str
    count: int


@dataclass(frozen=True)
class OrganiserOverdue:
    """The most overdue interventions on the panels the user organises, and how many are overdue
    on each panel (for a "see all" link to that panel's list, filtered)."""

    interventions: list[Intervention]
    by_panel: list[PanelOverdue]

    def __bool__(self) -> bool:
        return bool(self.interventions)

    @property
    def total(self) -> int:
        return sum(panel.count for panel in self.by_panel)


def overdue_for_organiser(
    user: User, today: date | None = None, limit: int = HOME_LIMIT
) -> OrganiserOverdue:
    """Open interventions past their due date on the local panels the user organises: the
    `limit` most overdue, and the count on each panel. Two queries, none for anyone else."""
    panels = access.panels_where(user, access.Action.MANAGE_LIVE_CASES)
    if not panels:
        return OrganiserOverdue([], [])
    overdue = [
        Intervention.panel_id.in_(panels),
        Intervention.status.in_(OPEN_INTERVENTION),
        Intervention.due_date < (today or uk_today()),
    ]
    by_panel = [
        PanelOverdue(*row)
        for row in db.session.execute(
            db.select(Panel.id, Panel.name, sa.func.count())
            .join(Intervention, Intervention.panel_id == Panel.id)
            .where(*overdue)
            .group_by(Panel.id, Panel.name)
            .order_by(Panel.name)
        )
    ]
    if not by_panel:
        return OrganiserOverdue([], [])
    # Panel and status fixed: ix_intervention_panel_status_due gives the due date order.
    branches = [
        [Intervention.panel_id == panel.panel_id, Intervention.status == status]
        for panel in by_panel
        for status in sorted(OPEN_INTERVENTION, key=lambda s: s.value)
    ]
    ids = _soonest([Intervention.due_date < (today or uk_today())], branches, limit)
    return OrganiserOverdue(list(db.session.scalars(_loaded(ids))), by_panel)
