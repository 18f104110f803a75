"""Conflicts of interest in the minutes: a member who declared an interest in a case review reads
minutes (the page, a version, a comparison, the PDF, the published minutes) with that case's
section replaced by a line saying it is withheld because of their declaration, as the case and its
lessons are hidden from them everywhere else; everyone else reads the case in full.
"""

from __future__ import annotations

import hashlib
import io
import re
from datetime import timedelta

from pypdf import PdfReader

from panel import access
from panel.access import CaseVisibility
from panel.extensions import db
from panel.lessons import services as lesson_services
from panel.lessons.models import Lesson
from panel.meetings.agenda import services as agenda
from panel.minutes import services
from panel.minutes.document import WITHHELD_NOTICE
from panel.minutes.models import MinutesVersion
from panel.minutes.pdf import render_pdf
from tests.conftest import sign_in
from tests.minutes.conftest import (
    LESSON_TEXT,
    OVERALL_VIEW,
    PUBLIC_NOTE,
    RESTRICTED_NOTE,
    STAGE_COMMENT,
    Held,
    approved,
    held_meeting,
    published,
)

# A recommendation from the case's lesson: in the case's section and the summary table.
CASE_RECOMMENDATION = "Check in supervision that an interpreter was offered before the account."
# Everything about the case that the declared member must not read in the minutes.
CASE_CONTENT = (
    LESSON_TEXT,
    CASE_RECOMMENDATION,
    PUBLIC_NOTE,
    RESTRICTED_NOTE,
    STAGE_COMMENT,
    OVERALL_VIEW,
)
RECOMMENDATION = "Offer every victim an interpreter at the first contact, and record the offer."


def _declare(app, held: Held) -> None:
    with app.test_request_context():
        agenda.declare_interest(held.people.member, held.case_item(), "I know the victim's family.")


def _url(held: Held, rest: str = "") -> str:
    return f"/meetings/{held.meeting.id}/minutes{rest}"


def _pdf_text(data: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"\s+", " ", text)


def _assert_withheld(text: str, held: Held) -> None:
    assert WITHHELD_NOTICE in text
    for content in CASE_CONTENT:
        assert content not in text, content
    # The item stays in its place: the member knows the case was discussed.
    assert f"Case review {held.case_review.reference}" in text


def _recommend(held: Held, text: str) -> None:
    """Address a recommendation from the case's lesson to an organisation (as the coordinator:
    the service refuses anyone who declared an interest in the case, as the chair may have)."""
    lesson = db.session.scalar(
        db.select(Lesson).where(Lesson.case_review_id == held.case_review.id)
    )
    lesson_services.add_recommendation(
        held.people.coordinator,
        lesson,
        lesson_services.RecommendationDetails(
            organisation=held.people.chair.organisation,
            text=text,
            due_date=held.meeting.starts_at.date() + timedelta(days=60),
        ),
        notify=False,
    )


def _draft(app, held: Held):
    """Started minutes with notes on the case review item (a draft), whose lesson carries a
    recommendation."""
    with app.test_request_context():
        _recommend(held, CASE_RECOMMENDATION)
        minutes = services.start(held.people.coordinator, held.meeting)
        services.save_notes(
            held.people.coordinator,
            minutes,
            {held.case_item().id: services.ItemNotes(RESTRICTED_NOTE, PUBLIC_NOTE)},
            services.ItemNotes(None, None),
            minutes.edit_version,
        )
    return minutes


# --- The one decision --------------------------------------------------------------------------


def test_one_function_says_what_each_person_may_see_of_a_case(app, held):
    _declare(app, held)
    people = held.people
    with app.test_request_context():
        assert access.case_visibility(people.chair, held.case_review) is CaseVisibility.FULL
        assert access.case_visibility(people.member, held.case_review) is CaseVisibility.WITHHELD
        assert access.case_visibility(people.reader, held.case_review) is CaseVisibility.NONE
        assert access.case_visibility(people.outsider, held.case_review) is CaseVisibility.NONE
        assert access.withheld_case_ids(people.member) == {held.case_review.id}
        assert access.withheld_case_ids(people.chair) == frozenset()


def test_the_case_and_its_lessons_are_hidden_from_the_declared_member_elsewhere(
    app, client, held, db
):
    _declare(app, held)
    sign_in(client, held.people.member)
    assert client.get(f"/case-reviews/{held.case_review.id}").status_code == 404
    lesson = db.session.scalar(
        db.select(Lesson).where(Lesson.case_review_id == held.case_review.id)
    )
    assert client.get(f"/lessons/{lesson.id}").status_code == 404
    register = client.get(f"/panels/{held.panel.id}/lessons").get_data(as_text=True)
    assert LESSON_TEXT not in register


# --- The members' minutes ----------------------------------------------------------------------


def test_draft_minutes_withhold_the_case_from_the_member_who_declared_an_interest(
    app, client, held
):
    _declare(app, held)
    _draft(app, held)
    sign_in(client, held.people.member)
    _assert_withheld(client.get(_url(held)).get_data(as_text=True), held)
    client.post("/sign-out")
    sign_in(client, held.people.coordinator)
    page = client.get(_url(held)).get_data(as_text=True)
    assert WITHHELD_NOTICE not in page
    for content in CASE_CONTENT:
        assert content in page, content


def test_a_version_page_withholds_the_case_from_the_member_who_declared(app, client, held):
    _declare(app, held)
    approved(app, held)
    sign_in(client, held.people.member)
    _assert_withheld(client.get(_url(held, "/versions/1")).get_data(as_text=True), held)


def test_comparing_versions_withholds_the_case_from_the_member_who_declared(app, client, held):
    _declare(app, held)
    minutes = approved(app, held)
    with app.test_request_context():
        services.new_version(held.people.coordinator, minutes, minutes.edit_version)
    sign_in(client, held.people.member)
    for query in ("?from=1&to=draft", "?from=1&to=1"):
        page = client.get(_url(held, f"/compare{query}")).get_data(as_text=True)
        _assert_withheld(page, held)
    client.post("/sign-out")
    sign_in(client, held.people.chair)
    page = client.get(_url(held, "/compare?from=1&to=draft")).get_data(as_text=True)
    assert LESSON_TEXT in page and WITHHELD_NOTICE not in page


def test_the_minutes_pdf_is_rendered_for_the_member_who_declared_without_the_case(
    app, client, held
):
    _declare(app, held)
    _draft(app, held)
    sign_in(client, held.people.member)
    response = client.get(_url(held, ".pdf"))
    assert response.status_code == 200
    _assert_withheld(_pdf_text(response.data), held)
    client.post("/sign-out")
    sign_in(client, held.people.coordinator)
    full = _pdf_text(client.get(_url(held, ".pdf")).data)
    assert LESSON_TEXT in full and WITHHELD_NOTICE not in full


# --- The published minutes ---------------------------------------------------------------------


def test_published_minutes_withhold_the_case_from_the_member_who_declared(app, client, held, db):
    _declare(app, held)
    minutes = published(app, held)
    stored = db.session.scalar(
        db.select(MinutesVersion.published_pdf).where(MinutesVersion.minutes_id == minutes.id)
    )
    sign_in(client, held.people.member)
    _assert_withheld(client.get(f"/minutes/{minutes.id}").get_data(as_text=True), held)
    # Not the shared published PDF: one rendered for them, without the case.
    response = client.get(f"/minutes/{minutes.id}.pdf")
    assert response.status_code == 200
    assert response.data != stored
    _assert_withheld(_pdf_text(response.data), held)
    client.post("/sign-out")
    # Readers, who cannot declare interests, still get the stored bytes.
    sign_in(client, held.people.reader)
    response = client.get(f"/minutes/{minutes.id}.pdf")
    assert hashlib.sha256(response.data).digest() == hashlib.sha256(stored).digest()


def test_a_later_meetings_matters_arising_leave_out_the_declared_cases_recommendations(
    app, client, held, db
):
    people = held.people
    _declare(app, held)
    with app.test_request_context():
        _recommend(held, RECOMMENDATION)
        later_meeting, (later_case,) = held_meeting(people)
    later_meeting.starts_at = held.meeting.starts_at + timedelta(days=28)
    db.session.commit()
    later = Held(people, later_meeting, later_case)
    minutes = _draft(app, later)
    sign_in(client, people.chair)
    assert RECOMMENDATION in client.get(_url(later)).get_data(as_text=True)
    client.post("/sign-out")
    sign_in(client, people.member)
    page = client.get(_url(later)).get_data(as_text=True)
    assert RECOMMENDATION not in page
    assert RECOMMENDATION not in _pdf_text(client.get(_url(later, ".pdf")).data)
    # The published minutes too: readers see the matter arising, the member does not.
    with app.test_request_context():
        services.submit(people.coordinator, minutes, minutes.edit_version)
        services.approve(people.chair, minutes, minutes.edit_version)
        services.publish(people.chair, minutes, minutes.edit_version, render=render_pdf)
    assert RECOMMENDATION not in client.get(f"/minutes/{minutes.id}").get_data(as_text=True)
    assert RECOMMENDATION not in _pdf_text(client.get(f"/minutes/{minutes.id}.pdf").data)
    client.post("/sign-out")
    sign_in(client, people.reader)
    assert RECOMMENDATION in client.get(f"/minutes/{minutes.id}").get_data(as_text=True)


# --- Writing the minutes -----------------------------------------------------------------------


def test_the_notes_page_withholds_the_case_from_an_editor_who_declared_and_keeps_its_notes(
    app, client, held, db
):
    people = held.people
    with app.test_request_context():
        agenda.declare_interest(people.chair, held.case_item(), "My office advised the victim.")
    minutes = _draft(app, held)
    sign_in(client, people.chair)
    page = client.get(_url(held, "/edit")).get_data(as_text=True)
    assert WITHHELD_NOTICE in page
    for content in CASE_CONTENT:
        assert content not in page, content
    assert f'name="restricted_{held.case_item().id}"' not in page
    # Saving the other items leaves the withheld item's notes as they were.
    others = [item for item in held.items() if item.id != held.case_item().id]
    data = {"edit_version": str(minutes.edit_version)}
    for item in others:
        data[f"restricted_{item.id}"] = ""
        data[f"public_{item.id}"] = "The chair welcomed everyone."
    response = client.post(_url(held, "/edit"), data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    client.post("/sign-out")
    sign_in(client, people.coordinator)
    page = client.get(_url(held)).get_data(as_text=True)
    assert RESTRICTED_NOTE in page and PUBLIC_NOTE in page
    assert "The chair welcomed everyone." in page


def test_the_chairs_confirmation_pages_withhold_a_case_they_declared_an_interest_in(
    app, client, held
):
    people = held.people
    with app.test_request_context():
        agenda.declare_interest(people.chair, held.case_item(), "My office advised the victim.")
    minutes = _draft(app, held)
    with app.test_request_context():
        services.submit(people.coordinator, minutes, minutes.edit_version)
    sign_in(client, people.chair)
    _assert_withheld(client.get(_url(held, "/approve")).get_data(as_text=True), held)
    with app.test_request_context():
        services.approve(people.chair, minutes, minutes.edit_version)
    _assert_withheld(client.get(_url(held, "/publish")).get_data(as_text=True), held)
