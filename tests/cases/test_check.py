"""The second pair of eyes before circulation: a chair or coordinator who did not write a case
review confirms its text checked for identifying detail; only then may it go on an agenda, and any
later change to its text withdraws the confirmation."""

from __future__ import annotations

import pytest

from panel.access import NotAllowed
from panel.cases import services
from panel.cases.models import text_sha256
from panel.cases.services import FindingDetails
from panel.cases.vocabularies import INDIRECT_IDENTIFIERS, Rating, Stage
from panel.core.audit import AuditEvent
from panel.extensions import db as _db
from panel.meetings.agenda import services as agenda
from tests.cases import factories as cases
from tests.conftest import sign_in
from tests.meetings import factories as meetings

UNCHECKED = "has not been checked for identifying detail"


@pytest.fixture
def case_review(app, isp):
    """Written by the coordinator, not yet checked."""
    with app.test_request_context():
        return cases.case_review(isp.coordinator, isp.panel, checked=False)


def _confirm(person, case_review):
    services.confirm_checked(person, case_review, case_review.text_sha256)


def _check_events(case_review) -> list[dict]:
    events = _db.session.scalars(
        _db.select(AuditEvent)
        .where(AuditEvent.object_type == "case_review", AuditEvent.object_id == case_review.id)
        .order_by(AuditEvent.id)
    )
    return [
        event.changes[services.CHECKED_FIELD]
        for event in events
        if event.changes and services.CHECKED_FIELD in event.changes
    ]


# --- On the pages ------------------------------------------------------------------------------


def test_the_chair_checks_a_case_review_and_its_page_shows_who_and_when(
    client, isp, db, case_review
):
    sign_in(client, isp.chair)
    url = f"/case-reviews/{case_review.id}"
    page = client.get(url).get_data(as_text=True)
    assert "Not yet checked" in page
    assert f'href="{url}/check"' in page
    # Not checked, it is not offered for an agenda, and the page says why.
    assert f'href="{url}/agenda"' not in page
    assert "It can go on a meeting’s agenda once a chair or coordinator who did not write it" in (
        page
    )

    form = client.get(f"{url}/check").get_data(as_text=True)
    assert "Check for identifying detail" in form
    assert cases.NARRATIVE in form
    for prompt in INDIRECT_IDENTIFIERS:
        assert prompt in form
    assert "I have checked this case review for identifying detail" in form

    response = client.post(f"{url}/check", data={"checked": "y", "seen": case_review.text_sha256})
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert f"Case review {case_review.reference} checked for identifying detail." in page
    assert "Checked for identifying detail by Harriet Lang on" in page
    assert f'href="{url}/check"' not in page
    assert f'href="{url}/agenda"' in page
    assert "agenda-needs-check" not in page
    assert case_review.is_checked and case_review.checked_by == isp.chair


def test_confirming_without_ticking_the_box_asks_for_it(client, isp, db, case_review):
    sign_in(client, isp.chair)
    response = client.post(
        f"/case-reviews/{case_review.id}/check", data={"seen": case_review.text_sha256}
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "govuk-error-summary" in page
    assert "Confirm that you have checked the case review for identifying detail" in page
    assert not case_review.is_checked


def test_the_author_is_sent_back_and_not_offered_the_check(client, isp, db, case_review):
    sign_in(client, isp.coordinator)
    url = f"/case-reviews/{case_review.id}"
    assert f'href="{url}/check"' not in client.get(url).get_data(as_text=True)
    response = client.get(f"{url}/check")
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "You wrote this case review, so another chair or coordinator must check it" in page
    response = client.post(f"{url}/check", data={"checked": "y", "seen": case_review.text_sha256})
    assert response.status_code == 302
    assert not case_review.is_checked


def test_a_member_may_read_the_case_but_not_check_it(client, isp, db, case_review):
    sign_in(client, isp.member)
    url = f"/case-reviews/{case_review.id}"
    assert "Not yet checked" in client.get(url).get_data(as_text=True)
    assert client.get(f"{url}/check").status_code == 403


# --- The rules, in the service -----------------------------------------------------------------


def test_only_a_second_chair_or_coordinator_may_confirm(app, isp, db, case_review):
    with app.test_request_context():
        with pytest.raises(services.CaseReviewRefused, match="You wrote this case review"):
            _confirm(isp.coordinator, case_review)
        for person in (isp.member, isp.reader, isp.outsider, isp.admin):
            with pytest.raises(NotAllowed):
                _confirm(person, case_review)
        assert not case_review.is_checked
        _confirm(isp.chair, case_review)
    assert case_review.is_checked
    assert case_review.checked_by_id == isp.chair.id and case_review.checked_at is not None


def test_a_confirmation_of_text_that_changed_meanwhile_is_refused(app, isp, db, case_review):
    seen = case_review.text_sha256
    with app.test_request_context():
        services.update_case_review(
            isp.coordinator, case_review, cases.details(narrative="A new summary of the case.")
        )
        with pytest.raises(services.CaseReviewRefused, match="changed while you were checking"):
            services.confirm_checked(isp.chair, case_review, seen)
    assert not case_review.is_checked


def test_an_unchecked_case_review_cannot_go_on_an_agenda(app, isp, db, case_review):
    meeting = meetings.meeting_on(isp.panel)
    with app.test_request_context():
        with pytest.raises(services.CaseReviewRefused, match=UNCHECKED):
            services.place_on_agenda(isp.coordinator, case_review, meeting)
        with pytest.raises(agenda.AgendaRefused, match=UNCHECKED):
            agenda.add_case_reviews(isp.coordinator, meeting, [(case_review, 20)])
        assert meetings.agenda_items(meeting) == []
        _confirm(isp.chair, case_review)
        services.place_on_agenda(isp.coordinator, case_review, meeting)
    assert [item.case_review_id for item in meetings.agenda_items(meeting)] == [case_review.id]


def test_the_agenda_page_refuses_an_unchecked_case_review_with_a_message(
    client, isp, db, case_review
):
    meeting = meetings.meeting_on(isp.panel)
    sign_in(client, isp.coordinator)
    response = client.post(
        f"/case-reviews/{case_review.id}/agenda", data={"meeting_id": str(meeting.id)}
    )
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert f"Case review {case_review.reference} {UNCHECKED}" in page
    assert meetings.agenda_items(meeting) == []


# --- Withdrawn by any change to the text -------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            lambda isp, case_review: services.update_case_review(
                isp.coordinator, case_review, cases.details(narrative="The summary, changed.")
            ),
            id="narrative",
        ),
        pytest.param(
            lambda isp, case_review: services.record_stage_findings(
                isp.coordinator,
                case_review,
                {Stage.REPORT: FindingDetails(Rating.SATISFACTORY, "Officers attended quickly.")},
                None,
            ),
            id="stage comment",
        ),
        pytest.param(
            lambda isp, case_review: services.record_stage_findings(
                isp.chair, case_review, {}, "The panel found the response good overall."
            ),
            id="overall view",
        ),
    ],
)
def test_a_change_to_the_text_withdraws_the_check(app, isp, db, case_review, change):
    meeting = meetings.meeting_on(isp.panel)
    with app.test_request_context():
        _confirm(isp.chair, case_review)
        change(isp, case_review)
        assert not case_review.is_checked
        assert case_review.checked_sha256 is None
        assert case_review.checked_by_id == isp.chair.id  # who checked it last stays
        with pytest.raises(services.CaseReviewRefused, match=UNCHECKED):
            services.place_on_agenda(isp.coordinator, case_review, meeting)
    assert _check_events(case_review) == [[None, "yes"], ["yes", "withdrawn: the text changed"]]
    # The trail says the check was withdrawn, never what the text now says.
    assert "changed." not in str(_check_events(case_review))


def test_a_change_that_leaves_the_text_alone_keeps_the_check(app, isp, db, case_review):
    with app.test_request_context():
        _confirm(isp.chair, case_review)
        services.record_stage_findings(
            isp.coordinator, case_review, {Stage.REPORT: FindingDetails(Rating.SATISFACTORY)}, None
        )
        services.update_case_review(
            isp.coordinator, case_review, cases.details(policing_area="Solihull NPU")
        )
    assert case_review.is_checked
    assert _check_events(case_review) == [[None, "yes"]]


def test_text_changed_by_any_other_path_is_no_longer_checked(app, isp, db, case_review):
    with app.test_request_context():
        _confirm(isp.chair, case_review)
    case_review.narrative += " One more sentence."
    assert not case_review.is_checked


def test_the_case_page_says_when_the_text_changed_after_the_check(
    app, client, isp, db, case_review
):
    with app.test_request_context():
        _confirm(isp.chair, case_review)
    case_review.narrative += " One more sentence."
    db.session.commit()
    sign_in(client, isp.chair)
    page = client.get(f"/case-reviews/{case_review.id}").get_data(as_text=True)
    assert "Not checked since its text changed (last checked by Harriet Lang on" in page


def test_the_fingerprint_covers_every_piece_of_text_in_one_canonical_form():
    base = text_sha256("Narrative.", [("report", "Comment.")], "View.")
    assert base == text_sha256("Narrative.", [("report", "Comment.")], "View.")
    assert text_sha256("N", [], None) == text_sha256("N", [("report", None)], "")
    assert (
        len(
            {
                base,
                text_sha256("Narrative!", [("report", "Comment.")], "View."),
                text_sha256("Narrative.", [("report", "Comment!")], "View."),
                text_sha256("Narrative.", [("court", "Comment.")], "View."),
                text_sha256("Narrative.", [("report", "Comment.")], "View!"),
            }
        )
        == 5
    )


def test_the_agenda_page_says_which_case_reviews_are_not_checked_yet(client, isp, db, case_review):
    checked = cases.case_review(isp.coordinator, isp.panel)
    meeting = meetings.meeting_on(isp.panel)
    sign_in(client, isp.coordinator)
    page = client.get(f"/meetings/{meeting.id}/agenda/case-reviews").get_data(as_text=True)
    hints = {
        reference: page.split(reference, 1)[1].split("checkboxes__hint", 1)[1].split("</div>")[0]
        for reference in (case_review.reference, checked.reference)
    }
    assert "not checked for identifying detail yet" in hints[case_review.reference]
    assert "not checked for identifying detail yet" not in hints[checked.reference]
