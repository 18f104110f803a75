"""The lessons register: filters, the cross-panel view, and a CSV of exactly what it shows."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from panel.cases.vocabularies import Stage, Strand
from panel.core.audit import AuditAction, AuditEvent
from panel.extensions import db
from panel.lessons import services
from panel.lessons.lifecycle import Move
from panel.lessons.models import LessonKind
from panel.lessons.models import RecommendationStatus as S
from panel.lessons.queries import uk_today
from panel.meetings.models import AgendaItem, InterestDeclaration
from tests import factories
from tests.cases import factories as case_factories
from tests.conftest import sign_in
from tests.lessons.conftest import lesson, recommendation
from tests.meetings.factories import meeting_on


def _register(client, panel, **args) -> str:
    response = client.get(f"/panels/{panel.id}/lessons", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _csv(client, path: str, **args) -> list[dict]:
    response = client.get(path, query_string=args)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=lessons")
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def _seed(scrutiny):
    chair, case = scrutiny.chair, scrutiny.case_review
    good = lesson(
        chair, case, kind=LessonKind.GOOD_PRACTICE, stage=Stage.REPORT, text="Quick attendance."
    )
    late = lesson(chair, case, stage=Stage.COURT, text="Special measures were not considered.")
    sexuality = lesson(
        chair,
        case,
        stage=Stage.COURT,
        text="Uplift not announced.",
        strands=[Strand.SEXUAL_ORIENTATION],
    )
    overdue = recommendation(
        chair,
        late,
        scrutiny.police,
        text="Review special measures.",
        due_date=uk_today() + timedelta(days=1),
    )
    # Make it overdue without waiting: due dates are checked against "today" at read time.
    overdue.due_date = uk_today() - timedelta(days=1)
    db.session.commit()
    cps = scrutiny.people.member.organisation
    accepted = recommendation(chair, sexuality, cps, text="Announce the uplift in court.")
    services.move_recommendation(scrutiny.chair, accepted, Move.RESPOND, S.ACCEPTED, "Yes", 1)
    return good, late, sexuality, overdue, accepted


def test_filters_narrow_the_lessons_and_their_recommendations(client, scrutiny):
    good, late, sexuality, overdue, accepted = _seed(scrutiny)
    sign_in(client, scrutiny.people.member)
    panel = scrutiny.panel
    everything = _register(client, panel)
    assert "3 lessons." in everything
    assert f"Lesson {good.id}:" in _register(client, panel, kind="good_practice")
    assert "1 lesson matches the filters" in _register(client, panel, kind="good_practice")
    court = _register(client, panel, stage="court")
    assert f"Lesson {late.id}:" in court and f"Lesson {good.id}:" not in court
    by_strand = _register(client, panel, strand="sexual_orientation")
    assert f"Lesson {sexuality.id}:" in by_strand and f"Lesson {late.id}:" not in by_strand
    police = _register(client, panel, organisation=str(scrutiny.police.id))
    assert f"Recommendation {overdue.id} to" in police
    assert f"Recommendation {accepted.id} to" not in police
    late_only = _register(client, panel, overdue="y")
    assert f"Recommendation {overdue.id} to" in late_only and "Overdue" in late_only
    assert f"Lesson {sexuality.id}:" not in late_only
    assert f"Lesson {sexuality.id}:" in _register(client, panel, status="accepted")


def test_the_period_filter_takes_gov_uk_dates_and_explains_a_bad_one(client, scrutiny):
    _seed(scrutiny)
    sign_in(client, scrutiny.people.member)
    today = uk_today()
    tomorrow = today + timedelta(days=1)
    none_yet = _register(
        client,
        scrutiny.panel,
        recorded_from=[tomorrow.day, tomorrow.month, tomorrow.year],
    )
    assert "No lessons match these filters" in none_yet
    today_only = _register(
        client,
        scrutiny.panel,
        recorded_from=[today.day, today.month, today.year],
        recorded_to=[today.day, today.month, today.year],
    )
    assert "3 lessons match the filters" in today_only
    bad = _register(
        client,
        scrutiny.panel,
        recorded_to=["31", "2", "2026"],
    )
    assert "Recorded to must be a real date" in bad
    assert "3 lessons" in bad  # the bad filter is left out, not the whole list


def test_the_csv_has_exactly_the_rows_the_filters_show_and_is_audited(client, scrutiny):
    good, late, sexuality, overdue, accepted = _seed(scrutiny)
    sign_in(client, scrutiny.people.member)
    rows = _csv(client, f"/panels/{scrutiny.panel.id}/lessons.csv")
    assert len(rows) == 3  # one lesson without recommendations, two with one each
    by_recommendation = {row["Recommendation number"]: row for row in rows}
    assert by_recommendation[str(overdue.id)]["Overdue"] == "Yes"
    assert by_recommendation[str(overdue.id)]["Addressed to"] == "West Midlands Police"
    assert by_recommendation[str(accepted.id)]["Status"] == "Accepted"
    assert by_recommendation[""]["Kind"] == "Good practice to share"
    filtered = _csv(client, f"/panels/{scrutiny.panel.id}/lessons.csv", overdue="y")
    assert [row["Recommendation number"] for row in filtered] == [str(overdue.id)]
    export = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == AuditAction.EXPORT).order_by(AuditEvent.id)
    ).all()
    assert len(export) == 2 and export[1].changes == {"filters": {"overdue": "y"}}


def test_a_cell_that_a_spreadsheet_would_run_as_a_formula_is_written_as_text(client, scrutiny):
    lesson(scrutiny.chair, scrutiny.case_review, text='=HYPERLINK("http://evil.example")')
    sign_in(client, scrutiny.people.member)
    [row] = _csv(client, "/lessons.csv")
    assert row["Lesson"] == '\'=HYPERLINK("http://evil.example")'


def test_the_cross_panel_register_shows_every_panel_the_user_reads_and_no_other(
    client, scrutiny, people
):
    isp_lesson = lesson(scrutiny.chair, scrutiny.case_review, text="From the scrutiny panel.")
    local_case = case_factories.case_review(people.coordinator, people.panel)
    local_lesson = lesson(people.coordinator, local_case, text="From the local panel.")
    # The scrutiny panel's police member also sits on the local panel as a member.
    from panel.panels.models import Role

    factories.membership(people.panel, scrutiny.police_member, Role.MEMBER)
    sign_in(client, scrutiny.police_member)
    page = client.get("/lessons").get_data(as_text=True)
    assert f"Lesson {isp_lesson.id}:" in page and f"Lesson {local_lesson.id}:" in page
    assert "2 lessons." in page
    client.post("/sign-out")
    sign_in(client, people.member)  # on the local panel only
    page = client.get("/lessons").get_data(as_text=True)
    assert f"Lesson {local_lesson.id}:" in page and f"Lesson {isp_lesson.id}:" not in page


def test_a_member_with_a_declared_interest_never_sees_that_cases_lessons(client, scrutiny):
    hidden = lesson(scrutiny.chair, scrutiny.case_review, text="Lesson of a conflicted case.")
    made = recommendation(scrutiny.chair, hidden, scrutiny.police)
    meeting = meeting_on(scrutiny.panel)
    item = AgendaItem(
        meeting=meeting,
        position=1,
        kind="case_review",
        title="Case",
        case_review_id=scrutiny.case_review.id,
    )
    db.session.add(item)
    db.session.flush()
    db.session.add(
        InterestDeclaration(
            agenda_item=item, user_id=scrutiny.people.member.id, reason="Knows the family"
        )
    )
    db.session.commit()
    sign_in(client, scrutiny.people.member)
    assert "Lesson of a conflicted case." not in _register(client, scrutiny.panel)
    assert client.get(f"/lessons/{hidden.id}").status_code == 404
    assert client.get(f"/recommendations/{made.id}").status_code == 404
    assert _csv(client, "/lessons.csv") == []
