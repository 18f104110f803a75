"""`flask audit-verify`: check that nobody has changed, removed or reordered audit events."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from panel.audit import verify_chain


@click.command("audit-verify")
@with_appcontext
def audit_verify_command() -> None:
    """Recompute the audit trail's hash chain from the first event to the last. Exits 1, naming
    the first broken link, if the trail was tampered with; run it from cron and alert on failure."""
    report = verify_chain()
    if not report.intact:
        raise click.ClickException(
            f"The audit trail is broken: {report.problem}. {report.checked} events before it "
            "are intact. Restore the database from a backup taken before that event and "
            "investigate who had write access."
        )
    click.echo(
        f"The audit trail is intact: {report.checked} events, each linked to the one before."
    )
