"""Reading the audit trail back for people on panels: who has opened a case.

Case material is need-to-know, so every opening of a case review or a live case is an audit event
(AuditAction.VIEW). The chair of the case's panel answers for who sees it, and reads those events
here; administrators read the whole trail in the admin area (panel/admin/queries.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from panel.accounts.models import Organisation, User
from panel.audit import AuditAction, AuditEvent
from panel.extensions import db

# Enough for a chair to see who has been reading a case lately; the full record is the trail's.
CASE_VIEWS_SHOWN = 50


@dataclass(frozen=True)
class CaseView:
    """One opening of a case: by whom (their name now, or the e-mail recorded if their account
    has gone), from which organisation, and when."""

    person: str
    email: str | None
    organisation: str | None
    at: datetime


@dataclass(frozen=True)
class CaseViews:
    """The latest openings of a case, most recent first, and how many there have been in all."""

    views: list[CaseView]
    total: int
    people: int

    @property
    def more(self) -> int:
        """How many earlier openings are not listed."""
        return self.total - len(self.views)


def case_views(case, limit: int | None = None) -> CaseViews:
    """Who has opened `case` (a case review or a live case), most recent first: at most `limit`
    openings (CASE_VIEWS_SHOWN unless given), with the total and the number of different people.
    Two queries at most (one when there are fewer than `limit`), served by the trail's index on
    (object_type, object_id)."""
    limit = limit or CASE_VIEWS_SHOWN
    opened = (
        AuditEvent.action == AuditAction.VIEW,
        AuditEvent.object_type == case.__tablename__,
        AuditEvent.object_id == case.id,
    )
    rows = db.session.execute(
        sa.select(AuditEvent.occurred_at, AuditEvent.actor_id, AuditEvent.actor_email)
        .add_columns(User.full_name, Organisation.name)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .outerjoin(Organisation, Organisation.id == User.organisation_id)
        .where(*opened)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(limit)
    ).all()
    views = [
        CaseView(
            person=full_name or email or "Unknown",
            email=email,
            organisation=organisation,
            at=occurred_at,
        )
        for occurred_at, _, email, full_name, organisation in rows
    ]
    if len(rows) < limit:
        people = {row.actor_id for row in rows if row.actor_id is not None}
        return CaseViews(views, len(rows), len(people))
    total, people = db.session.execute(
        sa.select(sa.func.count(), sa.func.count(sa.distinct(AuditEvent.actor_id))).where(*opened)
    ).one()
    return CaseViews(views, total, people)
