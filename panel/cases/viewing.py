"""The viewing record: who has opened which case, one row per person per case per UK day.

Case material is need-to-know, so the chair of a case's panel answers for who sees it, and reads
"Who has viewed this case" from here. A row counts the day's openings (first and last time and how
many), so reloading a page adds to a count instead of a line. The audit trail stays the
authoritative record of who opened what: it gets one VIEW event per person per case per day,
written when the day's row is created. Administrators read those in the admin area.

Its own module, beside panel/audit.py rather than in either case package, because case reviews and
live cases share it (`object_type` is the case's table name, as in the audit trail).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from panel.accounts.models import Organisation, User
from panel.core.audit import AuditAction, record
from panel.core.database import UTCDateTime, utcnow
from panel.core.pagination import paginate_rows
from panel.core.time import UK
from panel.extensions import db

CASE_TYPES = ("case_review", "live_case")
# People listed per page of "Who has viewed this case".
VIEWERS_PER_PAGE = 20
VIEWERS_PAGE_ARG = "viewers_page"


class CaseView(db.Model):
    """One person's openings of one case on one UK calendar day."""

    __tablename__ = "case_view"
    # The unique constraint's index leads with (object_type, object_id): it also serves reading a
    # case's viewers, grouped by user_id, so no second index is kept up to date on every view.
    __table_args__ = (sa.UniqueConstraint("object_type", "object_id", "user_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # "case_review" or "live_case": the case's table name, as in the audit trail.
    object_type: Mapped[str] = mapped_column(sa.String(20))
    object_id: Mapped[int]
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    day: Mapped[date]
    first_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_at: Mapped[datetime] = mapped_column(UTCDateTime())
    count: Mapped[int] = mapped_column(default=1)


_INSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


def count_view(actor: User, case, at: datetime | None = None) -> int:
    """Count an opening of `case` by `actor` at `at` (now unless given) in the day's row, and
    return how many openings the row now holds (1 for the day's first). One atomic statement
    (INSERT ... ON CONFLICT DO UPDATE), so two pages loading at once both count, neither fails
    on the unique constraint, and exactly one of them sees 1."""
    assert case.__tablename__ in CASE_TYPES, case
    at = at or utcnow()
    insert = _INSERT[db.session.get_bind().dialect.name](CaseView).values(
        object_type=case.__tablename__,
        object_id=case.id,
        user_id=actor.id,
        day=at.astimezone(UK).date(),
        first_at=at,
        last_at=at,
        count=1,
    )
    upsert = insert.on_conflict_do_update(
        index_elements=["object_type", "object_id", "user_id", "day"],
        set_={"count": CaseView.count + 1, "last_at": insert.excluded.last_at},
    ).returning(CaseView.count)
    return db.session.scalar(upsert)


def record_view(actor: User, case, label: str, at: datetime | None = None) -> None:
    """Record an opening of `case` (a case review or a live case) and commit: the viewing record
    counts it, and the day's first opening by this person is also an audit VIEW event."""
    at = at or utcnow()
    if count_view(actor, case, at) == 1:
        # At the same moment as the row's first_at.
        record(actor, AuditAction.VIEW, case, label=label).occurred_at = at
    db.session.flush()


def delete_views(case) -> None:
    """Delete the viewing record of `case` (its case detail is being deleted); the audit trail
    keeps its VIEW events."""
    db.session.execute(
        sa.delete(CaseView).where(
            CaseView.object_type == case.__tablename__, CaseView.object_id == case.id
        )
    )


# --- Who has viewed a case ---------------------------------------------------------------------


@dataclass(frozen=True)
class Viewer:
    """One person's openings of a case: their name now, their organisation, when they first and
    last opened it, and how many times."""

    person: str
    organisation: str | None
    first_at: datetime
    last_at: datetime
    count: int


@dataclass(frozen=True)
class CaseViewers:
    """A page of the people who have opened a case, latest viewer first, with the totals."""

    page: Pagination  # of Viewer
    total: int  # openings, by everyone
    people: int


def case_viewers(case, page: int = 1) -> CaseViewers:
    """Who has opened `case`, one line per person, the most recently seen first: page `page` of
    VIEWERS_PER_PAGE people. Two queries however long the history (the totals, then the page),
    served by the unique index on (object_type, object_id, user_id, day)."""
    of_case = (CaseView.object_type == case.__tablename__, CaseView.object_id == case.id)
    total, people = db.session.execute(
        sa.select(
            sa.func.coalesce(sa.func.sum(CaseView.count), 0),
            sa.func.count(sa.distinct(CaseView.user_id)),
        ).where(*of_case)
    ).one()
    per_person = (
        sa.select(
            CaseView.user_id,
            sa.func.min(CaseView.first_at).label("first_at"),
            sa.func.max(CaseView.last_at).label("last_at"),
            sa.func.sum(CaseView.count).label("count"),
        )
        .where(*of_case)
        .group_by(CaseView.user_id)
        .subquery()
    )
    rows = (
        sa.select(
            User.full_name,
            User.email,
            Organisation.name,
            per_person.c.first_at,
            per_person.c.last_at,
            per_person.c.count,
        )
        .join(User, User.id == per_person.c.user_id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .order_by(per_person.c.last_at.desc(), per_person.c.user_id)
    )
    pagination = paginate_rows(rows, people, page=page, per_page=VIEWERS_PER_PAGE, item=_viewer)
    return CaseViewers(pagination, total, people)


def _viewer(row) -> Viewer:
    full_name, email, organisation, first_at, last_at, count = row
    return Viewer(full_name or email, organisation, first_at, last_at, count)
