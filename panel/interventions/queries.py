"""Read models for the local panels' pages, each in a fixed number of queries however many
cases or interventions a panel has."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app, g
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from panel import access
from panel.accounts.models import Organisation, User
from panel.core.database import utcnow
from panel.core.pagination import paginate, paginate_rows, reach
from panel.core.reminders import DueCounts, count_due, due_by
from panel.core.time import uk_today
from panel.extensions import db
from panel.interventions.models import Intervention, InterventionUpdate, LiveCase
from panel.interventions.vocabularies import (
    OPEN_INTERVENTION,
    InterventionStatus,
    LiveCaseStatus,
)
from panel.meetings.models import Meeting, MeetingStatus
from panel.panels.models import Membership, Panel, PanelKind, Role

# --- Live cases --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LiveCaseRow:
    live_case: LiveCase
    # Agreed or in progress, whoever owns them: the count tells no partner what they are.
    open_interventions: int


@dataclass(frozen=True)
class LiveCaseList:
    page: Pagination
    rows: list[LiveCaseRow]


def live_cases_of(panel: Panel, status: LiveCaseStatus | None) -> LiveCaseList:
    """A page of the panel's live cases with `status`, or those not closed yet when None:
    soonest review first, with their strands, needs and open interventions counted."""
    select = (
        db.select(LiveCase)
        .options(selectinload(LiveCase.strand_rows), selectinload(LiveCase.need_rows))
        .where(LiveCase.panel_id == panel.id)
        .order_by(LiveCase.review_date, LiveCase.id)
    )
    if status is None:
        select = select.where(LiveCase.status != LiveCaseStatus.CLOSED)
    else:
        select = select.where(LiveCase.status == status)
    page = paginate(select)
    counts = _open_interventions([live_case.id for live_case in page.items])
    rows = [LiveCaseRow(live_case, counts.get(live_case.id, 0)) for live_case in page.items]
    return LiveCaseList(page=page, rows=rows)


def _open_interventions(live_case_ids: list[int]) -> dict[int, int]:
    if not live_case_ids:
        return {}
    rows = db.session.execute(
        db.select(Intervention.live_case_id, sa.func.count(Intervention.id))
        .where(
            Intervention.live_case_id.in_(live_case_ids),
            Intervention.status.in_(OPEN_INTERVENTION),
        )
        .group_by(Intervention.live_case_id)
    )
    return {live_case_id: count for live_case_id, count in rows}


def review_overdue(live_case: LiveCase, today: date | None = None) -> bool:
    """An open case whose review date has passed: the panel should have looked at it again."""
    return live_case.status != LiveCaseStatus.CLOSED and live_case.review_date < (
        today or uk_today()
    )


def review_due_today(live_case: LiveCase, today: date | None = None) -> bool:
    return live_case.status != LiveCaseStatus.CLOSED and live_case.review_date == (
        today or uk_today()
    )


def intervention_overdue(intervention: Intervention, today: date | None = None) -> bool:
    """Still to be done and past its due date."""
    return intervention.status in OPEN_INTERVENTION and intervention.due_date < (
        today or uk_today()
    )


@dataclass(frozen=True)
class LiveCasePage:
    live_case: LiveCase
    # A page of the case's interventions, whoever owns them, in the order they were agreed (the
    # ``interventions_page`` query argument), each with its latest update (`with_latest_updates`).
    interventions: Pagination


def live_case_page(live_case: LiveCase) -> LiveCasePage:
    """Everything the case page shows: the case with its strands, needs and referrer, and a page
    of its interventions (one picture per live case: every member of the panel sees them all)."""
    db.session.scalars(
        db.select(LiveCase)
        .options(
            selectinload(LiveCase.strand_rows),
            selectinload(LiveCase.need_rows),
            joinedload(LiveCase.referred_by),
            joinedload(LiveCase.created_by),
        )
        .where(LiveCase.id == live_case.id)
        .execution_options(populate_existing=True)
    ).one()
    interventions = paginate(
        db.select(Intervention)
        .options(joinedload(Intervention.type), joinedload(Intervention.owner_organisation))
        .where(Intervention.live_case_id == live_case.id)
        .order_by(Intervention.id),
        arg="interventions_page",
    )
    with_latest_updates(interventions.items)
    return LiveCasePage(live_case=live_case, interventions=interventions)


def with_latest_updates(interventions: list[Intervention]) -> list[Intervention]:
    """`interventions`, each given `last_entry` (the newest update in its log, or None) and
    `last_worded` (the newest with words in it), with each author's organisation: one query,
    however long the logs. For lists; an intervention's own page reads its log a page at a
    time (`updates_page`)."""
    newest = (InterventionUpdate.at.desc(), InterventionUpdate.id.desc())
    ranked = (
        db.select(
            InterventionUpdate.id.label("update_id"),
            sa.func.row_number()
            .over(partition_by=InterventionUpdate.intervention_id, order_by=newest)
            .label("newest"),
            sa.func.row_number()
            .over(
                partition_by=(
                    InterventionUpdate.intervention_id,
                    InterventionUpdate.text.is_(None),
                ),
                order_by=newest,
            )
            .label("newest_of_kind"),
        )
        .where(InterventionUpdate.intervention_id.in_([i.id for i in interventions]))
        .subquery()
    )
    rows = db.session.scalars(
        db.select(InterventionUpdate)
        .options(joinedload(InterventionUpdate.author_organisation))
        .join(ranked, ranked.c.update_id == InterventionUpdate.id)
        .where(
            sa.or_(
                ranked.c.newest == 1,
                sa.and_(InterventionUpdate.text.is_not(None), ranked.c.newest_of_kind == 1),
            )
        )
        .order_by(*newest)
    )
    last_entry: dict[int, InterventionUpdate] = {}
    last_worded: dict[int, InterventionUpdate] = {}
    for update in rows:
        last_entry.setdefault(update.intervention_id, update)
        if update.text:
            last_worded.setdefault(update.intervention_id, update)
    # Set on each intervention for the templates (`last_update`), not mapped.
    for intervention in interventions:
        setattr(intervention, "last_entry", last_entry.get(intervention.id))  # noqa: B010
        setattr(intervention, "last_worded", last_worded.get(intervention.id))  # noqa: B010
    return interventions


def referring_organisations(panel: Panel, also: int | None = None) -> list[Organisation]:
    """Who can have referred a case to the panel: the organisations of its members (readers
    aside), and `also` (the case's referrer already, if any), by name. Bounded by the panel's
    membership, never by how many organisations there are nationally."""
    represented = (
        db.select(User.organisation_id)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.panel_id == panel.id, Membership.role != Role.READER)
    )
    condition: sa.ColumnElement[bool] = Organisation.id.in_(represented)
    if also is not None:
        condition = condition | (Organisation.id == also)
    return list(
        db.session.scalars(db.select(Organisation).where(condition).order_by(Organisation.name))
    )


# --- Interventions: their pages, a partner's list, a panel's list ------------------------------

# The meetings an intervention can be recorded as agreed at, around today.
AGREED_AT_PAST = timedelta(days=60)
AGREED_AT_FUTURE = timedelta(days=30)


def _intervention_options() -> list:
    return [
        joinedload(Intervention.panel),
        joinedload(Intervention.live_case),
        joinedload(Intervention.type),
        joinedload(Intervention.owner_organisation),
        joinedload(Intervention.lead),
        joinedload(Intervention.agreed_at),
        joinedload(Intervention.created_by),
    ]


def intervention_page(intervention: Intervention) -> Intervention:
    """The intervention with everything its page shows about it: its case or place, type,
    owner, lead and meeting (its log is read a page at a time: `updates_page`)."""
    return db.session.scalars(
        db.select(Intervention)
        .options(*_intervention_options())
        .where(Intervention.id == intervention.id)
        .execution_options(populate_existing=True)
    ).one()


def for_saving(intervention: Intervention) -> Intervention:
    """The intervention with its whole log, type, case and panel loaded before a save changes it:
    loading any of them afterwards would flush the change early, outside the service's check
    for a save that someone else's overtook."""
    updates = selectinload(Intervention.updates)
    return db.session.scalars(
        db.select(Intervention)
        .options(
            *_intervention_options(),
            updates.joinedload(InterventionUpdate.author),
            updates.joinedload(InterventionUpdate.author_organisation),
        )
        .where(Intervention.id == intervention.id)
        .execution_options(populate_existing=True)
    ).one()


def updates_page(intervention: Intervention) -> Pagination:
    """A page of the intervention's update log, oldest first (the ``updates_page`` query
    argument), with each author and their organisation on the day."""
    return paginate(
        db.select(InterventionUpdate)
        .options(
            joinedload(InterventionUpdate.author),
            joinedload(InterventionUpdate.author_organisation),
        )
        .where(InterventionUpdate.intervention_id == intervention.id)
        .order_by(InterventionUpdate.at, InterventionUpdate.id),
        arg="updates_page",
    )


def _sits_on(panel: Panel) -> sa.ColumnElement[bool]:
    """Someone is on the panel to carry an intervention out: an active member in any role but
    reader (readers only read published minutes)."""
    return sa.and_(
        Membership.panel_id == panel.id,
        Membership.role != Role.READER,
        User.active.is_(True),
    )


def owning_organisations(panel: Panel) -> list[Organisation]:
    """Who can own an intervention of the panel: the organisations represented on it by an
    active member, by name. Any other owner would be orphaned: nobody could see or update it."""
    represented = (
        db.select(User.organisation_id)
        .join(Membership, Membership.user_id == User.id)
        .where(_sits_on(panel))
    )
    return list(
        db.session.scalars(
            db.select(Organisation)
            .where(Organisation.id.in_(represented))
            .order_by(Organisation.name)
        )
    )


def sits_on_panel(panel: Panel, organisation: Organisation) -> bool:
    """Whether someone from `organisation` sits on the panel (see `owning_organisations`)."""
    return (
        db.session.scalar(
            db.select(Membership.id)
            .join(User, Membership.user_id == User.id)
            .where(_sits_on(panel), User.organisation_id == organisation.id)
            .limit(1)
        )
        is not None
    )


def listed_owners(panel: Panel) -> list[Organisation]:
    """The organisations a panel's list can be filtered by: those owning any of its
    interventions (a past owner may have left the panel since), by name."""
    owners = db.select(Intervention.owner_organisation_id).where(Intervention.panel_id == panel.id)
    return list(
        db.session.scalars(
            db.select(Organisation).where(Organisation.id.in_(owners)).order_by(Organisation.name)
        )
    )


def possible_leads(panel: Panel, organisation: Organisation | None = None) -> list[User]:
    """Who can lead an intervention: the panel's active members (readers only read minutes),
    from `organisation` if given, by organisation and name, with their organisations loaded."""
    select = (
        db.select(User)
        .join(Membership, Membership.user_id == User.id)
        .join(User.organisation)
        .options(contains_eager(User.organisation))
        .where(_sits_on(panel))
        .order_by(Organisation.name, User.full_name)
    )
    if organisation is not None:
        select = select.where(User.organisation_id == organisation.id)
    return list(db.session.scalars(select))


def agreeing_meetings(panel: Panel, now: datetime | None = None) -> list[Meeting]:
    """The panel's meetings an intervention can have been agreed at: held in the last 60 days or
    scheduled in the next 30, most recent first."""
    now = now or utcnow()
    return list(
        db.session.scalars(
            db.select(Meeting)
            .where(
                Meeting.panel_id == panel.id,
                Meeting.status != MeetingStatus.CANCELLED,
                Meeting.starts_at >= now - AGREED_AT_PAST,
                Meeting.starts_at <= now + AGREED_AT_FUTURE,
            )
            .order_by(Meeting.starts_at.desc())
        )
    )


def latest_update(intervention: Intervention) -> InterventionUpdate | None:
    """The newest entry in the log (agreeing it is the first)."""
    return intervention.updates[-1] if intervention.updates else None


RESTRICTED_UPDATE = "Restricted update: only {organisation} can read it"


def update_text(update: InterventionUpdate, reader: User) -> str | None:
    """What an update says, as `reader` may read it: a restricted update's text is replaced,
    for anyone outside the organisation that wrote it, by a line saying who can read it. Every
    page, list and file that shows update text goes through here."""
    if not update.text or access.reads_update(reader, update):
        return update.text
    organisation = update.author_organisation
    return RESTRICTED_UPDATE.format(
        organisation=organisation.name if organisation else "the organisation that wrote it"
    )


def latest_update_text(intervention: Intervention, reader: User) -> str | None:
    """What the newest entry with words in it says, as `reader` may read it."""
    latest = next((u for u in reversed(intervention.updates) if u.text), None)
    return update_text(latest, reader) if latest else None


def exports_case_text(user: User, panel: Panel) -> bool:
    """The chair and coordinator (who agree and reassign interventions) take what was agreed and
    the updates out of Panel in the CSV; a partner's file leaves the case text out."""
    return access.can(user, access.Action.MANAGE_LIVE_CASES, panel)


@dataclass(frozen=True)
class InterventionFilters:
    """What a panel's list of interventions is narrowed to."""

    status: InterventionStatus | None = None
    owner_organisation_id: int | None = None
    type_id: int | None = None
    overdue: bool = False
    logged_by_partner: bool = False
    today: date = field(default_factory=uk_today)


def panel_interventions_select(panel: Panel, filters: InterventionFilters) -> sa.Select:
    """The panel's interventions, filtered: open ones first, soonest due first. Every member of
    the panel sees them all (the route has checked they may)."""
    select = db.select(Intervention).where(Intervention.panel_id == panel.id)
    if filters.logged_by_partner:
        select = select.where(Intervention.logged_by_partner.is_(True))
    if filters.status is not None:
        select = select.where(Intervention.status == filters.status)
    if filters.owner_organisation_id is not None:
        select = select.where(Intervention.owner_organisation_id == filters.owner_organisation_id)
    if filters.type_id is not None:
        select = select.where(Intervention.type_id == filters.type_id)
    if filters.overdue:
        select = select.where(
            Intervention.status.in_(OPEN_INTERVENTION), Intervention.due_date < filters.today
        )
    return select.order_by(*_ORDER)


# Open ones first, soonest due first.
_ORDER = (
    sa.case((Intervention.status.in_(OPEN_INTERVENTION), 0), else_=1),
    Intervention.due_date,
    Intervention.id,
)


def _listed() -> list:
    return [
        joinedload(Intervention.live_case),
        joinedload(Intervention.type),
        joinedload(Intervention.owner_organisation),
        joinedload(Intervention.lead),
        joinedload(Intervention.agreed_at),
    ]


def panel_interventions(panel: Panel, filters: InterventionFilters) -> Pagination:
    """A page of the list: a count, the page's ids, the interventions and their latest updates,
    in four queries."""
    select = panel_interventions_select(panel, filters)
    page = paginate(
        select.with_only_columns(Intervention.id),
        few=_sorted,
        items=_open_first(select, filters, reach()),
    )
    listed = db.session.scalars(
        db.select(Intervention).where(Intervention.id.in_(page.items)).options(*_listed())
    )
    by_id = {intervention.id: intervention for intervention in listed}
    page.items = [by_id[intervention_id] for intervention_id in page.items]
    with_latest_updates(page.items)
    return page


def _open_first(select: sa.Select, filters: InterventionFilters, reach: int) -> sa.Select:
    """The ids of `select`'s interventions in its order (open ones first, then soonest due),
    as far as `reach` into the list: the open ones and the others each read soonest due first,
    through the panel's indexes by due date (one of the open ones only), as far as `reach`,
    then put together. Sorting by "open first" itself needs every intervention of the panel: a
    busy panel's 180,000 took 0.5 s a page, for the 4,700 open ones shown first. A status or
    "overdue" (open by definition) leaves one of the two."""
    is_open = Intervention.status.in_(OPEN_INTERVENTION)
    parts = [(0, is_open), (1, ~is_open)]
    if filters.status is not None:
        parts = [parts[0] if filters.status in OPEN_INTERVENTION else parts[1]]
    elif filters.overdue:
        parts = parts[:1]
    columns = (Intervention.id, Intervention.due_date)
    selects = [
        sa.select(
            select.where(condition)
            .with_only_columns(*columns, sa.literal(rank).label("rank"))
            .order_by(None)
            .order_by(Intervention.due_date, Intervention.id)
            .limit(reach)
            .subquery()
        )
        for rank, condition in parts
    ]
    listed = (sa.union_all(*selects) if len(selects) > 1 else selects[0]).subquery()
    return sa.select(listed.c.id).order_by(listed.c.rank, listed.c.due_date, listed.c.id)


def _sorted(select: sa.Select) -> sa.Select:
    """The ids of `select`'s interventions in its order, when there are few (its count stopped
    short of the cap): all found first, through whichever index serves the filters, then sorted
    (see `panel.core.pagination.paginate`)."""
    found = (
        select.with_only_columns(Intervention.id)
        .add_columns(*(clause.label(f"key_{n}") for n, clause in enumerate(_ORDER)))
        .order_by(None)
        .cte("found")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    return sa.select(found.c.id).order_by(*(found.c[f"key_{n}"] for n in range(len(_ORDER))))


def panel_interventions_all(panel: Panel, filters: InterventionFilters) -> Iterator[Intervention]:
    """Every intervention the filters select, with their logs, for the CSV export, loaded in
    batches."""
    logs = selectinload(Intervention.updates).joinedload(InterventionUpdate.author_organisation)
    select = panel_interventions_select(panel, filters).options(*_listed(), logs)
    return iter(db.session.scalars(select.execution_options(yield_per=500)))


# --- The organisers' home page: what partners logged lately ------------------------------------

# Bounded: the newest 20 from the last 30 days; the panel's list (filtered) has the rest.
PARTNER_LOGGED_LIMIT = 20
PARTNER_LOGGED_DAYS = 30


@dataclass(frozen=True)
class PartnerLogged:
    interventions: list[Intervention]
    # The panels they were logged on, by name: each gets a "see all" link to its list.
    panels: list[Panel]

    def __bool__(self) -> bool:
        return bool(self.interventions)


def logged_by_partners_for_organiser(user: User, now: datetime | None = None) -> PartnerLogged:
    """Interventions partners logged in the last 30 days on the local panels the user organises
    (chair or coordinator), newest first, at most 20: one query, or none for anyone else."""
    panel_ids = access.panels_where(user, access.Action.MANAGE_LIVE_CASES)
    if not panel_ids:
        return PartnerLogged([], [])
    since = (now or utcnow()) - timedelta(days=PARTNER_LOGGED_DAYS)
    rows = list(
        db.session.scalars(
            db.select(Intervention)
            .join(Intervention.panel)
            .options(
                contains_eager(Intervention.panel),
                joinedload(Intervention.live_case),
                joinedload(Intervention.type),
                joinedload(Intervention.owner_organisation),
                joinedload(Intervention.created_by),
            )
            .where(
                Intervention.panel_id.in_(panel_ids),
                Panel.kind == PanelKind.LOCAL_HATE_CRIME_PANEL,
                Intervention.logged_by_partner.is_(True),
                Intervention.created_at >= since,
            )
            .order_by(Intervention.created_at.desc(), Intervention.id.desc())
            .limit(PARTNER_LOGGED_LIMIT)
        )
    )
    panels = sorted({i.panel for i in rows}, key=lambda panel: panel.name)
    return PartnerLogged(interventions=rows, panels=panels)


# --- Following interventions up ----------------------------------------------------------------
# Following interventions up on the home page and the "Interventions" page: the open
# interventions a member's organisation owns, and for the chair and coordinator their panels'
# overdue ones. Each list is bounded and takes a fixed number of queries however many
# interventions there are (tests/interventions/test_organisation_work.py counts them at 5,000).


# The home page lists the most urgent this many, then links to the whole list.
HOME_LIMIT = 20
# The home page and the navigation count each group (overdue, due soon, later) this far, then
# say "more than 100": a count that stops costs the same however many there are.
HOME_COUNT_CAP = 100


def local_panels_of(user: User) -> list[int]:
    """The local panels where the user follows interventions (any role but reader), by id: from
    the memberships the access check loads once per request (the navigation asks on every
    page)."""
    kinds = access.panel_kinds_of(user)
    return [
        panel_id
        for panel_id in access.panels_where(user, access.Action.VIEW_INTERVENTION)
        if kinds[panel_id] == PanelKind.LOCAL_HATE_CRIME_PANEL
    ]


# --- What the user's organisation owns ---------------------------------------------------------


def _on_panels(panel_ids: list[int]) -> sa.ColumnElement[bool]:
    """On one of the panels. On SQLite, as a filter it cannot answer from an index, so that it
    reads the owner's index (ix_intervention_owner_status_due): without statistics (Panel never
    runs ANALYZE) it preferred the panel's index, and read every other organisation's
    interventions on the panel to count the few of the coordinator's own (2.6 ms instead of 0.1
    at 5,000). PostgreSQL's statistics choose well, and `panel_id + 0` would only blind them."""
    column: sa.SQLColumnExpression[int] = Intervention.panel_id
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
