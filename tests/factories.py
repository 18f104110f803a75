"""Builders for realistic objects, through the same services the app uses."""

from __future__ import annotations

import functools
import itertools

import pyotp
import sqlalchemy as sa

from panel import access
from panel.accounts.models import Organisation, OrganisationKind, User
from panel.core import encryption
from panel.core.database import utcnow
from panel.extensions import db
from panel.panels.models import Membership, Panel, PanelKind, Role

PASSWORD = "correct horse battery staple"
_sequence = itertools.count(1)


@functools.cache
def _password_hash(password: str) -> str:
    # Argon2 is slow on purpose; hash each test password once per run.
    from panel.core.passwords import hash_password

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
    two_factor: bool = True,
) -> User:
    """A person who can sign in. With `two_factor` (the default, as the roles that see case
    material must have it) they have an authenticator set up: tests sign in with `totp_code`."""
    person = User(
        email=email or f"person{next(_sequence)}@example.org",
        full_name=full_name,
        organisation=organisation_ or organisation(),
        password_hash=_password_hash(password),
        is_admin=is_admin,
        is_demo=is_demo,
        active=active,
    )
    if two_factor:
        person.totp_secret = pyotp.random_base32()
        person.two_factor_enabled_at = utcnow()
    db.session.add(person)
    db.session.commit()
    return person


def totp_code(user: User) -> str:
    """A code the person's authenticator app would show now that Panel has not accepted yet."""
    return unused_totp_code(db.session, User.id == user.id)


def unused_totp_code(session, which) -> str:
    """Panel accepts a code for the current 30-second step and one either side, each once. A test
    that signs the same person in more often than that within a minute forgets the used step
    (test plumbing only: tests/accounts/test_two_factor.py proves replay is refused)."""
    encrypted, last_step = session.execute(
        sa.select(User.encrypted_totp_secret, User.totp_last_step).where(which)
    ).one()
    secret = encryption.decrypt(encrypted)
    now = int(utcnow().timestamp()) // 30
    # Not the step before: it would be refused if a 30-second boundary passed before the check.
    for step in (now, now + 1):
        if last_step is None or step > last_step:
            return pyotp.TOTP(secret).at(step * 30)
    session.execute(sa.update(User).where(which).values(totp_last_step=None))
    session.commit()
    return pyotp.TOTP(secret).at(now * 30)


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
    # A test runs in one application context: the services' next check must see the new role.
    access.who_sees_what_changed()
    return new
