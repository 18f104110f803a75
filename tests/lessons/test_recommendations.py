"""Recommendations from an area for improvement to an agency, followed until the chair closes
them: who may do each step, what each step needs, the history, and no lost updates."""

from __future__ import annotations

from datetime import timedelta

from panel.core import unit_of_work
from panel.core.audit import AuditAction, AuditEvent
from panel.extensions import db
from panel.lessons import services
from panel.lessons.lifecycle import Move, RecommendationRefused
from panel.lessons.models import LessonKind, Recommendation, RecommendationEvent
from panel.lessons.models import RecommendationStatus as S
from panel.lessons.queries import uk_today
from panel.panels.models import Role
from tests import factories
from tests.conftest import sign_in
from tests.lessons.conftest import RECOMMENDATION_TEXT, lesson, recommendation


def _due(days: int = 60) -> dict:
    day = uk_today() + timedelta(days=days)
    return {"due_date": [str(day.day), str(day.month), str(day.year)]}


def _status(recommendation_id: int) -> S:
    return db.session.scalar(
        db.select(Recommendation.status).where(Recommendation.id == recommendation_id)
    )


def test_the_chair_addresses_a_recommendation_and_the_police_are_emailed_a_link_only(
    client, scrutiny, mail_app_config
):
    saved = lesson(scrutiny.chair, scrutiny.case_review)
    sign_in(client, scrutiny.chair)
    response = client.post(
        f"/lessons/{saved.id}/recommendations/new",
        data={"organisation_id": str(scrutiny.police.id), "text": RECOMMENDATION_TEXT, **_due()},
    )
    assert response.status_code == 302
    made = db.session.scalars(db.select(Recommendation)).one()
    assert (made.organisation_id, made.status) == (scrutiny.police.id, S.OPEN)
    [mail] = mail_app_config.messages
    assert mail["To"] == scrutiny.police_member.email
    body = mail.get_content()
    assert f"/recommendations/{made.id}" in body
    # Neither the recommendation nor the lesson leaves the system by e-mail.
    assert "interpreter" not in body and "interpreter" not in mail["Subject"]
    page = client.get(response.location).get_data(as_text=True)
    assert "We will e-mail 1 person at West Midlands Police" in page


def test_a_recommendation_needs_an_organisation_text_and_a_future_due_date(client, scrutiny):
    saved = lesson(scrutiny.chair, scrutiny.case_review)
    sign_in(client, scrutiny.chair)
    response = client.post(
        f"/lessons/{saved.id}/recommendations/new",
        data={"organisation_id": "", "text": "", **_due(-1)},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Select the organisation the recommendation is addressed to" in page
    assert "Enter the recommendation" in page
    assert "must be today or in the future" in page
    assert db.session.scalar(db.select(db.func.count(Recommendation.id))) == 0


def test_good_practice_carries_no_recommendations(client, scrutiny):
    good = lesson(scrutiny.chair, scrutiny.case_review, kind=LessonKind.GOOD_PRACTICE)
    sign_in(client, scrutiny.chair)
    response = client.post(
        f"/lessons/{good.id}/recommendations/new",
        data={"organisation_id": str(scrutiny.police.id), "text": RECOMMENDATION_TEXT, **_due()},
        follow_redirects=True,
    )
    assert "Only an area for improvement can carry recommendations" in response.get_data(
        as_text=True
    )
    assert db.session.scalar(db.select(db.func.count(Recommendation.id))) == 0


def test_the_whole_journey_from_open_to_closed_keeps_its_history(client, scrutiny):
    made = recommendation(
        scrutiny.chair, lesson(scrutiny.chair, scrutiny.case_review), scrutiny.police
    )
    sign_in(client, scrutiny.police_member)
    page = client.get(f"/recommendations/{made.id}").get_data(as_text=True)
    assert "Record the response" in page
    assert "Close the recommendation" not in page
    client.post(
        f"/recommendations/{made.id}/respond",
        data={
            "decision": "accepted",
            "note": "Accepted: briefing to all response teams.",
            "version": "1",
        },
    )
    assert _status(made.id) == S.ACCEPTED
    client.post(
        f"/recommendations/{made.id}/implement",
        data={"note": "Briefing delivered to every response team in March.", "version": "2"},
    )
    assert _status(made.id) == S.IMPLEMENTED
    client.post("/sign-out")
    sign_in(client, scrutiny.chair)
    response = client.post(f"/recommendations/{made.id}/close", data={"note": "", "version": "3"})
    assert response.status_code == 302
    assert _status(made.id) == S.CLOSED
    events = db.session.scalars(
        db.select(RecommendationEvent)
        .where(RecommendationEvent.recommendation_id == made.id)
        .order_by(RecommendationEvent.id)
    ).all()
    assert [(e.status, e.by_id) for e in events] == [
        (S.OPEN, scrutiny.chair.id),
        (S.ACCEPTED, scrutiny.police_member.id),
        (S.IMPLEMENTED, scrutiny.police_member.id),
        (S.CLOSED, scrutiny.chair.id),
    ]
    assert events[1].by_organisation_id == scrutiny.police.id
    page = client.get(f"/recommendations/{made.id}").get_data(as_text=True)
    assert "Briefing delivered to every response team" in page
    assert "Accepted: briefing to all response teams." in page
    audited = db.session.scalars(
        db.select(AuditEvent)
        .where(AuditEvent.object_type == "recommendation", AuditEvent.action == AuditAction.UPDATE)
        .order_by(AuditEvent.id)
    ).all()
    assert [event.changes["status"][1] for event in audited] == [
        "accepted",
        "implemented",
        "closed",
    ]


def test_a_response_must_say_what_the_agency_answered(client, scrutiny):
    made = recommendation(
        scrutiny.chair, lesson(scrutiny.chair, scrutiny.case_review), scrutiny.police
    )
    sign_in(client, scrutiny.police_member)
    response = client.post(
        f"/recommendations/{made.id}/respond", data={"decision": "", "note": "", "version": "1"}
    )
    page = response.get_data(as_text=True)
    assert "Select whether the organisation accepts the recommendation" in page
    assert "Enter the agency’s response" in page
    assert _status(made.id) == S.OPEN


def test_only_the_addressed_organisation_responds_and_only_the_chair_closes(client, scrutiny):
    made = recommendation(
        scrutiny.chair, lesson(scrutiny.chair, scrutiny.case_review), scrutiny.police
    )
    # A CPS member of the same panel may read it, but it is not theirs to answer.
    sign_in(client, scrutiny.people.member)
    assert client.get(f"/recommendations/{made.id}").status_code == 200
    tampered = client.post(
        f"/recommendations/{made.id}/respond",
        data={"decision": "accepted", "note": "Yes", "version": "1"},
    )
    assert tampered.status_code == 403
    assert _status(made.id) == S.OPEN
    client.post("/sign-out")
    sign_in(client, scrutiny.police_member)
    assert (
        client.post(f"/recommendations/{made.id}/withdraw", data={"note": "x"}).status_code == 403
    )
    client.post("/sign-out")
    # Someone from another panel cannot learn it exists.
    stranger = factories.user(email="stranger@police.example.org", organisation_=scrutiny.police)
    sign_in(client, stranger)
    assert client.get(f"/recommendations/{made.id}").status_code == 404
    assert client.post(f"/recommendations/{made.id}/respond").status_code == 404


def test_the_coordinator_records_a_response_that_came_by_letter(client, scrutiny):
    made = recommendation(
        scrutiny.chair, lesson(scrutiny.chair, scrutiny.case_review), scrutiny.police
    )
    sign_in(client, scrutiny.people.coordinator)
    response = client.post(
        f"/recommendations/{made.id}/respond",
        data={
            "decision": "not_accepted",
            "note": "Letter: resources not available.",
            "version": "1",
        },
    )
    assert response.status_code == 302
    assert _status(made.id) == S.NOT_ACCEPTED


def test_a_second_save_on_top_of_a_change_it_never_saw_is_refused_and_keeps_the_text(
    client, scrutiny
):
    made = recommendation(
        scrutiny.chair, lesson(scrutiny.chair, scrutiny.case_review), scrutiny.police
    )
    # The chair withdraws it while the police member is writing their response (drawn at v1).
    services.move_recommendation(scrutiny.chair, made, Move.WITHDRAW, S.WITHDRAWN, "Superseded", 1)
    sign_in(client, scrutiny.police_member)
    response = client.post(
        f"/recommendations/{made.id}/respond",
        data={"decision": "accepted", "note": "We accept and will brief teams.", "version": "1"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Someone else changed this recommendation" in page
    assert "We accept and will brief teams." in page
    assert _status(made.id) == S.WITHDRAWN


def test_the_service_refuses_a_stale_version_whoever_calls_it(scrutiny):
    made = recommendation(
        scrutiny.chair, lesson(scrutiny.chair, scrutiny.case_review), scrutiny.police
    )
    services.move_recommendation(
        scrutiny.police_member, made, Move.RESPOND, S.ACCEPTED, "Accepted", made.version
    )
    try:
        services.move_recommendation(scrutiny.chair, made, Move.WITHDRAW, S.WITHDRAWN, "No", 1)
    except RecommendationRefused as refused:
        assert "Someone else changed" in str(refused)
    else:
        raise AssertionError("a stale version was accepted")


def test_an_open_recommendation_can_be_readdressed_and_the_new_agency_is_told(
    client, scrutiny, mail_app_config
):
    made = recommendation(
        scrutiny.chair, lesson(scrutiny.chair, scrutiny.case_review), scrutiny.police
    )
    unit_of_work.commit()  # as the page would: the police's e-mail goes
    mail_app_config.messages.clear()
    council = factories.organisation("Coventry City Council")
    officer = factories.user(email="officer@council.example.org", organisation_=council)
    factories.membership(scrutiny.panel, officer, Role.MEMBER)
    sign_in(client, scrutiny.chair)
    response = client.post(
        f"/recommendations/{made.id}/edit",
        data={
            "organisation_id": str(council.id),
            "text": RECOMMENDATION_TEXT,
            "version": "1",
            **_due(30),
        },
    )
    assert response.status_code == 302
    assert [m["To"] for m in mail_app_config.messages] == [officer.email]
    assert (
        db.session.scalar(
            db.select(Recommendation.organisation_id).where(Recommendation.id == made.id)
        )
        == council.id
    )


def test_nobody_who_declared_an_interest_in_the_case_is_emailed_about_it(scrutiny, mail_app_config):
    from panel.meetings.models import AgendaItem, InterestDeclaration
    from tests.meetings.factories import meeting_on

    colleague = factories.user(email="sergeant@police.example.org", organisation_=scrutiny.police)
    factories.membership(scrutiny.panel, colleague, Role.MEMBER)
    item = AgendaItem(
        meeting=meeting_on(scrutiny.panel),
        position=1,
        kind="case_review",
        title="Case",
        case_review_id=scrutiny.case_review.id,
    )
    db.session.add(item)
    db.session.flush()
    db.session.add(
        InterestDeclaration(agenda_item=item, user_id=colleague.id, reason="Knows the victim")
    )
    db.session.commit()
    recommendation(scrutiny.chair, lesson(scrutiny.chair, scrutiny.case_review), scrutiny.police)
    unit_of_work.commit()
    assert [m["To"] for m in mail_app_config.messages] == [scrutiny.police_member.email]
