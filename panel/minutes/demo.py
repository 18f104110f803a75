"""Demo minutes: the last held meeting of the scrutiny panel and of the Coventry panel, written,
approved and published, so that a new user sees the whole journey and a reader has minutes to
read. Every note is anonymised, as the guard requires."""

from __future__ import annotations

from panel.accounts.models import User
from panel.extensions import db
from panel.meetings.models import AgendaItemKind, Meeting, MeetingStatus
from panel.minutes import services
from panel.minutes.models import Minutes
from panel.minutes.services import ItemNotes
from panel.panels.models import Panel

# (restricted, public) notes by the kind of agenda item, or by a word in its title.
NOTES = {
    "welcome": (
        None,
        "The chair welcomed members and thanked the partners who sent deputies.",
    ),
    AgendaItemKind.MATTERS_ARISING: (
        "The police lead asked for more time on the community resolution guidance; agreed.",
        "The minutes of the last meeting were agreed. Matters arising are listed below.",
    ),
    "tension": (
        "Police reported a rise in reports linked to a local dispute; details shared verbally.",
        "Police reported on community tension in the area. No critical incidents.",
    ),
    AgendaItemKind.CASE_REVIEW: (
        "Members discussed the officer's notes in detail; the coordinator will check the file.",
        "The panel reviewed the case stage by stage. Its ratings and lessons are below.",
    ),
    "business": (None, "No other business was raised."),
}


def load_demo_minutes(panel: Panel, chair: User, coordinator: User) -> int:
    """Write, approve and publish the minutes of the panel's last held meeting, if the panel has
    no minutes yet; returns 1 if it did."""
    from panel.minutes.pdf import render_pdf  # WeasyPrint loads only when minutes are published

    if db.session.scalar(
        db.select(Minutes.id).join(Meeting).where(Meeting.panel_id == panel.id).limit(1)
    ):
        return 0
    meeting = db.session.scalar(
        db.select(Meeting)
        .where(Meeting.panel_id == panel.id, Meeting.status == MeetingStatus.HELD)
        .order_by(Meeting.starts_at.desc())
        .limit(1)
    )
    if meeting is None:
        return 0
    minutes = services.start(coordinator, meeting)
    notes = {}
    for item in sorted(meeting.agenda_items, key=lambda item: item.position):
        text = NOTES.get(item.kind) or next(
            (
                words
                for key, words in NOTES.items()
                if isinstance(key, str) and key in item.title.lower()
            ),
            None,
        )
        if text:
            notes[item.id] = ItemNotes(*text)
    services.save_notes(coordinator, minutes, notes, ItemNotes(None, None), minutes.edit_version)
    services.submit(coordinator, minutes, minutes.edit_version)
    services.approve(chair, minutes, minutes.edit_version)
    services.publish(chair, minutes, minutes.edit_version, render_pdf)
    return 1
