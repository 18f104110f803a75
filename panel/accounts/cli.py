"""Account commands: `flask create-admin` makes the first administrator, before anyone can sign in
to make others; `flask rotate-data-key` re-encrypts two-factor secrets under a new key."""

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from panel.accounts import services
from panel.accounts.models import Organisation, OrganisationKind, User
from panel.core import encryption, outbox, unit_of_work
from panel.core.passwords import MIN_LENGTH, own_details_in
from panel.extensions import db


@click.command("create-admin")
@click.option("--email", prompt=True, help="The administrator's e-mail address.")
@click.option("--name", "full_name", prompt="Full name", help="The administrator's full name.")
@click.option("--organisation", prompt=True, help="Their organisation (created if new).")
@click.password_option(help="At least 12 characters.")
@with_appcontext
def create_admin_command(email: str, full_name: str, organisation: str, password: str) -> None:
    """Create an administrator (who then manages organisations, users and panels on the web)."""
    if len(password) < MIN_LENGTH:
        raise click.BadParameter(f"must be at least {MIN_LENGTH} characters", param_hint="password")
    own_details = own_details_in(password, email=email, full_name=full_name)
    if own_details:
        # "Password must not contain your name" -> "must not contain your name"
        raise click.BadParameter(own_details.removeprefix("Password "), param_hint="password")
    if services.email_taken(email):
        raise click.BadParameter(
            "an account with this e-mail address already exists", param_hint="email"
        )
    org = db.session.scalar(db.select(Organisation).where(Organisation.name == organisation))
    if org is None:
        org = services.create_organisation(None, name=organisation, kind=OrganisationKind.OTHER)
    user = services.create_user(
        None, email=email, full_name=full_name, organisation=org, password=password, is_admin=True
    )
    unit_of_work.commit()
    click.echo(f"Created administrator {user.email}.")


@click.command("rotate-data-key")
@with_appcontext
def rotate_data_key_command() -> None:
    """Re-encrypt every stored secret under the first key in DATA_ENCRYPTION_KEY."""
    users = db.session.scalars(sa.select(User).where(User.encrypted_totp_secret.is_not(None)))
    count = 0
    for user in users:
        user.encrypted_totp_secret = encryption.rotate(user.encrypted_totp_secret)
        count += 1
    # E-mail waiting in the outbox carries reset links: encrypted under the same key.
    messages = outbox.rotate_keys()
    unit_of_work.commit()
    click.echo(
        f"Re-encrypted {count} two-factor secret{'' if count == 1 else 's'} and "
        f"{messages} e-mail{'' if messages == 1 else 's'} waiting to be sent."
    )
