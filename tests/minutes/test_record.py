"""Minutes that read as a committee record.

What this meeting decided about the previous minutes (agreed as a correct record, agreed with
amendments, not yet agreed) is recorded on the notes page, is what the minutes say, and is what
marks the previous minutes as agreed; nothing automatic contradicts it. The minutes list who was
present (organisation and role), sent apologies, was absent, sent a deputy or was a guest; the
declarations of interest; numbered lessons and recommendations with a summary table; the close,
the next meeting, a "signed as a correct record" block and the handling and retention statement,
in the page and in the PDF. The demo's published minutes read this way.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from pypdf import PdfReader

from panel.core.audit import AuditAction, AuditEvent
from panel.core.time import format_datetime, format_time, uk_today
from panel.demo import load_demo_data
from panel.meetings import queries as meeting_queries
from panel.meetings import services as meeting_services
from panel.meetings.agenda import services as agenda
from panel.meetings.attendance import services as attendance
from panel.meetings.models import (
    AgendaItem,
    AgendaItemKind,
    AttendanceStatus,
    Meeting,
    MeetingStatus,
)
from panel.minutes import services
from panel.minutes.document import document_of
from panel.minutes.models import Minutes
from panel.minutes.pdf import render_pdf
from panel.panels.models import Panel
from tests.conftest import sign_in
from tests.meetings.factories import meeting_on
from tests.minutes.conftest import Held, notes_form, published

BLANK_SIGNATURE = "Chair: ______ Date: ______"


def _minutes_url(meeting: Meeting, rest: str = "") -> str:
    return f"/meetings/{meeting.id}/minutes{rest}"


def _document_html(client, meeting: Meeting) -> str:
    page = client.get(_minutes_url(meeting)).get_data(as_text=True)
    return page[page.index('id="minutes-document"') :]


def _pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def _day(meeting: Meeting) -> str:
    return format_datetime(meeting.starts_at, "date")


@pytest.fixture
def previous(app, held: Held) -> Minutes:
    """The panel's meeting a fortnight before `held`, held, with its minutes drafted."""
    with app.test_request_context():
        meeting = meeting_on(held.panel, days_from_now=14, status=MeetingStatus.HELD)
        return services.start(held.people.coordinator, meeting)


def _start(client, held: Held) -> Minutes:
    sign_in(client, held.people.coordinator)
    client.post(_minutes_url(held.meeting, "/start"))
    return held.minutes()


def _decide(client, held: Held, minutes: Minutes, decision: str, amendments: str = ""):
    return client.post(
        _minutes_url(held.meeting, "/edit"),
        data=notes_form(minutes, {}, previous_decision=decision, previous_amendments=amendments),
    )


# --- What was seen -----------------------------------------------------------------------------


def test_minutes_say_what_the_meeting_decided_and_never_that_the_previous_minutes_are_unapproved(
    client, held, previous
):
    minutes = _start(client, held)
    assert _decide(client, held, minutes, "agreed").status_code == 302
    document = _document_html(client, held.meeting)
    assert (
        f"Agreed: the minutes of the meeting on {_day(previous.meeting)} are a correct record."
        in document
    )
    assert "are not yet approved" not in document


def test_minutes_make_no_automatic_claim_about_previous_minutes_nobody_recorded(
    app, client, held, previous
):
    with app.test_request_context():
        people = held.people
        services.submit(people.coordinator, previous, previous.edit_version)
        services.approve(people.chair, previous, previous.edit_version)
    _start(client, held)
    document = _document_html(client, held.meeting)
    document = document[: document.index('id="signed"')]  # "Signed as a correct record: ..."
    for claim in ("true record", "correct record", "Agreed:", "are not yet approved", "not agreed"):
        assert claim not in document, claim


def test_members_recorded_as_absent_are_in_the_minutes(app, client, held):
    people = held.people
    with app.test_request_context():
        attendance.record_register(
            people.coordinator,
            held.meeting,
            {
                people.chair.id: attendance.Mark(AttendanceStatus.PRESENT),
                people.coordinator.id: attendance.Mark(AttendanceStatus.APOLOGIES),
                people.member.id: attendance.Mark(AttendanceStatus.ABSENT),
            },
            now=held.meeting.starts_at + timedelta(minutes=5),
        )
    minutes = _start(client, held)
    document = _document_html(client, held.meeting)
    absent = document[document.index('id="absent"') :]
    assert "Joe Barker (CPS West Midlands)" in absent
    pdf = _pdf_text(render_pdf(document_of(minutes)))
    assert "Absent Member (organisation) Joe Barker (CPS West Midlands)" in pdf


def test_apologies_sent_before_a_meeting_whose_register_was_not_taken_say_nothing_of_quorum(
    app, client, held, db
):
    """Only apologies sent in advance: the minutes used to say "Not quorate: 1 organisation
    represented" beside "Attendance was not recorded", and nothing warned the chair."""
    people = held.people
    with app.test_request_context():
        held.meeting.status = MeetingStatus.SCHEDULED
        attendance.send_apologies(
            people.member,
            held.meeting,
            people.member,
            "Sam Collins",
            now=held.meeting.starts_at - timedelta(days=7),
        )
        held.meeting.status = MeetingStatus.HELD
        db.session.commit()
    minutes = _start(client, held)
    meeting_page = client.get(f"/meetings/{held.meeting.id}").get_data(as_text=True)
    assert "Quorum not met" not in meeting_page
    assert "The register has not been taken yet" in meeting_page
    document = _document_html(client, held.meeting)
    assert "The register of attendance was not taken." in document
    assert "Sam Collins for Joe Barker" in document
    assert "quorate" not in document.lower()
    assert "quorate" not in _pdf_text(render_pdf(document_of(minutes))).lower()
    with app.test_request_context():
        services.submit(people.coordinator, minutes, minutes.edit_version)
    client.post("/sign-out")
    sign_in(client, people.chair)
    approve_page = client.get(_minutes_url(held.meeting, "/approve")).get_data(as_text=True)
    assert "The register of attendance was not taken at this meeting" in approve_page


def test_matters_arising_say_overdue_only_if_overdue_on_the_day_of_the_meeting(app, isp):
    coordinator = isp.coordinator
    with app.test_request_context():
        earlier = meeting_on(isp.panel, days_from_now=-30, status=MeetingStatus.HELD)
        meeting = meeting_on(isp.panel, days_from_now=-21, status=MeetingStatus.HELD)
        meeting.agenda_items = [
            AgendaItem(position=item.position, kind=item.kind, title=item.title)
            for item in meeting_services.agenda_template(isp.panel)
        ]
        # Due after the meeting, and before today.
        meeting_services.add_action(
            coordinator,
            earlier,
            "Circulate the updated reporting centre list",
            coordinator.organisation,
            uk_today() - timedelta(days=10),
        )
        minutes = services.start(coordinator, meeting)
        document = document_of(minutes)
        text = _pdf_text(render_pdf(document))
    [row] = next(i for i in document.items if i.matters_arising).matters_arising
    assert row.overdue is False
    assert "Circulate the updated reporting centre list" in text and "overdue" not in text


# --- The previous minutes, decided at this meeting --------------------------------------------


def test_the_previous_meeting_is_the_panels_last_before_this_one_leaving_out_cancelled_ones(
    app, held, previous
):
    with app.test_request_context():
        earlier = meeting_on(held.panel, days_from_now=7, status=MeetingStatus.HELD)
        meeting_on(held.panel, days_from_now=18, status=MeetingStatus.CANCELLED)
        meeting_on(held.panel, days_from_now=28)
        assert meeting_queries.previous_meeting(held.meeting) == previous.meeting
        assert meeting_queries.previous_meeting(earlier) is None


def test_agreeing_the_previous_minutes_marks_them_agreed_at_this_meeting(
    app, client, held, previous, db
):
    minutes = _start(client, held)
    _decide(client, held, minutes, "agreed")
    db.session.refresh(previous)
    assert previous.agreed_at_meeting_id == held.meeting.id
    assert previous.agreed_at is not None
    page = client.get(_minutes_url(previous.meeting)).get_data(as_text=True)
    assert f"Agreed as a correct record at the meeting on {_day(held.meeting)}" in page
    client.post("/sign-out")

    # Readers see it on the published minutes.
    with app.test_request_context():
        people = held.people
        services.submit(people.coordinator, previous, previous.edit_version)
        services.approve(people.chair, previous, previous.edit_version)
        services.publish(people.chair, previous, previous.edit_version, render_pdf)
    sign_in(client, held.people.reader)
    page = client.get(f"/minutes/{previous.id}").get_data(as_text=True)
    assert f"Agreed as a correct record at the meeting on {_day(held.meeting)}" in page
    client.post("/sign-out")
    sign_in(client, held.people.coordinator)

    # Changed while drafting: not agreed after all, so no longer marked.
    db.session.refresh(minutes)
    _decide(client, held, minutes, "not_agreed")
    db.session.refresh(previous)
    assert previous.agreed_at_meeting_id is None and previous.agreed_at is None
    page = client.get(_minutes_url(previous.meeting)).get_data(as_text=True)
    assert "Agreed as a correct record" not in page
    document = _document_html(client, held.meeting)
    assert f"The minutes of the meeting on {_day(previous.meeting)} were not agreed" in document


def test_amendments_are_listed_in_both_layers_and_the_decision_is_audited(
    app, client, held, previous, db
):
    minutes = _start(client, held)
    amendments = (
        "Item 3: the police lead's name is corrected to the inspector for the NPU.\n"
        "Item 4: the action is owned by the council, not the housing provider."
    )
    assert _decide(client, held, minutes, "agreed_with_amendments", amendments).status_code == 302
    document = _document_html(client, held.meeting)
    assert "are a correct record, with these amendments:" in document
    for line in amendments.splitlines():
        assert line.replace("'", "&#39;") in document
    event = db.session.scalar(
        db.select(AuditEvent)
        .where(AuditEvent.object_type == "minutes", AuditEvent.object_id == minutes.id)
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    assert event.action == AuditAction.UPDATE
    assert event.changes["previous_minutes"] == "Agreed as a correct record, with amendments"
    client.post("/sign-out")

    db.session.refresh(minutes)
    with app.test_request_context():
        services.submit(held.people.coordinator, minutes, minutes.edit_version)
        services.approve(held.people.chair, minutes, minutes.edit_version)
    readers = document_of(minutes).for_readers()
    assert readers.previous_minutes_amendments == amendments.splitlines()


def test_amendments_are_required_with_amendments_and_pass_the_guard(client, held, previous):
    minutes = _start(client, held)
    page = _decide(client, held, minutes, "agreed_with_amendments").get_data(as_text=True)
    assert page.count("Enter the amendments to the previous minutes") == 2
    page = _decide(
        client, held, minutes, "agreed_with_amendments", "The victim lives at 12 Foleshill Road."
    ).get_data(as_text=True)
    assert "Amendments to the previous minutes contains what looks like" in page
    assert previous.agreed_at_meeting_id is None


def test_the_notes_page_asks_what_was_decided_about_the_previous_minutes(client, held, previous):
    _start(client, held)
    page = client.get(_minutes_url(held.meeting, "/edit")).get_data(as_text=True)
    matters = next(item for item in held.items() if item.kind == AgendaItemKind.MATTERS_ARISING)
    section = page[page.index(f'id="item-{matters.id}"') :]
    assert (
        f"What did this meeting decide about the minutes of the meeting on "
        f"{_day(previous.meeting)}?" in section
    )
    for label in (
        "Agreed as a correct record",
        "Agreed as a correct record, with amendments",
        "Not yet agreed",
    ):
        assert label in section


# --- A committee record ------------------------------------------------------------------------


def test_attendance_gives_each_person_their_organisation_and_role(app, client, held):
    people = held.people
    with app.test_request_context():
        attendance.record_register(
            people.coordinator,
            held.meeting,
            {
                people.chair.id: attendance.Mark(AttendanceStatus.PRESENT),
                people.coordinator.id: attendance.Mark(AttendanceStatus.PRESENT),
                people.member.id: attendance.Mark(AttendanceStatus.DEPUTY, "Sam Deputy"),
            },
            now=held.meeting.starts_at + timedelta(minutes=5),
        )
        attendance.add_guest(
            people.coordinator,
            held.meeting,
            "Priya Nair",
            "Tell MAMA",
            now=held.meeting.starts_at + timedelta(minutes=5),
        )
    minutes = _start(client, held)
    pdf = _pdf_text(render_pdf(document_of(minutes)))
    assert "Name Organisation Role" in pdf
    assert "Harriet Lang CPS West Midlands Chair" in pdf
    assert "Imran Sadiq CPS West Midlands Coordinator" in pdf
    assert "Sam Deputy for Joe Barker (CPS West Midlands)" in pdf
    assert pdf.index("Present") < pdf.index("Sam Deputy") < pdf.index("Priya Nair (Tell MAMA)")


def test_declarations_are_minuted_with_the_reason_for_members_only(app, client, held, db):
    people = held.people
    item = held.case_item()
    with app.test_request_context():
        agenda.declare_interest(people.member, item, "Knows the victim's employer.")
    minutes = _start(client, held)
    number = next(n for n, i in enumerate(held.items(), start=1) if i.id == item.id)
    members = document_of(minutes)
    [row] = members.declarations
    assert (row.name, row.organisation, row.item) == (
        "Joe Barker",
        "CPS West Midlands",
        f"{number}. {item.title}",
    )
    assert row.reason == "Knows the victim's employer."
    assert members.for_readers().declarations[0].reason is None
    text = _pdf_text(render_pdf(members.for_readers()))
    assert f"Joe Barker (CPS West Midlands) declared an interest in item {number}" in text
    assert "victim's employer" not in text


def test_lessons_and_recommendations_are_numbered_within_the_meeting_with_a_summary(
    app, client, held, db
):
    from tests.lessons.conftest import lesson, recommendation

    people = held.people
    with app.test_request_context():
        first = lesson(people.coordinator, held.case_review, text="The second lesson of the case.")
        recommendation(people.coordinator, first, people.chair.organisation)
    minutes = _start(client, held)
    document = document_of(minutes)
    [case_item] = [item for item in document.items if item.case]
    assert [row.number for row in case_item.case.lessons] == [1, 2]
    [row] = document.recommendations
    assert row.number == 1
    text = _pdf_text(render_pdf(document))
    assert "Recommendation 1 to CPS West Midlands, due " in text
    summary = text[text.index("Summary of recommendations") :]
    assert "No. Agency Recommendation Due" in summary
    assert re.search(r"1 CPS West Midlands .+ \d+ \w+ \d{4}", summary)


def test_signature_block_is_blank_until_the_chair_approves(app, client, held):
    minutes = _start(client, held)
    text = _pdf_text(render_pdf(document_of(minutes)))
    assert "Signed as a correct record" in text and BLANK_SIGNATURE in text
    with app.test_request_context():
        services.submit(held.people.coordinator, minutes, minutes.edit_version)
        services.approve(held.people.chair, minutes, minutes.edit_version)
    day = format_datetime(minutes.versions[-1].approved_at, "date")
    text = _pdf_text(render_pdf(document_of(minutes)))
    assert f"Chair: Harriet Lang Date: {day}" in text
    assert BLANK_SIGNATURE not in text


def test_close_next_meeting_handling_and_retention_close_the_record(app, held):
    minutes = published(app, held)
    version = minutes.published_version
    text = _pdf_text(version.published_pdf)
    assert f"The meeting closed at {format_time(held.meeting.ends_at)}." in text
    statement = text[text.index("Handling and retention") :]
    assert "OFFICIAL-SENSITIVE" in statement
    assert f"{held.panel.case_review_retention_months} months" in statement


# --- The demo's published minutes --------------------------------------------------------------


def _published_demo_pdf(db, panel_name: str) -> str:
    minutes = db.session.scalar(
        db.select(Minutes)
        .join(Minutes.meeting)
        .join(Meeting.panel)
        .where(Panel.name == panel_name, Minutes.agreed_at_meeting_id.is_(None))
        .order_by(Meeting.starts_at.desc())
        .limit(1)
    )
    return _pdf_text(minutes.published_version.published_pdf)


def _in_order(text: str, *phrases: str) -> None:
    positions = []
    for phrase in phrases:
        start = positions[-1] if positions else 0
        assert phrase in text[start:], f"{phrase!r} not after {phrases[len(positions) - 1]!r}"
        positions.append(text.index(phrase, start))


def test_demo_published_minutes_read_as_a_committee_record(app, db):
    load_demo_data()
    scrutiny = _published_demo_pdf(db, "West Midlands Independent Scrutiny Panel")
    _in_order(
        scrutiny,
        "Document control",
        "Attendance",
        "Present",
        "Apologies",
        "Declarations of interest",
        "declared an interest in item",
        "1. Welcome and apologies",
        "2. Minutes of the last meeting and matters arising",
        "Agreed: the minutes of the last meeting are a correct record",
        "Case review ISP-2026-001",
        "Lesson 1:",
        "Recommendation 1 to ",
        "Actions",
        "The meeting closed at ",
        "Date of next meeting",
        "Summary of recommendations",
        "No. Agency Recommendation Due",
        "Signed as a correct record",
        "Chair: Harriet Lang Date: ",
        "Handling and retention",
    )
    coventry = _published_demo_pdf(db, "Coventry Hate Crime Panel")
    _in_order(
        coventry,
        "Attendance",
        "Apologies",
        "Represented by a deputy",
        "2. Minutes of the last meeting and matters arising",
        "are a correct record, with these amendments:",
        "Matters arising",
        "Actions",
        "Signed as a correct record",
        "Handling and retention",
    )
    for text in (scrutiny, coventry):
        for contradiction in ("are not yet approved", "true record", "were not agreed"):
            assert contradiction not in text
    # The earlier Coventry minutes say where they were agreed.
    earlier = db.session.scalar(
        db.select(Minutes).where(Minutes.agreed_at_meeting_id.is_not(None)).limit(1)
    )
    assert earlier is not None and earlier.meeting.panel.name == "Coventry Hate Crime Panel"
