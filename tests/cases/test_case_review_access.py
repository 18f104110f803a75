"""Who may open case reviews: members of the owning panel (not readers) who have accepted its
confidentiality agreement, except in a case they declared an interest in. Every opening of a case
review is in the audit trail. The services refuse whoever the pages refuse."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from panel import access
from panel.cases import services
from panel.cases.models import CaseReview, CaseReviewStatus, CaseView
from panel.cases.vocabularies import Rating, Stage
from panel.core.audit import AuditAction, AuditEvent
from panel.meetings.agenda import services as agenda_services
from panel.meetings.models import AgendaItem
from panel.panels.models import Role
from tests import factories
from tests.cases import factories as cases
from tests.conftest import sign_in
from tests.meetings import factories as meetings
from tests.querycount import count_queries


@pytest.fixture
def case_review(app, isp):
    with app.test_request_context():
        return cases.case_review(isp.coordinator, isp.panel)


def _views(db, case_review) -> int:
    return db.session.scalar(
        db.select(db.func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.action == AuditAction.VIEW,
            AuditEvent.object_type == "case_review",
            AuditEvent.object_id == case_review.id,
        )
    )


@pytest.mark.parametrize("role", [Role.CHAIR, Role.COORDINATOR, Role.MEMBER])
def test_panel_members_open_the_list_and_the_case(client, isp, db, case_review, role):
    sign_in(client, isp.by_role(role))
    listing = client.get(f"/panels/{isp.panel.id}/case-reviews").get_data(as_text=True)
    assert case_review.reference in listing
    response = client.get(f"/case-reviews/{case_review.id}")
    assert response.status_code == 200
    assert cases.NARRATIVE in response.get_data(as_text=True)


def test_the_panel_page_links_to_case_reviews_for_members_only(client, isp, db):
    sign_in(client, isp.member)
    page = client.get(f"/panels/{isp.panel.id}").get_data(as_text=True)
    assert f'href="/panels/{isp.panel.id}/case-reviews"' in page


def test_reader_cannot_open_case_reviews(client, isp, db, case_review):
    sign_in(client, isp.reader)
    assert "/case-reviews" not in client.get(f"/panels/{isp.panel.id}").get_data(as_text=True)
    assert client.get(f"/panels/{isp.panel.id}/case-reviews").status_code == 404
    assert client.get(f"/case-reviews/{case_review.id}").status_code == 404
    assert _views(db, case_review) == 0


@pytest.mark.parametrize("who", ["outsider", "admin", "other_panel_chair"])
def test_a_case_outside_your_panels_is_not_found(client, isp, people, db, case_review, who):
    user = people.chair if who == "other_panel_chair" else getattr(isp, who)
    sign_in(client, user)
    for url in ["", "/edit", "/findings", "/agenda"]:
        assert client.get(f"/case-reviews/{case_review.id}{url}").status_code == 404
    assert client.post(f"/case-reviews/{case_review.id}/close").status_code == 404
    assert client.get(f"/panels/{isp.panel.id}/case-reviews").status_code == 404


def test_missing_case_is_not_found(client, isp, db):
    sign_in(client, isp.member)
    assert client.get("/case-reviews/99999").status_code == 404


def test_member_accepts_the_agreement_first_and_is_sent_back(client, isp, db, case_review):
    newcomer = factories.user(email="newcomer@example.org", full_name="Linda Shaw")
    factories.membership(isp.panel, newcomer, Role.MEMBER)
    sign_in(client, newcomer)
    case_url = f"/case-reviews/{case_review.id}"

    response = client.get(case_url)
    assert response.status_code == 302
    assert response.location == f"/panels/{isp.panel.id}/confidentiality?next={case_url}"
    assert _views(db, case_review) == 0
    page = client.get(response.location).get_data(as_text=True)
    assert "Before you open this panel's case material" in page.replace("&#39;", "'")

    accepted = client.post(response.location, data={"agree": "y"})
    assert accepted.status_code == 302
    assert accepted.location.startswith(case_url)
    opened = client.get(accepted.location)
    assert opened.status_code == 200 and case_review.reference in opened.get_data(as_text=True)
    assert _views(db, case_review) == 1


def test_the_list_needs_the_agreement_too(client, isp, db):
    newcomer = factories.user(email="newcomer@example.org")
    factories.membership(isp.panel, newcomer, Role.COORDINATOR)
    sign_in(client, newcomer)
    for url in ["/case-reviews", "/case-reviews/new"]:
        response = client.get(f"/panels/{isp.panel.id}{url}")
        assert response.status_code == 302
        assert response.location.startswith(f"/panels/{isp.panel.id}/confidentiality?next=")


def test_a_declared_conflict_of_interest_hides_the_case(app, client, isp, db, case_review):
    meeting = meetings.meeting_on(isp.panel)
    with app.test_request_context():
        item = services.place_on_agenda(isp.coordinator, case_review, meeting)
        other = cases.case_review(isp.coordinator, isp.panel)
    sign_in(client, isp.member)
    response = client.post(
        f"/meetings/{meeting.id}/agenda/{item.id}/declare",
        data={"reason": "My organisation supports the victim."},
    )
    assert response.status_code == 302

    assert client.get(f"/case-reviews/{case_review.id}").status_code == 404
    listing = client.get(f"/panels/{isp.panel.id}/case-reviews").get_data(as_text=True)
    assert case_review.reference not in listing
    assert other.reference in listing
    agenda = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert case_review.reference in agenda  # the item stays on the agenda, without a link
    assert f'href="/case-reviews/{case_review.id}"' not in agenda
    assert _views(db, case_review) == 0

    # Everyone else still sees it.
    coordinator = app.test_client()
    sign_in(coordinator, isp.coordinator)
    assert coordinator.get(f"/case-reviews/{case_review.id}").status_code == 200


def test_every_view_of_a_case_review_is_counted_and_the_days_first_audited(
    client, isp, db, case_review, monkeypatch
):
    monkeypatch.setattr(services, "utcnow", lambda: datetime(2026, 7, 1, 9, tzinfo=UTC))
    sign_in(client, isp.member)
    for expected in (1, 2, 3):
        client.get(f"/case-reviews/{case_review.id}")
        assert _counted(db, case_review) == expected
    # The trail records who opened it that day once, not each reload.
    assert _views(db, case_review) == 1
    event = db.session.scalars(
        db.select(AuditEvent).where(AuditEvent.action == AuditAction.VIEW)
    ).first()
    assert event.actor_id == isp.member.id
    assert event.object_label == f"Case review {case_review.reference} of {isp.panel.name}"
    # The list is not case material in itself: only opening a case is recorded.
    client.get(f"/panels/{isp.panel.id}/case-reviews")
    assert _counted(db, case_review) == 3


def _counted(db, case_review) -> int:
    """How many openings of `case_review` the viewing record has counted."""
    return db.session.scalar(
        db.select(db.func.coalesce(db.func.sum(CaseView.count), 0)).where(
            CaseView.object_type == "case_review", CaseView.object_id == case_review.id
        )
    )


def test_the_list_filters_by_status(app, client, isp, db, case_review):
    meeting = meetings.meeting_on(isp.panel)
    with app.test_request_context():
        waiting = cases.case_review(isp.coordinator, isp.panel)
        services.place_on_agenda(isp.coordinator, case_review, meeting)
    sign_in(client, isp.member)
    on_agenda = client.get(f"/panels/{isp.panel.id}/case-reviews?status=on_agenda")
    page = on_agenda.get_data(as_text=True)
    assert case_review.reference in page and waiting.reference not in page
    unknown = client.get(f"/panels/{isp.panel.id}/case-reviews?status=lost")
    assert waiting.reference in unknown.get_data(as_text=True)
    assert client.get(f"/panels/{isp.panel.id}/case-reviews?page=x").status_code == 404


def _case_page_queries(client, case_review) -> int:
    with count_queries() as queries:
        assert client.get(f"/case-reviews/{case_review.id}").status_code == 200
    return len(queries)


def test_case_page_queries_do_not_grow_with_its_meetings(app, client, isp, db, case_review):
    sign_in(client, isp.member)
    # The day's first opening also writes its audit event; compare later openings.
    client.get(f"/case-reviews/{case_review.id}")
    with app.test_request_context():
        services.place_on_agenda(isp.coordinator, case_review, meetings.meeting_on(isp.panel))
    one = _case_page_queries(client, case_review)
    with app.test_request_context():
        for days in (30, 60, 90):
            meeting = meetings.meeting_on(isp.panel, days_from_now=days)
            services.place_on_agenda(isp.coordinator, case_review, meeting)
    assert _case_page_queries(client, case_review) == one


def test_list_queries_do_not_grow_with_its_rows(app, client, isp, db, case_review):
    sign_in(client, isp.member)
    url = f"/panels/{isp.panel.id}/case-reviews"
    with count_queries() as first:
        client.get(url)
    with app.test_request_context():
        for _ in range(4):
            cases.case_review(isp.coordinator, isp.panel)
    with count_queries() as more:
        client.get(url)
    assert len(more) == len(first)


# --- The services ask too ------------------------------------------------------------------------
# A command, another service or a tampered request gets the rule the pages declare: the service
# refuses with a 403 before it writes anything.


def _audit_events(db) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(AuditEvent))


def _changes_to_the_case(person, case_review, panel, meeting) -> list:
    """Every change a coordinator makes to a case review, made as `person`."""
    return [
        lambda: services.create_case_review(person, panel, cases.details()),
        lambda: services.update_case_review(
            person, case_review, cases.details(policing_area="Walsall NPU")
        ),
        lambda: services.record_stage_findings(
            person,
            case_review,
            {Stage.REPORT: services.FindingDetails(Rating.GOOD_PRACTICE, "Prompt attendance.")},
            "A proportionate outcome.",
        ),
        lambda: services.place_on_agenda(person, case_review, meeting),
        lambda: services.close_case_review(person, case_review),
    ]


def _assert_untouched(db, case_review, events_before: int) -> None:
    assert not (db.session.new or db.session.dirty or db.session.deleted)
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count()).select_from(CaseReview)) == 1
    assert case_review.policing_area == "Coventry NPU"
    assert case_review.status == CaseReviewStatus.ADDED
    assert case_review.stage_findings == [] and case_review.overall_view is None
    assert db.session.scalar(db.select(db.func.count()).select_from(AgendaItem)) == 0
    assert _audit_events(db) == events_before


@pytest.mark.parametrize("who", ["member", "reader", "outsider", "admin"])
def test_only_organisers_change_case_reviews_through_the_services(app, isp, db, case_review, who):
    person = getattr(isp, who)
    meeting = meetings.meeting_on(isp.panel)
    before = _audit_events(db)
    with app.test_request_context():
        for change in _changes_to_the_case(person, case_review, isp.panel, meeting):
            with pytest.raises(access.NotAllowed):
                change()
    _assert_untouched(db, case_review, before)


def test_a_chair_who_declared_an_interest_cannot_change_the_case_through_the_services(
    app, isp, db, case_review
):
    meeting = meetings.meeting_on(isp.panel)
    with app.test_request_context():
        item = services.place_on_agenda(isp.coordinator, case_review, meeting)
        agenda_services.declare_interest(isp.chair, item, "I know the victim's family.")
    before = _audit_events(db)
    with app.test_request_context():
        # All but the first, adding a case review: other cases are still theirs to add.
        for change in _changes_to_the_case(isp.chair, case_review, isp.panel, meeting)[1:]:
            with pytest.raises(access.NotAllowed):
                change()
        with pytest.raises(access.NotAllowed):
            services.record_view(isp.chair, case_review)
    db.session.expire_all()
    assert case_review.policing_area == "Coventry NPU"
    assert case_review.stage_findings == []
    assert case_review.status == CaseReviewStatus.ON_AGENDA
    assert _counted(db, case_review) == 0
    assert _audit_events(db) == before


def test_a_reader_opening_a_case_through_the_service_is_refused_and_not_counted(
    app, isp, db, case_review
):
    with app.test_request_context(), pytest.raises(access.NotAllowed):
        services.record_view(isp.reader, case_review)
    assert _counted(db, case_review) == 0
    assert _views(db, case_review) == 0
