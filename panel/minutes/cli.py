"""`flask minutes-pdf`: the minutes as PDF files from the command line.

`--list` shows the meetings that have minutes. `MEETING_ID --out FILE` writes the full minutes
(panel members' layer) of the current version: the frozen version once approved, the live draft
before. With `--published` it writes the PDF readers were given, exactly the bytes stored at
publication. Either way the minutes leave Panel, so the audit trail records it.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy.orm import joinedload, selectinload

from panel.audit import AuditAction, record
from panel.extensions import db
from panel.meetings.models import Meeting
from panel.minutes import services
from panel.minutes.document import FULL, PUBLIC, document_of
from panel.minutes.models import Minutes
from panel.navigation import format_datetime


@click.command("minutes-pdf")
@click.argument("meeting_id", type=int, required=False)
@click.option("--list", "list_", is_flag=True, help="List the meetings that have minutes, by date.")
@click.option(
    "--published",
    is_flag=True,
    help="Write the PDF published to readers, byte for byte, instead of the full minutes.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="The file to write the PDF to ('-' for standard output).",
)
@with_appcontext
def minutes_pdf_command(
    meeting_id: int | None, list_: bool, published: bool, out: Path | None
) -> None:
    """Write the minutes of meeting MEETING_ID as a PDF, or list the meetings with minutes."""
    if list_:
        if meeting_id is not None or published or out is not None:
            raise click.UsageError("--list takes no meeting id, --published or --out.")
        _list_minutes()
        return
    if meeting_id is None:
        raise click.UsageError("Give a meeting id (see --list).")
    if out is None:
        raise click.UsageError("Give --out FILE: where to write the PDF.")
    minutes = _minutes_of(meeting_id)
    if published:
        version = minutes.published_version
        if version is None:
            raise click.ClickException(
                f"The minutes of meeting {meeting_id} have never been published."
            )
        # The stored bytes, as readers download them (the column loads now: it is deferred).
        pdf, layer, number = version.published_pdf, PUBLIC, version.number
    else:
        from panel.minutes.pdf import render_pdf  # WeasyPrint loads only when a PDF is made

        # A frozen version says "Approved"; say what the minutes are now (e.g. published).
        document = dataclasses.replace(document_of(minutes), status=minutes.status.label)
        pdf, layer, number = render_pdf(document), FULL, document.version
    _write(pdf, out)
    record(
        None,
        AuditAction.EXPORT,
        minutes,
        label=services.label(minutes),
        changes={"version": number, "layer": layer, "command": "flask minutes-pdf"},
    )
    db.session.commit()
    if str(out) != "-":
        click.echo(
            f"Wrote {out} ({layer} minutes, version {number}, {len(pdf):,} bytes).", err=True
        )


def _list_minutes() -> None:
    rows = db.session.scalars(
        db.select(Minutes)
        .join(Minutes.meeting)
        .options(
            joinedload(Minutes.meeting).joinedload(Meeting.panel), selectinload(Minutes.versions)
        )
        .order_by(Meeting.starts_at, Meeting.id)
    ).all()
    if not rows:
        click.echo("No meeting has minutes yet.")
    for minutes in rows:
        meeting = minutes.meeting
        status = f"{minutes.status.label}, version {minutes.version_number}"
        published = minutes.published_version
        if published is not None and published.number != minutes.version_number:
            status += f" (version {published.number} published)"
        day = format_datetime(meeting.starts_at, "date")
        click.echo(f"{meeting.id}\t{meeting.panel.name}\t{day}\t{status}")


def _minutes_of(meeting_id: int) -> Minutes:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        raise click.ClickException(f"There is no meeting {meeting_id}.")
    minutes = db.session.scalar(db.select(Minutes).where(Minutes.meeting_id == meeting.id))
    if minutes is None:
        raise click.ClickException(f"Meeting {meeting_id} has no minutes yet.")
    return minutes


def _write(pdf: bytes, out: Path) -> None:
    """Write the whole file or nothing (atomic: a temporary file, renamed), or to stdout."""
    try:
        with click.open_file(out, "wb", atomic=True) as stream:
            stream.write(pdf)
    except OSError as error:
        raise click.ClickException(f"Could not write {out}: {error.strerror}.") from error
