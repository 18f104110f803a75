"""Matters arising: what earlier meetings of a panel left open, listed at each later meeting under
"minutes of the last meeting and matters arising" until it is closed.

Each kind of open item comes from a `Source`, so this module does not need to know every kind. A
source gives two functions: `open_items(panel, meeting, viewer)`, a query for the ids of the
panel's items open now that were raised before `meeting` started, with when each was raised
(columns ``id`` and ``raised_at``), leaving out what `viewer` may not see (None if the viewer may
see none; a `viewer` of None asks for the panel's record, every item, as the minutes need); and
`load(meeting, ids)`, those items as the agenda shows them, in one query.

Open actions (`ACTIONS`, here) are one source; recommendations (`panel.lessons.matters`) and
interventions (`panel.interventions.matters`) are others. The app factory lists every source in
the registry (`panel.app.contributions`); nothing registers itself on import.

A panel's open items grow with its history, so no page lists them all: the meeting page and the
minutes show the oldest `SHOWN` with how many there are in all, and the meeting's own page of
them (`/meetings/<id>/matters-arising`) is paginated. Either is one query for the page's ids
across every source, one (capped) count, and one query per source, however many items there are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask import url_for
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import joinedload

from panel.accounts.models import User
from panel.core import registry
from panel.core.database import utcnow
from panel.core.pagination import Shown, capped_count, page_number, paginate_rows
from panel.core.reminders import Count
from panel.core.time import UK
from panel.extensions import db
from panel.meetings.models import ActionStatus, Meeting, MeetingAction
from panel.panels.models import Panel


@dataclass(frozen=True)
class MatterArising:
    """One open item, as the agenda shows it.

    `url` is where to read or update the item. `close_url`, if set, is an address that closes
    it with a POST from this meeting's page; the page offers it to those who manage meetings.
    `case_reference` names the case review it follows from, if any, so that the minutes (which
    list items for the panel's record, whoever reads them) can withhold it from whoever declared
    an interest in that case.
    """

    kind: str
    description: str
    owner: str | None
    due_date: date | None
    raised_at: datetime
    url: str | None
    overdue: bool
    close_url: str | None = None
    case_reference: str | None = None


@dataclass(frozen=True)
class Source:
    """One kind of open item: see the module's docstring. `kind` orders items raised at the same
    moment (an action before an intervention before a recommendation)."""

    kind: str
    open_items: Callable[[Panel, Meeting, User | None], sa.Select | None]
    load: Callable[[Meeting, list[int]], list[MatterArising]]


# The meeting page and the minutes list this many, the oldest first, then say how many in all.
SHOWN = 25


def _keys(meeting: Meeting, viewer: User | None) -> sa.Select | None:
    """(source, id, raised_at, kind) of every open item `viewer` may see, across the sources."""
    parts = []
    for index, source in enumerate(registry.current().matters_arising):
        select = source.open_items(meeting.panel, meeting, viewer)
        if select is None:
            continue
        found = select.subquery()
        parts.append(
            sa.select(
                sa.literal(index).label("source"),
                found.c.id,
                found.c.raised_at,
                sa.literal(source.kind).label("kind"),
            )
        )
    if not parts:
        return None
    merged = sa.union_all(*parts).subquery()
    return sa.select(merged).order_by(merged.c.raised_at, merged.c.kind, merged.c.id)


def _items(meeting: Meeting, rows) -> list[MatterArising]:
    """The items whose keys are `rows`, in their order: one query per source (empty or not, so a
    page runs the same queries whatever it lists)."""
    rows = list(rows)
    found = {}
    for index, source in enumerate(registry.current().matters_arising):
        ids = [row.id for row in rows if row.source == index]
        for item_id, item in zip(ids, source.load(meeting, ids), strict=True):
            found[index, item_id] = item
    return [found[row.source, row.id] for row in rows]


def matters_arising(meeting: Meeting, viewer: User | None = None, limit: int = SHOWN) -> Shown:
    """The oldest `limit` open items raised at earlier meetings of the panel that `viewer` may
    see (every item, for the panel's record, when `viewer` is None), and how many there are."""
    keys = _keys(meeting, viewer)
    if keys is None:
        return Shown([], Count())
    rows = db.session.execute(keys.limit(limit))
    return Shown(_items(meeting, rows), capped_count(keys))


def matters_arising_page(meeting: Meeting, viewer: User) -> Pagination:
    """A page of every open item raised at earlier meetings that `viewer` may see, oldest first
    (the ``page`` query argument)."""
    keys = _keys(meeting, viewer)
    if keys is None:
        keys = sa.select(sa.literal(0).label("source"), sa.literal(0).label("id")).where(sa.false())
    return paginate_rows(
        keys,
        capped_count(keys),
        page=page_number(),
        per_page=SHOWN,
        load=lambda rows: _items(meeting, rows),
    )


def is_overdue(due_date: date | None, today: date | None = None) -> bool:
    return due_date is not None and due_date < (today or utcnow().astimezone(UK).date())


# --- Open actions ------------------------------------------------------------------------------


def _open_actions(panel: Panel, meeting: Meeting, viewer: User | None) -> sa.Select:
    return (
        db.select(MeetingAction.id, Meeting.starts_at.label("raised_at"))
        .join(MeetingAction.meeting)
        .where(
            MeetingAction.panel_id == panel.id,
            MeetingAction.status == ActionStatus.OPEN,
            Meeting.starts_at < meeting.starts_at,
        )
    )


def _load_actions(meeting: Meeting, ids: list[int]) -> list[MatterArising]:
    rows = db.session.scalars(
        db.select(MeetingAction)
        .options(joinedload(MeetingAction.owner_organisation), joinedload(MeetingAction.meeting))
        .where(MeetingAction.id.in_(ids))
    )
    by_id = {action.id: action for action in rows}
    return [
        MatterArising(
            kind="Action",
            description=action.description,
            owner=action.owner_organisation.name if action.owner_organisation else None,
            due_date=action.due_date,
            raised_at=action.meeting.starts_at,
            url=url_for("meetings.show", meeting_id=action.meeting_id, _anchor="actions"),
            overdue=is_overdue(action.due_date),
            close_url=url_for(
                "attendance.close_action", meeting_id=meeting.id, meeting_action_id=action.id
            ),
        )
        for action in (by_id[i] for i in ids)
    ]


ACTIONS = Source(kind="Action", open_items=_open_actions, load=_load_actions)
