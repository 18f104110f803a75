"""Readers (the Independent Advisory Group, and every other role) get only what was published:
the public layer of the published version as a page, and the PDF stored at publication, byte for
byte. Drafts, restricted notes and minutes never published are out of their reach."""

from __future__ import annotations

import hashlib
import re

from panel.core.audit import AuditAction, AuditEvent
from panel.minutes import services
from panel.minutes.models import MinutesVersion
from panel.panels.models import PanelKind, Role
from tests import factories
from tests.conftest import PanelPeople, sign_in
from tests.minutes.conftest import (
    OVERALL_VIEW,
    PUBLIC_NOTE,
    RESTRICTED_NOTE,
    STAGE_COMMENT,
    Held,
    approved,
    held_meeting,
    published,
)

MEMBERS_ONLY = (RESTRICTED_NOTE, STAGE_COMMENT, OVERALL_VIEW)


def _document(page: str) -> str:
    """The rendered minutes, from the document's start to its last paragraph."""
    return re.search(r'id="minutes-document">.*?id="next-meeting">.*?</p>', page, re.S).group(0)


def test_readers_list_shows_published_minutes_of_their_panels_only(app, client, held, db):
    minutes = published(app, held)
    # A later meeting of the same panel, published too, and one only approved.
    with app.test_request_context():
        later_meeting, (later_case,) = held_meeting(held.people)
    later_meeting.starts_at = held.meeting.starts_at.replace(year=held.meeting.starts_at.year + 1)
    db.session.commit()
    later = published(app, Held(held.people, later_meeting, later_case))
    with app.test_request_context():
        unpublished_meeting, (unpublished_case,) = held_meeting(held.people)
    approved(app, Held(held.people, unpublished_meeting, unpublished_case))
    # Another panel's published minutes.
    other_panel = factories.panel("Coventry Independent Advisory Group")
    other_chair = factories.user(email="other.chair@example.org", full_name="Dee Marsh")
    factories.membership(other_panel, other_chair, Role.CHAIR)
    other_coordinator = factories.user(email="other.coord@example.org", full_name="Ian Frost")
    factories.membership(other_panel, other_coordinator, Role.COORDINATOR)
    other_people = PanelPeople(
        panel=other_panel,
        chair=other_chair,
        coordinator=other_coordinator,
        member=other_coordinator,
        reader=other_coordinator,
        admin=held.people.admin,
        outsider=held.people.outsider,
    )
    with app.test_request_context():
        other_meeting, (other_case,) = held_meeting(other_people)
    other = published(app, Held(other_people, other_meeting, other_case))

    sign_in(client, held.people.reader)
    page = client.get("/minutes").get_data(as_text=True)
    assert "Published minutes" in page
    links = [f'href="/minutes/{later.id}"', f'href="/minutes/{minutes.id}"']
    assert all(link in page for link in links)
    assert page.index(links[0]) < page.index(links[1])  # newest meeting first
    assert f'href="/minutes/{other.id}"' not in page
    assert page.count('href="/minutes/') == 2
    assert held.panel.name in page
    # The panel's own list, and the way to it from the panel page.
    assert f'href="/panels/{held.panel.id}/minutes"' in client.get(
        f"/panels/{held.panel.id}"
    ).get_data(as_text=True)
    panel_list = client.get(f"/panels/{held.panel.id}/minutes").get_data(as_text=True)
    assert panel_list.count('href="/minutes/') == 2
    assert client.get(f"/panels/{other_panel.id}/minutes").status_code == 404


def test_reader_reads_the_public_notes_and_nothing_restricted(app, client, held):
    minutes = published(app, held)
    sign_in(client, held.people.reader)
    assert 'href="/minutes"' in client.get("/").get_data(as_text=True)  # in the navigation
    response = client.get(f"/minutes/{minutes.id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert PUBLIC_NOTE in page
    for members_only in MEMBERS_ONLY:
        assert members_only not in page
    assert "Restricted: panel members only" not in page
    assert "/case-reviews/" not in page and "/meetings/" not in page
    version = minutes.versions[-1]
    assert version.published_sha256 in page
    assert f'href="/minutes/{minutes.id}.pdf"' in page


def test_reader_downloads_the_stored_pdf_byte_for_byte_and_it_is_audited(app, client, held, db):
    minutes = published(app, held)
    stored = db.session.scalar(
        db.select(MinutesVersion).where(MinutesVersion.minutes_id == minutes.id)
    )
    sign_in(client, held.people.reader)
    page = client.get(f"/minutes/{minutes.id}").get_data(as_text=True)
    response = client.get(f"/minutes/{minutes.id}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data == stored.published_pdf
    assert hashlib.sha256(response.data).hexdigest() == stored.published_sha256
    assert stored.published_sha256 in page
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    client.get(f"/minutes/{minutes.id}.pdf")
    events = db.session.scalars(
        db.select(AuditEvent).where(
            AuditEvent.action == AuditAction.DOWNLOAD, AuditEvent.object_id == minutes.id
        )
    ).all()
    assert len(events) == 2
    assert {event.actor_id for event in events} == {held.people.reader.id}
    assert events[0].changes == {"version": 1, "sha256": stored.published_sha256}


def test_reader_cannot_open_the_draft_or_the_restricted_minutes_by_url(app, client, held):
    minutes = published(app, held)
    with app.test_request_context():
        services.new_version(held.people.coordinator, minutes, minutes.edit_version)
    base = f"/meetings/{held.meeting.id}/minutes"
    sign_in(client, held.people.reader)
    for path in (
        base,
        f"{base}.pdf",
        f"{base}/edit",
        f"{base}/versions",
        f"{base}/versions/1",
        f"{base}/compare?from=1&to=draft",
        f"{base}/publish",
    ):
        response = client.get(path)
        # Readers know the panel, but not what its members read: Not Found, as for a meeting
        # that does not exist.
        assert response.status_code == 404, path
        text = response.get_data(as_text=True)
        assert all(members_only not in text for members_only in MEMBERS_ONLY), path
    for step in ("start", "submit", "approve", "send-back", "new-version"):
        assert client.post(f"{base}/{step}").status_code == 404, step


def test_minutes_never_published_are_not_found_for_anyone(app, client, held):
    minutes = approved(app, held)
    for person in (held.people.reader, held.people.chair):
        sign_in(client, person)
        assert client.get(f"/minutes/{minutes.id}").status_code == 404
        assert client.get(f"/minutes/{minutes.id}.pdf").status_code == 404
        client.post("/sign-out")
    sign_in(client, held.people.reader)
    assert "No minutes have been published yet." in client.get("/minutes").get_data(as_text=True)


def test_a_reader_of_another_panel_is_not_told_the_minutes_exist(app, client, held):
    minutes = published(app, held)
    elsewhere = factories.panel(
        "Birmingham Independent Advisory Group", PanelKind.INDEPENDENT_ADVISORY_GROUP
    )
    stranger = factories.user(email="iag.reader@example.org", full_name="Rhys Evans")
    factories.membership(elsewhere, stranger, Role.READER)
    sign_in(client, stranger)
    assert client.get(f"/minutes/{minutes.id}").status_code == 404
    assert client.get(f"/minutes/{minutes.id}.pdf").status_code == 404
    assert client.get(f"/minutes/{minutes.id + 1000}").status_code == 404
    assert client.get(f"/meetings/{held.meeting.id}/minutes").status_code == 404
    assert f'href="/minutes/{minutes.id}"' not in client.get("/minutes").get_data(as_text=True)


def test_someone_on_no_panel_has_no_published_minutes_list(client, held):
    sign_in(client, held.people.outsider)
    assert client.get("/minutes").status_code == 403
    assert 'href="/minutes"' not in client.get("/").get_data(as_text=True)


def test_readers_keep_the_published_version_until_the_next_is_published(app, client, held, db):
    from panel.minutes.pdf import render_pdf

    minutes = published(app, held)
    first_pdf = minutes.versions[-1].published_pdf
    people = held.people
    with app.test_request_context():
        services.new_version(people.coordinator, minutes, minutes.edit_version)
        services.save_notes(
            people.coordinator,
            minutes,
            {held.case_item().id: services.ItemNotes(None, "A corrected public note.")},
            services.ItemNotes(None, None),
            minutes.edit_version,
        )
    sign_in(client, people.reader)
    page = client.get(f"/minutes/{minutes.id}").get_data(as_text=True)
    assert PUBLIC_NOTE in page and "A corrected public note." not in page
    assert client.get(f"/minutes/{minutes.id}.pdf").data == first_pdf
    assert _listed_versions(client, minutes) == ["1"]

    with app.test_request_context():
        services.submit(people.coordinator, minutes, minutes.edit_version)
        services.approve(people.chair, minutes, minutes.edit_version)
        services.publish(people.chair, minutes, minutes.edit_version, render=render_pdf)
    page = client.get(f"/minutes/{minutes.id}").get_data(as_text=True)
    assert "A corrected public note." in page and PUBLIC_NOTE not in page
    second = minutes.versions[-1]
    assert second.number == 2 and second.published_sha256 in page
    assert client.get(f"/minutes/{minutes.id}.pdf").data == second.published_pdf
    assert _listed_versions(client, minutes) == ["2"]


def _listed_versions(client, minutes) -> list[str]:
    """The version the readers' list of published minutes gives for these minutes, once per row
    that links to them."""
    rows = client.get("/minutes").get_data(as_text=True).split('<tr class="govuk-table__row">')
    return [
        re.findall(r'<td class="govuk-table__cell"[^>]*>(\d+)</td>', row)[0]
        for row in rows
        if f'href="/minutes/{minutes.id}"' in row
    ]


def test_the_chairs_review_shows_exactly_what_readers_then_get(app, client, held):
    minutes = approved(app, held)
    base = f"/meetings/{held.meeting.id}/minutes"
    sign_in(client, held.people.chair)
    review = client.get(f"{base}/publish").get_data(as_text=True)
    assert "I have checked that this is what readers may see" in review
    for members_only in MEMBERS_ONLY:
        assert members_only not in review
    client.post(f"{base}/publish", data={"edit_version": minutes.edit_version, "checked": "y"})
    client.post("/sign-out")
    sign_in(client, held.people.reader)
    readers = client.get(f"/minutes/{minutes.id}").get_data(as_text=True)
    assert PUBLIC_NOTE in _document(review)
    assert _document(review) == _document(readers)


def _listed_version(page: str, minutes_id: int) -> str:
    """The version number the published-minutes list gives for these minutes."""
    row = re.search(rf'href="/minutes/{minutes_id}".*?</tr>', page, re.S).group(0)
    return re.findall(r'<td class="govuk-table__cell"[^>]*>(\d+)</td>', row)[0]


def test_the_list_shows_each_minutes_once_at_its_latest_published_version(app, client, held):
    from panel.minutes.pdf import render_pdf

    minutes = published(app, held)
    people = held.people
    with app.test_request_context():
        services.new_version(people.coordinator, minutes, minutes.edit_version)
        services.save_notes(
            people.coordinator,
            minutes,
            {held.case_item().id: services.ItemNotes(None, "A corrected public note.")},
            services.ItemNotes(None, None),
            minutes.edit_version,
        )
        services.submit(people.coordinator, minutes, minutes.edit_version)
        services.approve(people.chair, minutes, minutes.edit_version)
    sign_in(client, people.reader)
    for address in ("/minutes", f"/panels/{held.panel.id}/minutes"):
        page = client.get(address).get_data(as_text=True)
        # Version 2 is approved but not published: readers still get version 1.
        assert page.count(f'href="/minutes/{minutes.id}"') == 1
        assert _listed_version(page, minutes.id) == "1"

    with app.test_request_context():
        services.publish(people.chair, minutes, minutes.edit_version, render=render_pdf)
    for address in ("/minutes", f"/panels/{held.panel.id}/minutes"):
        page = client.get(address).get_data(as_text=True)
        assert page.count(f'href="/minutes/{minutes.id}"') == 1
        assert _listed_version(page, minutes.id) == "2"
