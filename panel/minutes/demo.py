"""Demo minutes, written, approved and published so that a new user sees the whole journey and a
reader has minutes to read: the scrutiny panel's last held meeting, with a member's declaration
of interest in a case review; and the Coventry panel's last two held meetings, the later one
agreeing the earlier one's minutes with an amendment, which marks them agreed. Each meeting's
decision on the previous minutes is recorded, so the minutes say only what was decided. Every
note is anonymised, as the guard requires. The scrutiny panel's minutes carry the chair's key
messages, published with them as a document marked OFFICIAL."""

from __future__ import annotations

from panel.accounts.models import User
from panel.accounts.services import find_user_by_email
from panel.extensions import db
from panel.meetings.agenda import services as agenda
from panel.meetings.models import AgendaItemKind, Meeting, MeetingStatus
from panel.minutes import services
from panel.minutes.key_messages import services as key_messages
from panel.minutes.key_messages.models import Audience
from panel.minutes.key_messages.services import KeyMessageDetails
from panel.minutes.models import Minutes, PreviousMinutesDecision
from panel.minutes.services import Decision, ItemNotes
from panel.panels.models import Panel, PanelKind

# (restricted, public) notes by the kind of agenda item, or by a word in its title.
NOTES = {
    "welcome": (
        None,
        "The chair welcomed members and noted the apologies received.",
    ),
    AgendaItemKind.MATTERS_ARISING: (
        "The police lead asked for more time on the community resolution guidance; agreed.",
        "The police lead gave an update on the community resolution guidance.",
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
AGREED = Decision(PreviousMinutesDecision.AGREED)
AGREED_WITH_AMENDMENT = Decision(
    PreviousMinutesDecision.AGREED_WITH_AMENDMENTS,
    "Item 3: the community tension update was given by the police, not by the council.",
)
# The scrutiny panel's key messages after its meeting (CPS panels publish a few like these).
KEY_MESSAGES = [
    (
        "Take the Victim Personal Statement early, and read it again before the first hearing: "
        "in two of the cases reviewed it was taken only after the plea.",
        Audience.BOTH,
        "cps",
    ),
    (
        "Tell the victim when the court applied a sentence uplift for hostility, and what it "
        "means. Victims told us they learnt of it from the press, or not at all.",
        Audience.AGENCY,
        "police",
    ),
    (
        "Hate crime can be reported without going to a police station: online through True "
        "Vision, through the force app, or at a third-party reporting centre.",
        Audience.COMMUNITY,
        None,
    ),
]
# At the scrutiny panel, a member declares an interest in the first case review on the agenda.
DECLARATION = (
    "interfaith@panel.example",
    "The forum they chair supports the victim's faith community and has spoken about the case.",
)


def load_demo_minutes(panel: Panel, chair: User, coordinator: User) -> int:
    """If the panel has no minutes yet, write, approve and publish the minutes of its last held
    meeting (for a local panel, of its last two); returns how many."""
    from panel.minutes.pdf import render_pdf  # WeasyPrint loads only when minutes are published

    if db.session.scalar(
        db.select(Minutes.id).join(Minutes.meeting).where(Meeting.panel_id == panel.id).limit(1)
    ):
        return 0
    count = 1 if panel.kind == PanelKind.SCRUTINY_PANEL else 2
    held = db.session.scalars(
        db.select(Meeting)
        .where(Meeting.panel_id == panel.id, Meeting.status == MeetingStatus.HELD)
        .order_by(Meeting.starts_at.desc())
        .limit(count)
    ).all()
    for meeting in reversed(held):
        decision = AGREED_WITH_AMENDMENT if meeting is held[0] and len(held) > 1 else AGREED
        if panel.kind == PanelKind.SCRUTINY_PANEL:
            _declare(meeting)
        minutes = services.start(coordinator, meeting)
        services.save_notes(
            coordinator,
            minutes,
            _notes(meeting),
            ItemNotes(None, None),
            minutes.edit_version,
            previous=decision,
        )
        if panel.kind == PanelKind.SCRUTINY_PANEL:
            _key_messages(chair, minutes)
        services.submit(coordinator, minutes, minutes.edit_version)
        services.approve(chair, minutes, minutes.edit_version)
        services.publish(chair, minutes, minutes.edit_version, render_pdf)
    return len(held)


def _key_messages(chair: User, minutes: Minutes) -> None:
    """The chair's key messages from a scrutiny meeting: to the police, to the CPS and police
    together, and to the community (the agencies being those on the panel)."""
    agencies = key_messages.agencies(minutes)

    def agency(word: str):
        return next(
            (a for a in agencies if word in a.name.lower()), agencies[0] if agencies else None
        )

    for text, audience, word in KEY_MESSAGES:
        key_messages.add(
            chair, minutes, KeyMessageDetails(text, audience, agency(word) if word else None)
        )


def _notes(meeting: Meeting) -> dict[int, ItemNotes]:
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
    return notes


def _declare(meeting: Meeting) -> None:
    email, reason = DECLARATION
    member = find_user_by_email(email)
    item = next(
        (i for i in meeting.agenda_items if i.kind == AgendaItemKind.CASE_REVIEW),
        None,
    )
    if member is not None and item is not None:
        agenda.declare_interest(member, item, reason)
