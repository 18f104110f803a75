"""`flask minutes-pdf`: listing the meetings with minutes, writing the full and the published PDF,
and the errors people meet."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from panel.core.audit import AuditAction, AuditEvent
from panel.core.time import format_datetime
from panel.demo import load_demo_data
from panel.extensions import db
from panel.minutes import services
from panel.minutes.models import Minutes, MinutesVersion
from panel.minutes.pdf import render_pdf
from tests.cases.conftest import isp  # noqa: F401  (the panel `scrutiny` is built on)
from tests.lessons.conftest import scrutiny  # noqa: F401  (with a police member)
from tests.meetings.factories import meeting_on
from tests.minutes import minuted_meeting
from tests.minutes.minuted_meeting import PUBLIC_NOTE, RESTRICTED_NOTE, MinutedMeeting


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=["minutes-pdf", *args])


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


@pytest.fixture
def minuted(scrutiny):  # noqa: F811
    """Builds a small minuted meeting of the scrutiny panel (one case review), `days_ago`."""

    def build(days_ago: int = 14) -> MinutedMeeting:
        return minuted_meeting.build(
            scrutiny.panel,
            chair=scrutiny.chair,
            coordinator=scrutiny.people.coordinator,
            organisations=[scrutiny.police],
            case_count=1,
            lessons_per_case=1,
            recommendations_per_lesson=1,
            days_ago=days_ago,
        )

    return build


@pytest.fixture
def full_meeting(minuted) -> MinutedMeeting:
    return minuted()


def test_list_shows_each_meeting_with_minutes_by_date_with_status_and_version(app, minuted):
    later = minuted(days_ago=7)
    earlier = minuted(days_ago=35)
    earlier.publish(render_pdf)
    services.new_version(earlier.chair, earlier.minutes, earlier.minutes.edit_version)
    without_minutes = meeting_on(later.panel, days_from_now=-60)

    result = run(app, "--list")

    assert result.exit_code == 0, result.output
    panel = later.panel.name
    assert result.output.splitlines() == [
        f"{earlier.meeting.id}\t{panel}\t{format_datetime(earlier.meeting.starts_at, 'date')}"
        "\tDraft, version 2 (version 1 published)",
        f"{later.meeting.id}\t{panel}\t{format_datetime(later.meeting.starts_at, 'date')}"
        "\tDraft, version 1",
    ]
    assert str(without_minutes.id) not in {
        line.split("\t")[0] for line in result.output.splitlines()
    }


def test_list_says_when_no_meeting_has_minutes(app, db):
    result = run(app, "--list")
    assert result.exit_code == 0
    assert result.output == "No meeting has minutes yet.\n"


def test_writes_the_full_minutes_of_the_live_draft(app, full_meeting, tmp_path):
    out = tmp_path / "minutes.pdf"

    result = run(app, str(full_meeting.meeting.id), "--out", str(out))

    assert result.exit_code == 0, result.output
    pdf = out.read_bytes()
    assert pdf.startswith(b"%PDF-")
    text = text_of(pdf)
    assert RESTRICTED_NOTE in text
    assert "Status Draft" in text
    assert f"Wrote {out} (full minutes, version 1," in result.output


def test_full_minutes_of_published_minutes_say_they_are_published(app, full_meeting, tmp_path):
    full_meeting.publish(render_pdf)
    out = tmp_path / "minutes.pdf"

    result = run(app, str(full_meeting.meeting.id), "--out", str(out))

    assert result.exit_code == 0, result.output
    text = text_of(out.read_bytes())
    assert RESTRICTED_NOTE in text
    assert "Status Published" in text
    assert f"Approved by and on {full_meeting.chair.full_name}" in text


def test_writes_the_published_pdf_exactly_as_stored(app, full_meeting, tmp_path):
    full_meeting.publish(render_pdf)
    out = tmp_path / "published.pdf"

    result = run(app, str(full_meeting.meeting.id), "--published", "--out", str(out))

    assert result.exit_code == 0, result.output
    stored = db.session.scalar(db.select(MinutesVersion.published_pdf))
    assert out.read_bytes() == stored
    text = text_of(stored)
    assert PUBLIC_NOTE in text
    assert RESTRICTED_NOTE not in text


def test_writing_a_pdf_is_in_the_audit_trail(app, full_meeting, tmp_path):
    result = run(app, str(full_meeting.meeting.id), "--out", str(tmp_path / "minutes.pdf"))

    assert result.exit_code == 0, result.output
    event = db.session.scalar(
        db.select(AuditEvent).where(
            AuditEvent.action == AuditAction.EXPORT, AuditEvent.object_type == "minutes"
        )
    )
    assert event.object_id == full_meeting.minutes.id
    assert event.changes == {"version": 1, "layer": "full", "command": "flask minutes-pdf"}


def test_published_pdf_of_minutes_never_published_is_refused(app, full_meeting, tmp_path):
    out = tmp_path / "published.pdf"

    result = run(app, str(full_meeting.meeting.id), "--published", "--out", str(out))

    assert result.exit_code == 1
    assert (
        f"The minutes of meeting {full_meeting.meeting.id} have never been published."
        in result.output
    )
    assert not out.exists()


def test_unknown_meeting_is_refused(app, db, tmp_path):
    result = run(app, "999999", "--out", str(tmp_path / "minutes.pdf"))
    assert result.exit_code == 1
    assert "There is no meeting 999999." in result.output


def test_meeting_without_minutes_is_refused(app, full_meeting, tmp_path):
    meeting = meeting_on(full_meeting.panel, days_from_now=-7)

    result = run(app, str(meeting.id), "--out", str(tmp_path / "minutes.pdf"))

    assert result.exit_code == 1
    assert f"Meeting {meeting.id} has no minutes yet." in result.output


def test_missing_out_or_meeting_is_a_usage_error(app, full_meeting):
    result = run(app, str(full_meeting.meeting.id))
    assert result.exit_code == 2
    assert "Give --out FILE" in result.output

    result = run(app, "--out", "minutes.pdf")
    assert result.exit_code == 2
    assert "Give a meeting id" in result.output


# --- --verify: the stored PDFs against the frozen version they were rendered from ---------------


def _tamper(version: MinutesVersion, column: str) -> None:
    """Change one byte in the middle of a stored PDF, as a bad restore or an edit would."""
    stored = bytearray(getattr(version, column))
    stored[len(stored) // 2] ^= 0x01
    setattr(version, column, bytes(stored))
    db.session.commit()


def test_verify_says_ok_for_both_layers_of_published_minutes(app, full_meeting):
    full_meeting.publish(render_pdf)
    version = full_meeting.minutes.published_version

    result = run(app, "--verify", str(full_meeting.meeting.id))

    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"OK: version 1, Full version (panel members), SHA-256 {version.full_sha256}",
        f"OK: version 1, Reader version, SHA-256 {version.published_sha256}",
    ]


@pytest.mark.parametrize(
    ("column", "layer"),
    [("published_pdf", "Reader version"), ("full_pdf", "Full version (panel members)")],
)
def test_verify_fails_naming_the_layer_whose_stored_pdf_was_changed(
    app, full_meeting, column, layer
):
    full_meeting.publish(render_pdf)
    _tamper(full_meeting.minutes.published_version, column)

    result = run(app, "--verify", str(full_meeting.meeting.id))

    assert result.exit_code == 1
    differs = [line for line in result.output.splitlines() if not line.startswith("OK: ")]
    assert differs[0].startswith(f"DIFFERS: version 1, {layer}: the stored PDF no longer matches")
    assert f"{layer} of version 1 differs" in result.output


def test_verify_fails_when_the_frozen_version_no_longer_renders_to_the_stored_pdf(
    app, full_meeting
):
    full_meeting.publish(render_pdf)
    version = full_meeting.minutes.published_version
    version.content = {**version.content, "place": "Somewhere else"}
    db.session.commit()

    result = run(app, "--verify", str(full_meeting.meeting.id))

    assert result.exit_code == 1
    assert "DIFFERS: version 1, Full version (panel members): re-rendered" in result.output
    assert "DIFFERS: version 1, Reader version: re-rendered" in result.output


def test_verify_of_minutes_never_published_is_refused(app, full_meeting):
    result = run(app, "--verify", str(full_meeting.meeting.id))

    assert result.exit_code == 1
    assert (
        f"The minutes of meeting {full_meeting.meeting.id} have never been published."
        in result.output
    )


def test_verify_takes_only_a_meeting_id(app, full_meeting, tmp_path):
    result = run(app, "--verify", str(full_meeting.meeting.id), "--out", str(tmp_path / "x.pdf"))
    assert result.exit_code == 2
    assert "--verify takes a meeting id only" in result.output


def test_verify_passes_on_every_published_demo_meeting(app, db):
    load_demo_data()
    meetings = db.session.scalars(
        db.select(Minutes.meeting_id)
        .join(MinutesVersion)
        .where(MinutesVersion.published_at.is_not(None))
        .distinct()
    ).all()
    assert meetings

    for meeting_id in meetings:
        result = run(app, "--verify", str(meeting_id))

        assert result.exit_code == 0, result.output
        assert len([line for line in result.output.splitlines() if line.startswith("OK: ")]) >= 2
