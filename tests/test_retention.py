"""Retention: each panel's periods decide when case detail is deleted; `flask apply-retention`
deletes the free text that is due, keeps the coarse facts, lessons and published minutes, and
audits each deletion; a dry run only lists what would go."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from panel.cases import services as case_services
from panel.cases.models import CaseReview, CaseView
from panel.cases.services import FindingDetails
from panel.cases.vocabularies import Answer, Outcome, Rating, Stage, Strand
from panel.core import retention
from panel.core.audit import AuditAction, AuditEvent, verify_chain
from panel.extensions import db as _db
from panel.interventions import services as intervention_services
from panel.interventions.models import Intervention, InterventionUpdate, LiveCase
from panel.interventions.services import Closure
from panel.interventions.vocabularies import (
    ClosureReason,
    InterventionStatus,
    RiskLevel,
    VictimNeed,
    VictimOutcome,
)
from panel.lessons import services as lesson_services
from panel.lessons.models import Lesson, LessonKind
from panel.meetings.models import MeetingStatus
from panel.minutes import services as minutes_services
from panel.minutes.models import Minutes, MinutesStatus, MinutesVersion
from panel.panels.models import Panel, PanelKind
from tests.cases import factories as case_factories
from tests.cases.conftest import isp  # noqa: F401  (the scrutiny panel)
from tests.cases.factories import NARRATIVE
from tests.interventions.conftest import (
    RISK_REASON,
    SUMMARY,
    accept_agreement,
    intervention,
    live_case,
)
from tests.meetings import factories as meeting_factories

STAGE_COMMENT = "The suspect was interviewed late, after the victim chased the officer twice."
OVERALL_VIEW = "A fair outcome, reached more slowly than the victim should have had to wait."
LESSON_TEXT = "Offer an interpreter before taking the first account from a victim."
UPDATE_NOTE = "Tenancy warning served; the victim says the abuse has stopped."
READERS_PDF = b"%PDF-1.7 the readers' minutes"

# 31 January 2026 in the UK: 24 months on is 31 January 2028.
PUBLISHED_AT = datetime(2026, 1, 31, 10, 0, tzinfo=UTC)
# 23:30 on 31 March 2026 in UTC is 00:30 on 1 April in the UK (summer time): 12 months on is
# 1 April 2027.
CLOSED_AT = datetime(2026, 3, 31, 23, 30, tzinfo=UTC)


# --- Builders ----------------------------------------------------------------------------------


def finished_case_review(app, people, *, publish: bool = True, close: bool = True) -> CaseReview:
    """A case review of the scrutiny panel, discussed at a held meeting, every stage rated (one
    with a comment), with the overall view and a lesson; closed, and the meeting's minutes
    published on `PUBLISHED_AT` (or only approved)."""
    with app.test_request_context():
        meeting = meeting_factories.meeting_with_agenda(people.coordinator, people.panel)
        review = case_factories.case_review(people.coordinator, people.panel)
        case_services.place_on_agenda(people.coordinator, review, meeting)
        findings = {stage: FindingDetails(Rating.SATISFACTORY) for stage in Stage}
        findings[Stage.INVESTIGATION] = FindingDetails(Rating.AREA_FOR_IMPROVEMENT, STAGE_COMMENT)
        case_services.record_stage_findings(people.coordinator, review, findings, OVERALL_VIEW)
        lesson_services.record_lesson(
            people.coordinator,
            lesson_services.LessonDetails(
                kind=LessonKind.IMPROVEMENT, strands=[], text=LESSON_TEXT, stage=Stage.INVESTIGATION
            ),
            case_review=review,
        )
        if close:
            case_services.close_case_review(people.coordinator, review)
            review.closed_at = PUBLISHED_AT - timedelta(days=7)  # closed at the meeting
        meeting.status = MeetingStatus.HELD
        _db.session.commit()
        minutes = minutes_services.start(people.coordinator, meeting)
        minutes_services.submit(people.coordinator, minutes, minutes.edit_version)
        version = minutes_services.approve(people.chair, minutes, minutes.edit_version)
        if publish:
            version = minutes_services.publish(
                people.chair,
                minutes,
                minutes.edit_version,
                render=lambda document, created: READERS_PDF,
            )
            version.published_at = PUBLISHED_AT
            _db.session.commit()
    return review


def case_review_never_discussed(app, people) -> CaseReview:
    """A case review of the scrutiny panel reviewed and closed without going to a meeting."""
    with app.test_request_context():
        review = case_factories.case_review(people.coordinator, people.panel)
        findings = {stage: FindingDetails(Rating.SATISFACTORY) for stage in Stage}
        case_services.record_stage_findings(people.coordinator, review, findings, OVERALL_VIEW)
        case_services.close_case_review(people.coordinator, review)
    return review


def closed_live_case(db, people) -> tuple[LiveCase, Intervention, Intervention]:
    """A live case of the Coventry panel closed at `CLOSED_AT`, with a completed intervention
    (an update note in its log, written three days before) and one still open."""
    case = live_case(people.coordinator, people.panel)
    done = intervention(people.coordinator, case, people.member.organisation)
    still_open = intervention(people.coordinator, case, people.member.organisation)
    intervention_services.update_intervention(
        people.member,
        done,
        status=InterventionStatus.COMPLETED,
        text=UPDATE_NOTE,
        version=done.version,
    )
    intervention_services.close_case(
        people.coordinator,
        case,
        Closure(ClosureReason.RESOLVED, VictimOutcome.NEEDS_MET, Answer.YES),
        case.version,
    )
    case.closed_at = CLOSED_AT
    db.session.commit()
    # The log is never edited through the ORM; move its entries back in time underneath it.
    db.session.execute(
        sa.update(InterventionUpdate.__table__).values(at=CLOSED_AT - timedelta(days=3))
    )
    db.session.commit()
    db.session.expire_all()
    return case, done, still_open


def due_targets(day: date) -> set[tuple[str, int]]:
    return {(item.kind, item.target.id) for item in retention.due_on(day)}


def retention_events(db) -> list[AuditEvent]:
    return db.session.scalars(
        db.select(AuditEvent)
        .where(AuditEvent.action == AuditAction.RETENTION_DELETE)
        .order_by(AuditEvent.id)
    ).all()


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=["apply-retention", *args])


# --- Periods and due dates ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 4, 1), 12, date(2027, 4, 1)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
    ],
)
def test_a_period_ends_on_the_same_day_of_the_month_or_the_months_last_day(day, months, expected):
    assert retention.add_months(day, months) == expected


def test_new_panels_keep_case_reviews_24_months_and_live_cases_12(db):
    panel = Panel(name="Walsall Panel", kind=PanelKind.LOCAL_HATE_CRIME_PANEL, area="Walsall")
    db.session.add(panel)
    db.session.commit()
    db.session.refresh(panel)
    assert (panel.case_review_retention_months, panel.live_case_retention_months) == (24, 12)


def test_a_closed_live_case_is_due_on_the_uk_day_its_period_ends_not_the_day_before(db, people):
    case, done, still_open = closed_live_case(db, people)
    assert due_targets(date(2027, 3, 31)) == set()
    assert due_targets(date(2027, 4, 1)) == {("Live case", case.id), ("Intervention", done.id)}
    item = next(i for i in retention.due_on(date(2027, 4, 1)) if i.kind == "Live case")
    assert (item.started, item.due, item.since) == (date(2026, 4, 1), date(2027, 4, 1), "closed")
    assert item.deletes == ("risk reason", "summary")


def test_an_open_intervention_of_a_closed_case_is_kept(db, people):
    case, done, still_open = closed_live_case(db, people)
    assert ("Intervention", still_open.id) not in due_targets(date(2030, 1, 1))


def test_a_later_update_starts_an_interventions_period_again(db, people):
    case, done, _ = closed_live_case(db, people)
    db.session.execute(
        sa.update(InterventionUpdate.__table__)
        .where(InterventionUpdate.intervention_id == done.id)
        .values(at=datetime(2026, 6, 10, 9, tzinfo=UTC))
    )
    db.session.commit()
    assert ("Intervention", done.id) not in due_targets(date(2027, 6, 9))
    (item,) = [i for i in retention.due_on(date(2027, 6, 10)) if i.kind == "Intervention"]
    assert (item.since, item.started) == ("last update", date(2026, 6, 10))


def test_the_panels_own_period_decides(db, people):
    case, *_ = closed_live_case(db, people)
    people.panel.live_case_retention_months = 6
    db.session.commit()
    assert ("Live case", case.id) not in due_targets(date(2026, 9, 30))
    assert ("Live case", case.id) in due_targets(date(2026, 10, 1))


def test_an_open_live_case_is_never_due(db, people):
    case = live_case(people.coordinator, people.panel)
    assert ("Live case", case.id) not in due_targets(date(2040, 1, 1))


def test_a_closed_case_review_is_due_24_months_after_its_minutes_were_published(app, db, isp):  # noqa: F811
    review = finished_case_review(app, isp)
    assert due_targets(date(2028, 1, 30)) == set()
    (item,) = retention.due_on(date(2028, 1, 31))
    assert (item.kind, item.target.id, item.reference) == (
        "Case review",
        review.id,
        review.reference,
    )
    assert (item.since, item.started) == ("minutes published", date(2026, 1, 31))
    assert item.deletes == ("narrative", "overall view", "1 stage comment")


def test_a_case_review_never_discussed_is_due_24_months_after_it_closed(app, db, isp):  # noqa: F811
    review = case_review_never_discussed(app, isp)
    assert review.closed_at > datetime.now(UTC) - timedelta(minutes=5)  # closing dates it
    review.closed_at = CLOSED_AT  # 1 April 2026 in the UK
    db.session.commit()
    assert due_targets(date(2028, 3, 31)) == set()
    (item,) = retention.due_on(date(2028, 4, 1))
    assert (item.target.id, item.since, item.started) == (review.id, "closed", date(2026, 4, 1))
    assert item.deletes == ("narrative", "overall view")


def test_a_case_review_closed_after_its_minutes_were_published_counts_from_closing(app, db, isp):  # noqa: F811
    review = finished_case_review(app, isp)
    review.closed_at = CLOSED_AT  # two months after the minutes were published on 31 January
    db.session.commit()
    assert due_targets(date(2028, 3, 31)) == set()
    (item,) = retention.due_on(date(2028, 4, 1))
    assert (item.since, item.started) == ("closed", date(2026, 4, 1))


def test_a_case_review_only_on_a_cancelled_meetings_agenda_counts_from_closing(app, db, isp):  # noqa: F811
    with app.test_request_context():
        meeting = meeting_factories.meeting_with_agenda(isp.coordinator, isp.panel)
        review = case_factories.case_review(isp.coordinator, isp.panel)
        case_services.place_on_agenda(isp.coordinator, review, meeting)
        findings = {stage: FindingDetails(Rating.SATISFACTORY) for stage in Stage}
        case_services.record_stage_findings(isp.coordinator, review, findings, OVERALL_VIEW)
        case_services.close_case_review(isp.coordinator, review)
    meeting.status = MeetingStatus.CANCELLED
    review.closed_at = CLOSED_AT
    db.session.commit()
    (item,) = retention.due_on(date(2028, 4, 1))
    assert (item.target.id, item.since) == (review.id, "closed")


def test_a_case_review_waits_for_its_minutes_to_be_published(app, db, isp):  # noqa: F811
    finished_case_review(app, isp, publish=False)
    assert due_targets(date(2040, 1, 1)) == set()


def test_a_case_review_still_open_is_never_due(app, db, isp):  # noqa: F811
    finished_case_review(app, isp, close=False)
    assert due_targets(date(2040, 1, 1)) == set()


def test_a_case_review_carried_over_waits_for_the_later_meetings_minutes(app, db, isp):  # noqa: F811
    review = finished_case_review(app, isp, close=False)
    later = meeting_factories.meeting_with_agenda(isp.coordinator, isp.panel)
    later.starts_at = later.starts_at + timedelta(days=30)
    db.session.commit()
    with app.test_request_context():
        # Its findings changed its text, so the chair checks it again before it is carried over.
        case_services.confirm_checked(isp.chair, review, review.text_sha256)
        case_services.place_on_agenda(isp.coordinator, review, later)
        case_services.close_case_review(isp.coordinator, review)
    assert due_targets(date(2040, 1, 1)) == set()


# --- Dry run and deletion ----------------------------------------------------------------------


def test_a_dry_run_lists_what_is_due_and_changes_nothing(app, db, people):
    case, done, _ = closed_live_case(db, people)
    events = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    result = run(app, "--dry-run", "--today", "2027-04-01")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "Coventry Hate Crime Panel (case reviews kept 24 months, live cases 12 months)",
        f"  Live case {case.reference}: closed 1 April 2026, due 1 April 2027; "
        "would delete risk reason, summary",
        f"  Intervention {done.id} for case {case.reference}: case closed 1 April 2026, "
        "due 1 April 2027; would delete description, 1 update note",
        "Dry run: 2 items due on 1 April 2027. Nothing was deleted.",
    ]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == events
    assert (case.risk_reason, case.summary) == (RISK_REASON, SUMMARY)
    assert done.description != "" and not retention.is_deleted(done.description)
    assert [u.text for u in done.updates] == [None, UPDATE_NOTE]


def test_apply_deletes_a_live_cases_text_and_keeps_its_statistics(app, db, people):
    case, done, still_open = closed_live_case(db, people)
    open_description = still_open.description
    result = run(app, "--today", "2027-04-01")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "Deleted under the retention policy: 2 items."
    assert "deleted risk reason, summary" in result.output
    db.session.expire_all()
    marker = "Deleted under the retention policy on 1 April 2027."
    assert (case.risk_reason, case.summary) == (marker, marker)
    assert case.strands == [Strand.DISABILITY]
    assert case.needs == [VictimNeed.HOUSING, VictimNeed.SAFETY]
    assert (case.risk_level, case.policing_area) == (RiskLevel.HIGH, "Coventry NPU")
    assert (case.closure_reason, case.victim_outcome, case.felt_safer) == (
        ClosureReason.RESOLVED,
        VictimOutcome.NEEDS_MET,
        Answer.YES,
    )
    assert case.closed_at == CLOSED_AT
    assert done.description == marker
    assert done.status == InterventionStatus.COMPLETED
    # The note went with its log entry; the entry that only recorded the agreement stays.
    assert [(u.status, u.text) for u in done.updates] == [(InterventionStatus.AGREED, None)]
    assert still_open.description == open_description


def test_apply_deletes_a_case_reviews_text_and_keeps_ratings_lessons_and_minutes(app, db, isp):  # noqa: F811
    review = finished_case_review(app, isp)
    version = db.session.scalars(sa.select(MinutesVersion)).one()
    content, sha256 = json.dumps(version.content, sort_keys=True), version.published_sha256
    result = run(app, "--today", "2028-01-31")
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    marker = "Deleted under the retention policy on 31 January 2028."
    assert (review.narrative, review.overall_view) == (marker, marker)
    comments = {f.stage: f.comment for f in review.stage_findings}
    assert comments[Stage.INVESTIGATION] == marker
    assert {comment for stage, comment in comments.items() if stage != Stage.INVESTIGATION} == {
        None
    }
    ratings = {f.stage: f.rating for f in review.stage_findings}
    assert ratings[Stage.INVESTIGATION] == Rating.AREA_FOR_IMPROVEMENT and len(ratings) == 7
    assert (review.strands, review.outcome) == ([Strand.RACE], Outcome.OC1)
    lesson = db.session.scalars(sa.select(Lesson).where(Lesson.case_review_id == review.id)).one()
    assert lesson.text == LESSON_TEXT
    version = db.session.scalars(sa.select(MinutesVersion)).one()
    assert json.dumps(version.content, sort_keys=True) == content
    assert NARRATIVE in content or OVERALL_VIEW in content
    assert (version.published_sha256, version.published_pdf) == (sha256, READERS_PDF)
    assert db.session.scalars(sa.select(Minutes)).one().status == MinutesStatus.PUBLISHED


def test_each_deletion_is_audited_by_the_system_without_the_text(app, db, people, isp):  # noqa: F811
    review = finished_case_review(app, isp)
    case, done, _ = closed_live_case(db, people)
    run(app, "--today", "2028-01-31")
    events = retention_events(db)
    assert {(e.object_type, e.object_id) for e in events} == {
        ("case_review", review.id),
        ("live_case", case.id),
        ("intervention", done.id),
    }
    assert {e.actor_id for e in events} == {None}
    by_type = {e.object_type: e for e in events}
    assert by_type["case_review"].object_label == (
        f"Case review {review.reference} of West Midlands Independent Scrutiny Panel"
    )
    assert by_type["case_review"].changes == {
        "deleted": "narrative, overall view, 1 stage comment",
        "retention_months": 24,
        "due": "2028-01-31",
    }
    assert by_type["intervention"].changes["deleted"] == "description, 1 update note"
    written = json.dumps([[e.object_label, e.changes] for e in events])
    for text in (NARRATIVE, OVERALL_VIEW, STAGE_COMMENT, RISK_REASON, SUMMARY, UPDATE_NOTE):
        assert text not in written
    assert verify_chain().intact


def test_a_second_run_finds_nothing_left_to_delete(app, db, people):
    closed_live_case(db, people)
    run(app, "--today", "2027-04-01")
    result = run(app, "--today", "2027-05-01")
    assert result.exit_code == 0
    assert result.output == "Nothing is due for deletion on 1 May 2027.\n"
    assert len(retention_events(db)) == 2


def test_nothing_due_says_so(app, db, people):
    closed_live_case(db, people)
    result = run(app, "--dry-run", "--today", "2027-03-31")
    assert (result.exit_code, result.output) == (
        0,
        "Nothing is due for deletion on 31 March 2027.\n",
    )


def test_a_cases_viewing_record_goes_with_its_detail_and_the_trail_keeps_the_openings(
    app,
    db,
    people,
    isp,  # noqa: F811
):
    review = finished_case_review(app, isp)
    case, _, _ = closed_live_case(db, people)
    kept = live_case(people.coordinator, people.panel)  # open: nothing due
    for target, person in ((review, isp.member), (case, people.member), (kept, people.member)):
        case_services.record_views(person, [target])

    run(app, "--today", "2028-01-31")

    def views_of(target) -> int:
        return db.session.scalar(
            sa.select(sa.func.count())
            .select_from(CaseView)
            .where(CaseView.object_type == target.__tablename__, CaseView.object_id == target.id)
        )

    assert (views_of(review), views_of(case), views_of(kept)) == (0, 0, 1)
    openings = db.session.scalars(
        sa.select(AuditEvent.object_id).where(AuditEvent.action == AuditAction.VIEW)
    ).all()
    assert sorted(openings) == sorted([review.id, case.id, kept.id])


# --- Pages after deletion ----------------------------------------------------------------------


def test_a_case_review_page_reads_well_after_deletion(app, db, isp, sign_in_as):  # noqa: F811
    review = finished_case_review(app, isp)
    retention.apply_retention(date(2028, 1, 31))
    response = sign_in_as(isp.coordinator).get(f"/case-reviews/{review.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Deleted under the retention policy on 31 January 2028." in page
    assert "Area for improvement" in page
    for text in (NARRATIVE, OVERALL_VIEW, STAGE_COMMENT):
        assert text not in page


def test_live_case_and_intervention_pages_read_well_after_deletion(app, db, people, sign_in_as):
    case, done, _ = closed_live_case(db, people)
    retention.apply_retention(date(2027, 4, 1))
    accept_agreement(people)
    client = sign_in_as(people.coordinator)
    for url in (f"/live-cases/{case.id}", f"/interventions/{done.id}"):
        response = client.get(url)
        page = response.get_data(as_text=True)
        assert response.status_code == 200, url
        assert "Deleted under the retention policy on 1 April 2027." in page
        for text in (RISK_REASON, SUMMARY, UPDATE_NOTE):
            assert text not in page
    assert "The victim’s needs were met" in client.get(f"/live-cases/{case.id}").get_data(
        as_text=True
    )


# --- The admin's settings ----------------------------------------------------------------------

PANEL_FORM = {
    "name": "Coventry Hate Crime Panel",
    "kind": "local_hate_crime_panel",
    "area": "Coventry",
    "case_review_retention_months": "36",
    "live_case_retention_months": "6",
}


def test_admin_sets_a_panels_retention_periods(db, people, sign_in_as):
    client = sign_in_as(people.admin)
    form = client.get(f"/admin/panels/{people.panel.id}/edit").get_data(as_text=True)
    assert 'name="case_review_retention_months" type="text" value="24"' in form
    response = client.post(f"/admin/panels/{people.panel.id}/edit", data=PANEL_FORM)
    assert response.status_code == 302
    db.session.refresh(people.panel)
    assert people.panel.case_review_retention_months == 36
    assert people.panel.live_case_retention_months == 6
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.object_type == "panel").order_by(AuditEvent.id)
    ).all()[-1]
    assert event.changes == {
        "case_review_retention_months": [24, 36],
        "live_case_retention_months": [12, 6],
    }
    page = client.get(response.location).get_data(as_text=True)
    assert "36 months after the minutes are published" in page
    assert "6 months after the case closes" in page


def test_a_new_panel_gets_the_periods_given(db, people, sign_in_as):
    client = sign_in_as(people.admin)
    response = client.post("/admin/panels/new", data={**PANEL_FORM, "name": "Walsall Panel"})
    assert response.status_code == 302
    panel = db.session.scalars(sa.select(Panel).where(Panel.name == "Walsall Panel")).one()
    assert (panel.case_review_retention_months, panel.live_case_retention_months) == (36, 6)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Enter the months to keep closed live case details"),
        ("six", "Months to keep closed live case details must be a whole number, like 12"),
        ("1.5", "Months to keep closed live case details must be a whole number, like 12"),
        ("0", "Months to keep closed live case details must be between 1 and 120"),
        ("121", "Months to keep closed live case details must be between 1 and 120"),
    ],
)
def test_a_bad_retention_period_is_a_clear_error(db, people, sign_in_as, value, message):
    client = sign_in_as(people.admin)
    response = client.post(
        f"/admin/panels/{people.panel.id}/edit",
        data={**PANEL_FORM, "live_case_retention_months": value},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count(message) == 2  # in the error summary and beside the field
    assert "Not a valid integer value" not in page
    db.session.refresh(people.panel)
    assert people.panel.live_case_retention_months == 12
