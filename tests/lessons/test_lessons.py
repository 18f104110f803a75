"""Recording lessons learnt against a case review's stage or a meeting, through the pages."""

from __future__ import annotations

from panel.cases.vocabularies import Stage, Strand
from panel.core.audit import AuditAction, AuditEvent
from panel.extensions import db
from panel.lessons.models import Lesson, LessonKind
from panel.meetings.models import MeetingStatus
from tests.conftest import sign_in
from tests.lessons.conftest import LESSON_TEXT, lesson, recommendation
from tests.meetings.factories import meeting_on


def _lesson_ids() -> list[int]:
    return list(db.session.scalars(db.select(Lesson.id).order_by(Lesson.id)))


def _lesson_form(**overrides):
    data = {
        "stage": "investigation",
        "kind": "improvement",
        "strands": ["race"],
        "text": LESSON_TEXT,
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_the_chair_records_a_lesson_against_a_case_stage(client, scrutiny):
    sign_in(client, scrutiny.chair)
    case = scrutiny.case_review
    form = client.get(f"/case-reviews/{case.id}/lessons/new").get_data(as_text=True)
    assert "Record a lesson learnt" in form
    response = client.post(f"/case-reviews/{case.id}/lessons/new", data=_lesson_form())
    assert response.status_code == 302
    saved = db.session.scalars(db.select(Lesson)).one()
    assert (saved.case_review_id, saved.stage, saved.kind) == (
        case.id,
        Stage.INVESTIGATION,
        LessonKind.IMPROVEMENT,
    )
    assert saved.strands == [Strand.RACE]
    page = client.get(response.location).get_data(as_text=True)
    assert "did not offer an interpreter" in page
    assert "Add a recommendation" in page
    case_page = client.get(f"/case-reviews/{case.id}").get_data(as_text=True)
    assert f"Lesson {saved.id}: {case.reference}, Investigation" in case_page
    event = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.object_type == "lesson")
    ).one()
    assert event.action == AuditAction.CREATE and event.actor_id == scrutiny.chair.id
    # The trail says the text was set, not what it says.
    assert event.changes["text"] == "(set)"


def test_a_lesson_needs_a_stage_a_kind_and_text_each_with_its_own_message(client, scrutiny):
    sign_in(client, scrutiny.chair)
    response = client.post(
        f"/case-reviews/{scrutiny.case_review.id}/lessons/new",
        data=_lesson_form(stage=None, kind=None, text=""),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Select the stage the lesson is about" in page
    assert "Select whether this is good practice or an area for improvement" in page
    assert "Enter the lesson learnt" in page
    assert db.session.scalar(db.select(db.func.count(Lesson.id))) == 0


def test_the_guard_stops_a_name_in_a_lesson_and_keeps_the_text(client, scrutiny):
    sign_in(client, scrutiny.people.coordinator)
    text = "PC Robert Fenwick told the victim to ring 07700 900123 instead of recording it."
    response = client.post(
        f"/case-reviews/{scrutiny.case_review.id}/lessons/new", data=_lesson_form(text=text)
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Lesson learnt contains what looks like" in page
    assert "Redact and save" in page
    assert db.session.scalar(db.select(db.func.count(Lesson.id))) == 0
    redacted = client.post(
        f"/case-reviews/{scrutiny.case_review.id}/lessons/new",
        data=_lesson_form(text=text, guard_action="redact"),
    )
    assert redacted.status_code == 302
    saved = db.session.scalars(db.select(Lesson)).one().text
    assert "Fenwick" not in saved and "07700" not in saved
    assert "[PHONE]" in saved


def test_a_theme_across_cases_is_recorded_at_a_meeting_without_a_stage(client, scrutiny):
    meeting = meeting_on(scrutiny.panel, days_from_now=-1, status=MeetingStatus.HELD)
    sign_in(client, scrutiny.chair)
    page = client.get(f"/meetings/{meeting.id}/lessons/new").get_data(as_text=True)
    assert "Stage of the criminal justice process" not in page
    response = client.post(
        f"/meetings/{meeting.id}/lessons/new",
        data=_lesson_form(stage=None, strands=[], kind="good_practice"),
    )
    assert response.status_code == 302
    saved = db.session.scalars(db.select(Lesson)).one()
    assert (saved.meeting_id, saved.stage, saved.strands) == (meeting.id, None, [])
    meeting_page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Lessons across cases" in meeting_page
    assert f"Lesson {saved.id}: Theme across cases" in meeting_page


def test_no_theme_lessons_at_a_cancelled_meeting(client, scrutiny):
    meeting = meeting_on(scrutiny.panel, status=MeetingStatus.CANCELLED)
    sign_in(client, scrutiny.chair)
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Record a lesson across cases" not in page


def test_changing_a_lesson_is_audited_with_what_changed(client, scrutiny):
    saved = lesson(scrutiny.chair, scrutiny.case_review)
    sign_in(client, scrutiny.chair)
    response = client.post(
        f"/lessons/{saved.id}/edit",
        data=_lesson_form(
            stage="report", strands=["race", "religion"], text=LESSON_TEXT + " Again."
        ),
    )
    assert response.status_code == 302
    db.session.refresh(saved)
    assert saved.stage == Stage.REPORT
    assert saved.strands == [Strand.RACE, Strand.RELIGION]
    event = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == AuditAction.UPDATE)
    ).one()
    assert event.changes["stage"] == ["investigation", "report"]
    assert event.changes["text"] == ["(hidden)", "(changed)"]
    assert event.changes["strands"] == [
        Strand.RACE.label,
        f"{Strand.RACE.label}, {Strand.RELIGION.label}",
    ]


def test_a_lesson_with_recommendations_stays_an_area_for_improvement(client, scrutiny):
    saved = lesson(scrutiny.chair, scrutiny.case_review)
    recommendation(scrutiny.chair, saved, scrutiny.police)
    sign_in(client, scrutiny.chair)
    response = client.post(f"/lessons/{saved.id}/edit", data=_lesson_form(kind="good_practice"))
    assert response.status_code == 200
    assert "must stay an area for improvement" in response.get_data(as_text=True)
    assert db.session.get(Lesson, saved.id).kind == LessonKind.IMPROVEMENT


def test_a_lesson_recorded_by_mistake_is_deleted_but_not_one_with_recommendations(client, scrutiny):
    mistake = lesson(scrutiny.chair, scrutiny.case_review)
    mistake_id = mistake.id  # read before the lesson is gone
    kept = lesson(scrutiny.chair, scrutiny.case_review, stage=Stage.COURT)
    recommendation(scrutiny.chair, kept, scrutiny.police)
    sign_in(client, scrutiny.chair)
    assert client.post(f"/lessons/{mistake_id}/delete").status_code == 302
    assert _lesson_ids() == [kept.id]
    refused = client.post(f"/lessons/{kept.id}/delete", follow_redirects=True)
    assert "cannot be deleted" in refused.get_data(as_text=True)
    assert _lesson_ids() == [kept.id]
    deleted = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == AuditAction.DELETE)
    ).one()
    assert deleted.object_id == mistake_id


def test_only_organisers_record_lessons_and_readers_never_see_them(client, scrutiny):
    saved = lesson(scrutiny.chair, scrutiny.case_review)
    case = scrutiny.case_review
    sign_in(client, scrutiny.people.member)
    assert client.get(f"/lessons/{saved.id}").status_code == 200
    assert client.get(f"/case-reviews/{case.id}/lessons/new").status_code == 403
    assert client.get(f"/lessons/{saved.id}/edit").status_code == 403
    client.post("/sign-out")
    sign_in(client, scrutiny.people.reader)
    assert client.get(f"/lessons/{saved.id}").status_code == 404
    assert client.get(f"/panels/{scrutiny.panel.id}/lessons").status_code == 404
    assert client.get("/lessons").status_code == 404
    client.post("/sign-out")
    sign_in(client, scrutiny.people.outsider)
    assert client.get(f"/lessons/{saved.id}").status_code == 404
    assert client.get(f"/panels/{scrutiny.panel.id}/lessons").status_code == 404
