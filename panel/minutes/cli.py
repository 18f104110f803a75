"""`flask minutes-pdf`: the minutes as PDF files from the command line.

`--list` shows the meetings that have minutes. `MEETING_ID --out FILE` writes the full minutes
(panel members' layer) of the current version: the frozen version once approved, the live draft
before, and once published the full minutes stored at publication. With `--published` it writes
the PDF readers were given, exactly the bytes stored at publication. Either way the minutes leave
Panel, so the audit trail records it.

`--verify MEETING_ID` checks every published version of the meeting's minutes: for each layer,
that the stored PDF still has the SHA-256 stored with it, and that the frozen version renders to
those same bytes again. It prints an "OK" line per layer and exits 1 naming any layer that
differs: a stored file changed, or a frozen version that no longer renders as it was published
(changed content, or a different renderer or font: the line says which WeasyPrint re-rendered).
"""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy.orm import joinedload, selectinload

from panel.core import unit_of_work
from panel.core.audit import AuditAction, record
from panel.core.time import format_datetime
from panel.extensions import db
from panel.meetings.models import Meeting
from panel.minutes import queries, services
from panel.minutes.document import FULL, PUBLIC, document_of
from panel.minutes.models import Minutes


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
@click.option(
    "--verify",
    is_flag=True,
    help="Check the stored PDFs of each published version against their SHA-256 and against the "
    "frozen version rendered again.",
)
@with_appcontext
def minutes_pdf_command(
    meeting_id: int | None, list_: bool, published: bool, out: Path | None, verify: bool
) -> None:
    """Write the minutes of meeting MEETING_ID as a PDF, or list the meetings with minutes, or
    verify the published PDFs of meeting MEETING_ID."""
    if list_:
        if meeting_id is not None or published or out is not None or verify:
            raise click.UsageError("--list takes no meeting id, --published, --out or --verify.")
        _list_minutes()
        return
    if verify:
        if meeting_id is None or published or out is not None:
            raise click.UsageError("--verify takes a meeting id only.")
        _verify(_minutes_of(meeting_id))
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
        # A frozen version says "Approved"; say what the minutes are now (e.g. published).
        document = dataclasses.replace(document_of(minutes), status=minutes.status.label)
        pdf = queries.stored_full_pdf(minutes, document)
        if pdf is None:
            from panel.minutes.pdf import render_pdf  # WeasyPrint loads only when a PDF is made

            pdf = render_pdf(document)
        layer, number = FULL, document.version
    _write(pdf, out)
    record(
        None,
        AuditAction.EXPORT,
        minutes,
        label=services.label(minutes),
        changes={"version": number, "layer": layer, "command": "flask minutes-pdf"},
    )
    unit_of_work.commit()
    if str(out) != "-":
        click.echo(
            f"Wrote {out} ({layer} minutes, version {number}, {len(pdf):,} bytes).", err=True
        )


def _verify(minutes: Minutes) -> None:
    from weasyprint import __version__ as weasyprint_version

    from panel.minutes.pdf import render_pdf  # WeasyPrint loads only when a PDF is made

    published = [version for version in minutes.versions if version.published_at is not None]
    if not published:
        raise click.ClickException(
            f"The minutes of meeting {minutes.meeting_id} have never been published."
        )
    differs = []
    for version in published:
        stored = {
            FULL: (version.full_pdf, version.full_sha256),
            PUBLIC: (version.published_pdf, version.published_sha256),
        }
        for layer, document in queries.published_documents(version).items():
            pdf, sha256 = stored[layer]
            where = f"version {version.number}, {document.layer_name}"
            if sha256 is None:
                click.echo(f"NOT STORED: {where}: published before both layers were kept.")
                continue
            problem = None
            if pdf is None or hashlib.sha256(pdf).hexdigest() != sha256:
                problem = "the stored PDF no longer matches the SHA-256 stored with it"
            else:
                again = hashlib.sha256(
                    render_pdf(document, created=version.published_at)
                ).hexdigest()
                if again != sha256:
                    problem = (
                        f"re-rendered with WeasyPrint {weasyprint_version} from the frozen "
                        f"version, it has SHA-256 {again}"
                    )
            if problem:
                click.echo(f"DIFFERS: {where}: {problem} (stored SHA-256 {sha256}).")
                differs.append(f"the {document.layer_name} of version {version.number}")
            else:
                click.echo(f"OK: {where}, SHA-256 {sha256}")
    if differs:
        raise click.ClickException(
            f"The published minutes of meeting {minutes.meeting_id} do not verify: "
            f"{' and '.join(differs)} {'differs' if len(differs) == 1 else 'differ'}."
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
