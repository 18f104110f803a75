"""Read models for the admin pages: each list is one page of rows plus a fixed number of queries
for what the rows show (organisations, counts), however long the page."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import joinedload

from panel.accounts.models import Organisation, User
from panel.audit import AuditAction, AuditEvent
from panel.extensions import db
from panel.pagination import paginate
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
    return dict(rows.all())


def all_organisations() -> list[Organisation]:
    """Every organisation by name, for choosing a user's organisation."""
    return list(
        db.session.scalars(db.select(Organisation).order_by(sa.func.lower(Organisation.name)))
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
    return dict(rows.all())


def users_not_on(panel: Panel) -> list[User]:
    """Active users who could join `panel`, by name, with their organisations."""
    on_panel = db.select(Membership.user_id).where(Membership.panel_id == panel.id)
    return list(
        db.session.scalars(
            db.select(User)
            .options(joinedload(User.organisation))
            .where(User.active, User.id.not_in(on_panel))
            .order_by(User.full_name, User.id)
        )
    )


def audit_page(action: AuditAction | None = None, search: str | None = None) -> Pagination:
    """The audit trail, newest first; `search` matches part of the actor's e-mail or the object."""
    select = db.select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    if action is not None:
        select = select.where(AuditEvent.action == action)
    if search:
        term = search.lower()
        select = select.where(
            sa.or_(
                *(
                    sa.func.lower(column).contains(term, autoescape=True)
                    for column in (
                        AuditEvent.actor_email,
                        AuditEvent.object_type,
                        AuditEvent.object_label,
                    )
                )
            )
        )
    return paginate(select)
