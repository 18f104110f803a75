"""Every page that shows case text records the opening (issue 18, finding 9): a case review's
page, its edit page and its findings page; a live case's page and its edit page; and every page
and download of minutes that carries case review text (the narrative, stage comments, overall
view), for members and for readers of the published minutes, whose layer carries the narrative.
They all record through one function (`panel.cases.services.record_views`), once per person per
case per UK day in the trail; minutes with several case reviews record them all in one upsert.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from panel.cases.models import CaseView
from panel.core.audit import AuditAction, AuditEvent, verify_chain
from panel.core.retention import MARKER_START
from panel.meetings.agenda import services as agenda
from panel.minutes import services as minutes_services
from tests.cases import factories as cases
from tests.cases.conftest import isp  # noqa: F401  (the scrutiny panel fixture)
from tests.conftest import sign_in
from tests.interventions.conftest import accept_agreement, live_case
from tests.minutes.conftest import Held, held_meeting, published
from tests.querycount import count_queries


def _viewed(db, user, case) -> tuple[int, int]:
    """How many openings of `case` by `user` the viewing record counts, and how many VIEW events
    the trail has of them."""
    counted = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(CaseView.count), 0)).where(
            CaseView.object_type == case.__tablename__,
            CaseView.object_id == case.id,
            CaseView.user_id == user.id,
        )
    )
    events = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEvent)
        .where(
            AuditEvent.action == AuditAction.VIEW,
            AuditEvent.actor_id == user.id,
            AuditEvent.object_type == case.__tablename__,
            AuditEvent.object_id == case.id,
        )
    )
    return counted, events


def _open(app, user, url: str) -> str:
    client = app.test_client()
    sign_in(client, user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


@pytest.fixture(autouse=True)
def no_typesetting(monkeypatch):
    """The PDFs' contents are tested elsewhere; here only what opening them records."""
    monkeypatch.setattr("panel.minutes.pdf.render_pdf", lambda document, **_: b"%PDF-1.7 test")


# --- Case reviews and live cases ---------------------------------------------------------------


@pytest.mark.parametrize("page", ["", "/edit", "/findings"])
def test_each_case_review_page_records_the_opening(app, db, isp, page):  # noqa: F811
    with app.test_request_context():
        case_review = cases.case_review(isp.coordinator, isp.panel)

    shown = _open(app, isp.coordinator, f"/case-reviews/{case_review.id}{page}")

    assert cases.NARRATIVE in shown or page == "/findings"
    assert _viewed(db, isp.coordinator, case_review) == (1, 1)


def test_a_saved_change_counts_one_opening_of_the_page_it_returns_to(app, db, isp):  # noqa: F811
    with app.test_request_context():
        case_review = cases.case_review(isp.coordinator, isp.panel)
    client = app.test_client()
    sign_in(client, isp.coordinator)
    data = {**cases.form_data(), "narrative": cases.NARRATIVE + " Reviewed again."}
    saved = client.post(f"/case-reviews/{case_review.id}/edit", data=data, follow_redirects=True)
    assert saved.status_code == 200 and "Reviewed again." in saved.get_data(as_text=True)
    # The form was not opened by this request: the case review page it went back to was.
    assert _viewed(db, isp.coordinator, case_review) == (1, 1)


@pytest.fixture
def coventry(people):
    """The Coventry panel's people, who have accepted its confidentiality agreement."""
    accept_agreement(people)
    return people


@pytest.mark.parametrize("page", ["", "/edit"])
def test_each_live_case_page_records_the_opening(app, db, coventry, page):
    case = live_case(coventry.coordinator, coventry.panel)

    _open(app, coventry.coordinator, f"/live-cases/{case.id}{page}")

    assert _viewed(db, coventry.coordinator, case) == (1, 1)


# --- Minutes -----------------------------------------------------------------------------------


@pytest.fixture
def two_cases(app, isp) -> Held:  # noqa: F811
    """A held meeting with two reviewed case reviews on its agenda."""
    with app.test_request_context():
        meeting, case_reviews = held_meeting(isp, cases=2)
    held = Held(people=isp, meeting=meeting, case_review=case_reviews[0])
    held.case_reviews = case_reviews
    return held


def _each_case_opened(db, user, held: Held, times: int = 1) -> None:
    """Each of the held meeting's case reviews opened `times` times by `user` today: one VIEW
    event each."""
    assert [_viewed(db, user, case) for case in held.case_reviews] == [(times, 1)] * 2


def test_the_draft_minutes_and_their_pdf_record_each_case_review(app, db, two_cases):
    people = two_cases.people
    with app.test_request_context():
        minutes_services.start(people.coordinator, two_cases.meeting)
    meeting_id = two_cases.meeting.id

    page = _open(app, people.member, f"/meetings/{meeting_id}/minutes")
    assert cases.NARRATIVE in page
    _each_case_opened(db, people.member, two_cases)

    _open(app, people.chair, f"/meetings/{meeting_id}/minutes.pdf")
    _each_case_opened(db, people.chair, two_cases)


def test_approving_publishing_and_each_version_record_each_case_review(app, db, two_cases):
    people = two_cases.people
    meeting_id = two_cases.meeting.id
    with app.test_request_context():
        minutes = minutes_services.start(people.coordinator, two_cases.meeting)
        minutes_services.submit(people.coordinator, minutes, minutes.edit_version)

    _open(app, people.chair, f"/meetings/{meeting_id}/minutes/approve")
    _each_case_opened(db, people.chair, two_cases)

    with app.test_request_context():
        minutes_services.approve(people.chair, minutes, minutes.edit_version)
    _open(app, people.chair, f"/meetings/{meeting_id}/minutes/publish")
    _each_case_opened(db, people.chair, two_cases, times=2)
    _open(app, people.member, f"/meetings/{meeting_id}/minutes/versions/1")
    _each_case_opened(db, people.member, two_cases)
    _open(app, people.coordinator, f"/meetings/{meeting_id}/minutes/compare?from=1&to=1")
    _each_case_opened(db, people.coordinator, two_cases)


def test_readers_of_the_published_minutes_are_recorded_too(app, db, two_cases):
    """The readers' layer carries each case review's narrative, its anonymised summary: reading
    it is opening the case, as for members."""
    published(app, two_cases)
    people = two_cases.people
    minutes_id = two_cases.minutes().id

    page = _open(app, people.reader, f"/minutes/{minutes_id}")
    assert cases.NARRATIVE in page
    _each_case_opened(db, people.reader, two_cases)

    _open(app, people.member, f"/minutes/{minutes_id}.pdf")
    _each_case_opened(db, people.member, two_cases)
    # The openings and the download are chained in the order they were recorded.
    assert verify_chain().intact


def test_the_minutes_record_every_case_review_in_one_statement(app, db, isp):  # noqa: F811
    with app.test_request_context():
        meeting, case_reviews = held_meeting(isp, cases=3)
        minutes_services.start(isp.coordinator, meeting)
    client = app.test_client()
    sign_in(client, isp.member)

    for opening, events in ((1, 1), (2, 0)):
        with count_queries() as queries:
            assert client.get(f"/meetings/{meeting.id}/minutes").status_code == 200
        upserts = [s for s in queries.statements if "INSERT INTO case_view" in s]
        assert len(upserts) == 1, opening
        # The day's first opening of each case is in the trail, in one statement too.
        inserts = [s for s in queries.statements if "INSERT INTO audit_event" in s]
        assert len(inserts) == events, opening

    assert [_viewed(db, isp.member, case) for case in case_reviews] == [(2, 1)] * 3
    assert verify_chain().intact


def test_a_case_review_withheld_from_the_member_is_not_recorded(app, db, two_cases):
    people = two_cases.people
    withheld, shown = two_cases.case_reviews
    with app.test_request_context():
        item = next(i for i in two_cases.items() if i.case_review_id == withheld.id)
        agenda.declare_interest(people.member, item, "A neighbour of the family")
        minutes_services.start(people.coordinator, two_cases.meeting)
        db.session.commit()

    _open(app, people.member, f"/meetings/{two_cases.meeting.id}/minutes")

    assert _viewed(db, people.member, withheld) == (0, 0)
    assert _viewed(db, people.member, shown) == (1, 1)


def test_published_minutes_record_no_case_whose_detail_was_deleted(app, db, two_cases):
    """Retention deletes a case review's detail and its viewing record and keeps the published
    minutes: reading them later does not start a viewing record that nothing would delete."""
    published(app, two_cases)
    deleted, kept = two_cases.case_reviews
    deleted.narrative = f"{MARKER_START}1 March 2027."
    db.session.commit()

    _open(app, two_cases.people.reader, f"/minutes/{two_cases.minutes().id}")

    assert _viewed(db, two_cases.people.reader, deleted) == (0, 0)
    assert _viewed(db, two_cases.people.reader, kept) == (1, 1)
