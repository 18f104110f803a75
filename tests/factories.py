"""Builders for realistic objects, through the same services the app uses."""

from __future__ import annotations

import functools
import itertools

from panel.accounts.models import Organisation, OrganisationKind, User
from panel.extensions import db
from panel.panels.models import Membership, Panel, PanelKind, Role

PASSWORD = "correct horse battery staple"
_sequence = itertools.count(1)


@functools.cache
def _password_hash(password: str) -> str:
    # Argon2 is slow on purpose; hash each test password once per run.
    from panel.accounts.passwords import hash_password

    return hash_password(password)


def organisation(name: str | None = None, kind: OrganisationKind = OrganisationKind.CHARITY):
    org = Organisation(name=name or f"Community Support Trust {next(_sequence)}", kind=kind)
    db.session.add(org)
    db.session.commit()
    return org


def user(
    *,
    email: str | None = None,
    full_name: str = "Jordan Example",
    organisation_: Organisation | None = None,
    password: str = PASSWORD,
    is_admin: bool = False,
    is_demo: bool = False,
    active: bool = True,
) -> User:
    person = User(
        email=email or f"person{next(_sequence)}@example.org",
        full_name=full_name,
        organisation=organisation_ or organisation(),
        password_hash=_password_hash(password),
        is_admin=is_admin,
        is_demo=is_demo,
        active=active,
    )
    db.session.add(person)
    db.session.commit()
    return person


def panel(
    name: str | None = None,
    kind: PanelKind = PanelKind.LOCAL_HATE_CRIME_PANEL,
    area: str = "Coventry",
) -> Panel:
    new = Panel(name=name or f"Hate Crime Panel {next(_sequence)}", kind=kind, area=area)
    db.session.add(new)
    db.session.commit()
    return new


def membership(panel_: Panel, user_: User, role: Role) -> Membership:
    new = Membership(panel=panel_, user=user_, role=role)
    db.session.add(new)
    db.session.commit()
    return new
