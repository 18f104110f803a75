"""Optimistic locking: two people saving the same record at once never overwrite each other.

A versioned record (a recommendation, a live case, an intervention, minutes) carries a version
number that SQLAlchemy raises on every update (`version_id_col`). A form carries the version it
was drawn from: `check_version` refuses a save made from an older one, and `saving` refuses the
rarer clash where another save commits between that check and this one. Either way the person
sees what the record says now and keeps their text in the form; nothing is half-saved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy.orm.exc import StaleDataError

from panel.extensions import db


def seen_version(value) -> int:
    """The version a form was drawn from, as its hidden field holds it; anything else typed there
    is no version at all, which `check_version` refuses as someone else's save."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def check_version(current: int, seen: int, refused: Callable[[], Exception]) -> None:
    """Refuse a change made from a form drawn before the record last changed."""
    if current != seen:
        raise refused()


@contextmanager
def saving(refused: Callable[[], Exception]) -> Iterator[None]:
    """Make a versioned change and flush it. Nothing is flushed before (reading a relationship
    would otherwise write early), so a clash with another save surfaces here, and the unit of
    work is rolled back and refused with a clear message, never a 500."""
    try:
        with db.session.no_autoflush:
            yield
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise refused() from None
