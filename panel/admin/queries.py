"""Read models for the admin pages: each list is one page of rows plus a fixed number of queries
for what the rows show (organisations, counts), however long the page."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import joinedload
from werkzeug.datastructures import MultiDict

from panel.accounts.models import Organisation, User
from panel.core.audit import AuditAction, AuditEvent
from panel.core.pagination import Shown, first, paginate
from panel.core.time import UK
from panel.extensions import db
from panel.panels.models import Membership, Panel


def organisations_page() -> Pagination:
    return paginate(db.select(Organisation).order_by(sa.func.lower(Organisation.name)))


def user_counts(organisations: Iterable[Organisation]) -> dict[int, int]:
    """{organisation id: number of users} for the organisations on a page."""
    ids = [organisation.id for organisation in organisations]
    rows = db.session.execute(
        db.select(User.organisation_id, sa.func.count(User.id))
        .where(User.organisation_id.in_(ids))
        .group_by(User.organisation_id)
    )
    return dict(rows.tuples().all())


def organisation_named(name: str) -> Organisation | None:
    """The organisation called `name`, whatever its capitals and spaces around it, or None."""
    return db.session.scalar(
        db.select(Organisation).where(sa.func.lower(Organisation.name) == name.strip().lower())
    )


# A name that is not quite right offers at most this many organisations whose names hold it.
SUGGESTED = 5
# Organisations' names are a few words: the suggestions look for the first this many distinct
# words typed, so that a pasted page of text is not thousands of conditions in one query.
SUGGESTION_WORDS = 8


def organisations_like(name: str) -> list[Organisation]:
    """Organisations whose names hold every word of `name`, by name: what the admin may have
    meant (at most SUGGESTED)."""
    words = list(dict.fromkeys(name.lower().split()))[:SUGGESTION_WORDS]
    if not words:
        return []
    select = db.select(Organisation).where(
        *(sa.func.lower(Organisation.name).contains(word, autoescape=True) for word in words)
    )
    return list(
        db.session.scalars(select.order_by(sa.func.lower(Organisation.name)).limit(SUGGESTED))
    )


def users_page(search: str | None = None) -> Pagination:
    """Users by name with their organisations; `search` matches part of a name or e-mail."""
    select = (
        db.select(User).options(joinedload(User.organisation)).order_by(User.full_name, User.id)
    )
    if search:
        term = search.lower()
        select = select.where(
            sa.or_(
                sa.func.lower(User.full_name).contains(term, autoescape=True),
                sa.func.lower(User.email).contains(term, autoescape=True),
            )
        )
    return paginate(select)


def panels_page() -> Pagination:
    return paginate(db.select(Panel).order_by(sa.func.lower(Panel.name)))


def member_counts(panels: Iterable[Panel]) -> dict[int, int]:
    """{panel id: number of members} for the panels on a page."""
    ids = [panel.id for panel in panels]
    rows = db.session.execute(
        db.select(Membership.panel_id, sa.func.count(Membership.id))
        .where(Membership.panel_id.in_(ids))
        .group_by(Membership.panel_id)
    )
    return dict(rows.tuples().all())


# The add-member page offers at most this many people: those matching the search, or those whose
# accounts were made most recently (often the person just added, to put on a panel).
ADDABLE_SHOWN = 20


def _addable(panel: Panel) -> sa.Select:
    on_panel = db.select(Membership.user_id).where(Membership.panel_id == panel.id)
    return (
        db.select(User)
        .options(joinedload(User.organisation))
        .where(User.active, User.id.not_in(on_panel))
    )


def people_to_add(panel: Panel, search: str | None = None) -> Shown:
    """Active people who could join `panel`, with their organisations: those whose name or
    e-mail address holds `search` (by name), or without one the newest accounts, at most
    ADDABLE_SHOWN, with how many there are in all."""
    select = _addable(panel)
    if search:
        term = search.lower()
        select = select.where(
            sa.or_(
                sa.func.lower(User.full_name).contains(term, autoescape=True),
                sa.func.lower(User.email).contains(term, autoescape=True),
            )
        ).order_by(User.full_name, User.id)
    else:
        select = select.order_by(User.created_at.desc(), User.id.desc())
    return first(select, ADDABLE_SHOWN)


def person_to_add(panel: Panel, user_id: int | None) -> User | None:
    """The person with this id, if they could join `panel` (active, not on it yet)."""
    if user_id is None:
        return None
    return db.session.scalar(_addable(panel).where(User.id == user_id))


@dataclass(frozen=True)
class AuditFilters:
    """What the admin narrows the trail to; None means any. Dates are UK calendar days."""

    action: AuditAction | None = None
    # Part of the actor's e-mail (as recorded), or of the object's type or name.
    search: str | None = None
    actor_id: int | None = None
    # The actor's organisation now: events record the person, not where they worked then.
    organisation_id: int | None = None
    object_type: str | None = None
    object_id: int | None = None
    occurred_from: date | None = None
    occurred_to: date | None = None

    def described(self) -> dict[str, str | int]:
        """The filters in use, for the record of an export."""
        return {
            name: value.value if isinstance(value, AuditAction) else _plain(value)
            for name, value in dataclasses.asdict(self).items()
            if value not in (None, "")
        }


def _plain(value):
    return value.isoformat() if isinstance(value, date) else value


def _uk_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UK)


def audit_select(filters: AuditFilters) -> sa.Select:
    """The events the filters select, newest first."""
    select = db.select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    if filters.action is not None:
        select = select.where(AuditEvent.action == filters.action)
    if filters.search:
        term = filters.search.lower()
        # On PostgreSQL, trigram indexes find part of an e-mail or a name (migrations 0022 and
        # 0023); an object named by the actor's own address is found by the address.
        matches = [
            sa.func.lower(AuditEvent.actor_email).contains(term, autoescape=True),
            sa.and_(
                AuditEvent.object_label.is_distinct_from(AuditEvent.actor_email),
                sa.func.lower(AuditEvent.object_label).contains(term, autoescape=True),
            ),
        ]
        # A kind of object is a table's name: the kinds whose name holds the term are listed
        # here, and their events found through the index on object_type, rather than by reading
        # every event's. An event recorded under a table's former name matches what the name
        # now matches.
        kinds = [
            name
            for name in [*object_types(), *FORMER_OBJECT_TYPES]
            if term in name or term in object_type_now(name)
        ]
        if kinds:
            matches.append(AuditEvent.object_type.in_(kinds))
        select = select.where(sa.or_(*matches))
    if filters.actor_id is not None:
        select = select.where(AuditEvent.actor_id == filters.actor_id)
    if filters.organisation_id is not None:
        select = select.where(
            AuditEvent.actor_id.in_(
                db.select(User.id).where(User.organisation_id == filters.organisation_id)
            )
        )
    if filters.object_type is not None:
        select = select.where(AuditEvent.object_type.in_(recorded_as(filters.object_type)))
    if filters.object_id is not None:
        select = select.where(AuditEvent.object_id == filters.object_id)
    if filters.occurred_from is not None:
        select = select.where(AuditEvent.occurred_at >= _uk_midnight(filters.occurred_from))
    if filters.occurred_to is not None and filters.occurred_to < date.max:
        next_day = _uk_midnight(filters.occurred_to + timedelta(days=1))
        select = select.where(AuditEvent.occurred_at < next_day)
    return select


def filter_args(args: MultiDict[str, str]) -> dict[str, list[str]]:
    """The filters of a request for the audit trail (`args`), to link to every page of exactly
    these filters (its CSV): never the page, nor url_for's own options (_external, _scheme)."""
    return {
        key: values for key, values in args.lists() if key != "page" and not key.startswith("_")
    }


def audit_page(filters: AuditFilters) -> Pagination:
    """A page of the trail, newest first."""
    return paginate(audit_select(filters))


@dataclass(frozen=True)
class Actor:
    name: str
    organisation: str


def actors_of(events: Iterable[AuditEvent]) -> dict[int, Actor]:
    """{user id: name and organisation now} for the actors of a page of events, in one query."""
    ids = {event.actor_id for event in events if event.actor_id is not None}
    if not ids:
        return {}
    rows = db.session.execute(
        db.select(User.id, User.full_name, Organisation.name)
        .join(Organisation, Organisation.id == User.organisation_id)
        .where(User.id.in_(ids))
    )
    return {user_id: Actor(name, organisation) for user_id, name, organisation in rows}


def audit_export_rows(filters: AuditFilters) -> Iterator[tuple[AuditEvent, str | None, str | None]]:
    """Every event the filters select, newest first, with its actor's name and organisation now,
    read in batches for the CSV export."""
    select = (
        audit_select(filters)
        .add_columns(User.full_name, Organisation.name)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .execution_options(yield_per=500)
    )
    return iter(db.session.execute(select).tuples())


# What the trail's events can be about: the app's tables, but never the trail itself.
NOT_OBJECTS = frozenset({"audit_event", "audit_chain_head"})


def object_types() -> list[str]:
    """Every kind of object an event can be about (table names, as `record` writes them)."""
    return sorted(name for name in db.metadata.tables if name not in NOT_OBJECTS)


# Kinds of object the trail recorded under a table's former name: {former name: name now}. The
# trail is append-only and hash-chained, so its events keep the name they were written with, and
# the page reads them as the same kind of object as the table's events now.
FORMER_OBJECT_TYPES = {
    "panel_case": "live_case",  # migration 0021
}


def object_type_now(name: str) -> str:
    """The kind of object an event recorded as `name` is about, under its table's name now."""
    return FORMER_OBJECT_TYPES.get(name, name)


def recorded_as(name: str) -> list[str]:
    """Every object type the trail may hold for the kind of object `name`: itself and any
    former names, e.g. ["live_case", "panel_case"]."""
    return [name, *(old for old, now in FORMER_OBJECT_TYPES.items() if now == name)]


def object_type_label(name: str) -> str:
    """How the page names a kind of object, e.g. "Live case" (for "live_case" or "panel_case")."""
    return object_type_now(name).replace("_", " ").capitalize()
