"""Read models for the key messages pages: the current publication of a meeting's key messages,
and a panel's archive of them by year (one year a page, paginated, with the years that have
any), each in a fixed number of queries."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import undefer

from panel.core.pagination import paginate
from panel.core.time import UK
from panel.extensions import db
from panel.minutes.key_messages.models import KeyMessagesPublication
from panel.minutes.models import Minutes

_CURRENT = KeyMessagesPublication.superseded.is_(False)


def current_publication(
    minutes: Minutes, *, with_pdf: bool = False
) -> KeyMessagesPublication | None:
    """The key messages of the latest published version of `minutes`; None if it had none, or
    the minutes were never published."""
    select = db.select(KeyMessagesPublication).where(
        KeyMessagesPublication.minutes_id == minutes.id, _CURRENT
    )
    if with_pdf:
        select = select.options(undefer(KeyMessagesPublication.pdf))
    return db.session.scalar(select.limit(1))


def years_published(panel_id: int) -> list[int]:
    """The years of the meetings whose key messages the panel published, newest first: one row
    per year of the panel's life. (The UK is on GMT at the turn of the year, so the year in UTC
    is the year in the UK.)"""
    year = sa.extract("year", KeyMessagesPublication.meeting_starts_at)
    return [
        int(value)
        for value in db.session.scalars(
            db.select(year)
            .where(KeyMessagesPublication.panel_id == panel_id, _CURRENT)
            .group_by(year)
            .order_by(year.desc())
        )
    ]


def archive_page(panel_id: int, year: int) -> Pagination:
    """A page of the panel's current key messages from meetings in `year` (UK time), newest
    meeting first."""
    start = datetime(year, 1, 1, tzinfo=UK)
    end = datetime(year + 1, 1, 1, tzinfo=UK)
    select = (
        db.select(KeyMessagesPublication)
        .where(
            KeyMessagesPublication.panel_id == panel_id,
            _CURRENT,
            KeyMessagesPublication.meeting_starts_at >= start,
            KeyMessagesPublication.meeting_starts_at < end,
        )
        .order_by(KeyMessagesPublication.meeting_starts_at.desc(), KeyMessagesPublication.id)
    )
    return paginate(select)


def has_any(panel_id: int) -> bool:
    return bool(
        db.session.scalar(
            sa.select(sa.exists().where(KeyMessagesPublication.panel_id == panel_id, _CURRENT))
        )
    )
