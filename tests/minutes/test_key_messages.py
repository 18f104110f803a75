"""Key messages: the chair and coordinator write a handful, strictly guarded and addressed to the
community, an agency or both; they are locked with the minutes at approval, published with them,
and published again on their own as a page and a stored PDF marked OFFICIAL, with an archive."""

from __future__ import annotations

import hashlib
import io

import pytest
from pypdf import PdfReader

from panel.core.audit import AuditAction, AuditEvent
from panel.extensions import db as _db
from panel.minutes import services as minutes_services
from panel.minutes.key_messages import services
from panel.minutes.key_messages.models import Audience, KeyMessage, KeyMessagesPublication
from panel.minutes.key_messages.services import KeyMessageDetails, KeyMessageRefused
from panel.minutes.models import MinutesStatus
from tests.conftest import sign_in

VPS = "Take the Victim Personal Statement early, before the first hearing."
UPLIFT = "Tell the victim when the court applied a sentence uplift for hostility."
REPORTING = "Third-party reporting centres in housing offices are open to everyone."


def _agency(held):
    return services.agencies(held.minutes())[0]


def _start(app, held):
    with app.test_request_context():
        return minutes_services.start(held.people.coordinator, held.meeting)


def _write(app, held, *texts_and_audiences):
    minutes = held.minutes() or _start(app, held)
    with app.test_request_context():
        for text, audience in texts_and_audiences:
            agency = _agency(held) if audience.names_agency else None
            services.add(held.people.chair, minutes, KeyMessageDetails(text, audience, agency))
    _db.session.commit()
    return minutes


def _approve_and_publish(app, held, minutes, render=None):
    from panel.minutes.pdf import render_pdf

    people = held.people
    with app.test_request_context():
        minutes_services.submit(people.coordinator, minutes, minutes.edit_version)
        minutes_services.approve(people.chair, minutes, minutes.edit_version)
        minutes_services.publish(
            people.chair,
            minutes,
            minutes.edit_version,
            render=lambda document, created: b"%PDF-1.7\nminutes",
            render_key_messages=render,
        )
        del render_pdf
    _db.session.commit()
    return minutes


def _three(app, held):
    return _write(
        app,
        held,
        (VPS, Audience.AGENCY),
        (UPLIFT, Audience.BOTH),
        (REPORTING, Audience.COMMUNITY),
    )


# --- Writing -----------------------------------------------------------------------------------


def test_chair_writes_reorders_changes_and_removes_key_messages_through_the_pages(
    app, client, held, db
):
    minutes = _start(app, held)
    _db.session.commit()
    sign_in(client, held.people.chair)
    base = f"/meetings/{held.meeting.id}/key-messages"
    agency = _agency(held)
    for text, audience, organisation in [
        (VPS, "agency", str(agency.id)),
        (UPLIFT, "community", ""),
    ]:
        response = client.post(
            f"{base}/new",
            data={"text": text, "audience": audience, "organisation_id": organisation},
        )
        assert response.location == base
    page = client.get(base).get_data(as_text=True)
    assert "Key message added." in page
    assert page.index(VPS) < page.index(UPLIFT)
    assert f"For: {agency.name}" in page and "For: The community" in page

    second = _db.session.scalar(_db.select(KeyMessage).filter_by(text=UPLIFT))
    client.post(f"/key-messages/{second.id}/move/up")
    page = client.get(base).get_data(as_text=True)
    assert page.index(UPLIFT) < page.index(VPS)
    assert "It is now number 1." in page

    changed = client.post(
        f"/key-messages/{second.id}/edit",
        data={"text": UPLIFT + " Say so in plain words.", "audience": "community"},
    )
    assert changed.location == base
    assert client.post(f"/key-messages/{second.id}/remove").location == base
    page = client.get(base).get_data(as_text=True)
    assert "Key message removed." in page and UPLIFT not in page
    remaining = _db.session.scalars(_db.select(KeyMessage).filter_by(minutes_id=minutes.id)).all()
    assert [(m.position, m.text) for m in remaining] == [(1, VPS)]


def test_a_name_or_postcode_is_refused_beside_the_field_and_cannot_be_saved_past_the_guard(
    app, client, held, db
):
    _start(app, held)
    _db.session.commit()
    sign_in(client, held.people.chair)
    base = f"/meetings/{held.meeting.id}/key-messages"
    text = "Mr John Smith of CV2 4HL waited months for a call back from the officer."
    page = client.post(f"{base}/new", data={"text": text, "audience": "community"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "There is a problem" in html
    assert "Key message contains what looks like" in html
    # No "Save as written", no "Redact and save": key messages go to the public, where
    # "[PERSON 1]" would say someone was named; rewording is the only way out.
    assert "Save as written" not in html
    assert "Redact and save" not in html
    assert 'value="redact"' not in html
    assert "Case material must be anonymised" not in html
    assert (
        "Key messages are shared with the public: remove names, addresses, dates and other "
        "details that could identify someone." in html
    )
    assert "or redact it" not in html
    redacted = client.post(
        f"{base}/new", data={"text": text, "audience": "community", "guard_action": "redact"}
    )
    assert redacted.status_code == 200
    assert "[PERSON" not in redacted.get_data(as_text=True)
    overridden = client.post(
        f"{base}/new",
        data={
            "text": text,
            "audience": "community",
            "guard_action": "override",
            "override_reason": "It is fine",
        },
    )
    assert overridden.status_code == 200
    assert _db.session.scalar(_db.select(_db.func.count(KeyMessage.id))) == 0


def test_the_service_refuses_personal_data_and_an_override_whatever_the_form_says(app, held, db):
    from panel.core.guard import GuardOutcome

    minutes = _start(app, held)
    with app.test_request_context(), pytest.raises(KeyMessageRefused, match="looks like"):
        services.add(
            held.people.chair,
            minutes,
            KeyMessageDetails("Call 07700 900123 to report it.", Audience.COMMUNITY),
        )
        with pytest.raises(KeyMessageRefused, match="cannot be saved with personal data"):
            services.add(
                held.people.chair,
                minutes,
                KeyMessageDetails(VPS, Audience.COMMUNITY),
                GuardOutcome(overridden=True, reason="needed"),
            )


def test_an_agency_message_names_an_agency_on_the_panel(app, client, held, db):
    from tests import factories

    minutes = _start(app, held)
    _db.session.commit()
    sign_in(client, held.people.chair)
    page = client.post(
        f"/meetings/{held.meeting.id}/key-messages/new", data={"text": VPS, "audience": "both"}
    ).get_data(as_text=True)
    assert "Select the agency the key message is addressed to" in page
    stranger = factories.organisation("An organisation not on the panel")
    with (
        app.test_request_context(),
        pytest.raises(KeyMessageRefused, match="sits on this panel") as refused,
    ):
        services.add(held.people.chair, minutes, KeyMessageDetails(VPS, Audience.AGENCY, stranger))
    assert refused.value.field == "organisation_id"


def test_a_meeting_has_at_most_ten_key_messages(app, client, held, db):
    minutes = _write(app, held, *[(f"{REPORTING} ({n})", Audience.COMMUNITY) for n in range(10)])
    with (
        app.test_request_context(),
        pytest.raises(KeyMessageRefused, match="at most 10 key messages"),
    ):
        services.add(held.people.chair, minutes, KeyMessageDetails(VPS, Audience.COMMUNITY))
    sign_in(client, held.people.chair)
    page = client.get(f"/meetings/{held.meeting.id}/key-messages").get_data(as_text=True)
    assert "Add a key message" not in page
    assert "the most it can have" in page


def test_members_may_not_write_key_messages_and_readers_are_not_told_the_page_exists(
    app, client, held, db
):
    _start(app, held)
    _db.session.commit()
    url = f"/meetings/{held.meeting.id}/key-messages"
    sign_in(client, held.people.member)
    assert client.get(url).status_code == 403
    client.post("/sign-out")
    sign_in(client, held.people.reader)
    assert client.get(url).status_code == 404
    client.post("/sign-out")
    sign_in(client, held.people.coordinator)
    assert client.get(url).status_code == 200


def test_every_change_is_audited_without_the_words(app, held, db):
    minutes = _three(app, held)
    message = _db.session.scalar(_db.select(KeyMessage).filter_by(text=VPS))
    with app.test_request_context():
        services.change(
            held.people.chair, message, KeyMessageDetails(VPS + " Always.", Audience.COMMUNITY)
        )
        services.move(held.people.chair, message, up=False)
        services.remove(held.people.coordinator, message)
    _db.session.commit()
    events = _db.session.scalars(
        _db.select(AuditEvent).filter_by(object_type="key_message").order_by(AuditEvent.id)
    ).all()
    assert [e.action for e in events] == [
        AuditAction.CREATE,
        AuditAction.CREATE,
        AuditAction.CREATE,
        AuditAction.UPDATE,
        AuditAction.UPDATE,
        AuditAction.DELETE,
    ]
    assert events[0].actor_id == held.people.chair.id
    assert events[-1].actor_id == held.people.coordinator.id
    assert events[3].changes["text"] == ["(hidden)", "(changed)"]
    assert events[4].changes["position"] == [1, 2]
    trail = repr([e.changes for e in events])
    assert VPS not in trail and UPLIFT not in trail
    assert minutes.id  # the minutes they belong to are untouched otherwise


# --- The lifecycle -----------------------------------------------------------------------------


def test_key_messages_are_locked_at_approval_and_a_new_version_reopens_them(app, client, held, db):
    minutes = _three(app, held)
    with app.test_request_context():
        minutes_services.submit(held.people.coordinator, minutes, minutes.edit_version)
    # Still the chair's to write while the minutes are with them.
    _write(app, held, ("The panel will review out-of-court disposals next.", Audience.COMMUNITY))
    with app.test_request_context():
        minutes_services.approve(held.people.chair, minutes, minutes.edit_version)
    _db.session.commit()
    message = _db.session.scalar(_db.select(KeyMessage).filter_by(text=VPS))
    with app.test_request_context(), pytest.raises(KeyMessageRefused, match="Start a new version"):
        services.change(held.people.chair, message, KeyMessageDetails(UPLIFT, Audience.COMMUNITY))
    sign_in(client, held.people.chair)
    response = client.get(f"/key-messages/{message.id}/edit")
    assert response.location == f"/meetings/{held.meeting.id}/key-messages"
    assert "approved and locked" in client.get(response.location).get_data(as_text=True)
    frozen = minutes.versions[-1].content["key_messages"]
    assert [row["text"] for row in frozen][:3] == [VPS, UPLIFT, REPORTING]

    with app.test_request_context():
        minutes_services.new_version(held.people.chair, minutes, minutes.edit_version)
        services.change(held.people.chair, message, KeyMessageDetails(UPLIFT, Audience.COMMUNITY))
    _db.session.commit()
    # The approved version keeps what it said.
    assert minutes.versions[-1].content["key_messages"][0]["text"] == VPS


def test_a_change_to_the_key_messages_refuses_an_approval_from_an_older_page(app, held, db):
    minutes = _three(app, held)
    with app.test_request_context():
        minutes_services.submit(held.people.coordinator, minutes, minutes.edit_version)
    seen = minutes.edit_version
    _write(app, held, ("One more for the community.", Audience.COMMUNITY))
    with (
        app.test_request_context(),
        pytest.raises(minutes_services.MinutesRefused, match="Someone else saved"),
    ):
        minutes_services.approve(held.people.chair, minutes, seen)


def test_the_approval_page_shows_the_key_messages(app, client, held, db):
    minutes = _three(app, held)
    with app.test_request_context():
        minutes_services.submit(held.people.coordinator, minutes, minutes.edit_version)
    _db.session.commit()
    sign_in(client, held.people.chair)
    page = client.get(f"/meetings/{held.meeting.id}/minutes/approve").get_data(as_text=True)
    assert "Key messages" in page and VPS in page and UPLIFT in page


def test_the_minutes_page_says_key_messages_are_approved_only_once_they_are(app, client, held, db):
    minutes = _three(app, held)
    sign_in(client, held.people.chair)
    url = f"/meetings/{held.meeting.id}/minutes"
    draft = client.get(url).get_data(as_text=True)
    assert "This version has 3 key messages, to be approved and published with the minutes." in (
        draft
    )
    _approve_and_publish(app, held, minutes)
    done = client.get(url).get_data(as_text=True)
    assert "This version has 3 key messages, approved and published with the minutes." in done


# --- Publication -------------------------------------------------------------------------------


@pytest.fixture
def published(app, held, db):
    minutes = _three(app, held)
    return _approve_and_publish(app, held, minutes)


MM = 72 / 25.4
MARGIN = 20 * MM  # the marking sits in the page margins (22 mm)


def _markings(pdf: bytes) -> list[tuple[list[str], list[str]]]:
    """Each page's text drawn in its top and in its bottom margin."""
    reader = PdfReader(io.BytesIO(pdf))
    height = float(reader.pages[0].mediabox.height)
    pages = []
    for page in reader.pages:
        runs: list[tuple[str, float]] = []

        def visit(text, cm, tm, _font, _size, runs=runs):
            if text.strip():
                runs.append((text.strip(), tm[4] * cm[1] + tm[5] * cm[3] + cm[5]))

        page.extract_text(visitor_text=visit)
        pages.append(
            (
                [text for text, y in runs if y > height - MARGIN],
                [text for text, y in runs if y < MARGIN],
            )
        )
    return pages


def test_publishing_the_minutes_publishes_the_key_messages_as_an_official_pdf(app, held, published):
    publication = _db.session.scalar(_db.select(KeyMessagesPublication))
    assert publication.minutes_id == published.id
    assert publication.sha256 == hashlib.sha256(publication.pdf).hexdigest()
    reader = PdfReader(io.BytesIO(publication.pdf))
    whole = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "OFFICIAL-SENSITIVE" not in whole
    assert "Key messages from the West Midlands Independent Scrutiny Panel meeting on" in whole
    assert "Take the Victim Personal Statement early" in whole
    assert "Protective marking OFFICIAL" in whole
    # Tagged, with its title and language, as the minutes are.
    assert reader.metadata.title.startswith("Key messages from the")
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    # What readers were given: the same messages as the approved minutes.
    assert [m["text"] for m in publication.content["messages"]] == [VPS, UPLIFT, REPORTING]


def test_official_is_at_the_top_and_bottom_of_every_page_never_official_sensitive(app, held, db):
    from panel.minutes.key_messages.pdf import render_pdf

    rows = [
        {
            "number": n,
            "audience": "community",
            "agency": None,
            "addressed_to": "The community",
            "text": (REPORTING + " ") * 7,
        }
        for n in range(1, 11)
    ]
    content = {
        "title": "Key messages from the Test panel meeting on 3 February 2026",
        "panel": "Test panel",
        "meeting_date": "3 February 2026",
        "marking": services.MARKING,
        "messages": rows,
    }
    with app.test_request_context():
        pdf = render_pdf(content)
    pages = _markings(pdf)
    assert len(pages) >= 2
    for number, (top, bottom) in enumerate(pages, start=1):
        assert top == ["OFFICIAL"], f"page {number}"
        assert "OFFICIAL" in bottom and f"Page {number} of {len(pages)}" in bottom, number
    with app.test_request_context():
        assert render_pdf(content) == pdf  # the same document renders to the same bytes


def test_reader_reads_the_key_messages_and_downloads_the_stored_pdf_byte_for_byte(
    app, client, held, published
):
    publication = _db.session.scalar(_db.select(KeyMessagesPublication))
    # What was stored is what is served, whatever the renderer would make now.
    publication.pdf = b"%PDF-1.7\nas stored at publication"
    stored_hash = publication.sha256
    _db.session.commit()
    sign_in(client, held.people.reader)
    minutes_page = client.get(f"/minutes/{published.id}").get_data(as_text=True)
    assert VPS in minutes_page and "Key messages from this meeting" in minutes_page
    page = client.get(f"/minutes/{published.id}/key-messages").get_data(as_text=True)
    assert "Key messages from the West Midlands Independent Scrutiny Panel meeting on" in page
    assert '<strong class="govuk-tag govuk-tag--grey">OFFICIAL</strong>' in page
    assert '<p class="panel-marking">OFFICIAL</p>' in page
    # The footer follows the page's marking.
    assert "handled as OFFICIAL-SENSITIVE" not in page
    assert "This page is marked OFFICIAL: it holds no case material." in page
    assert VPS in page and UPLIFT in page and REPORTING in page
    assert stored_hash in page
    download = client.get(f"/minutes/{published.id}/key-messages.pdf")
    assert download.data == b"%PDF-1.7\nas stored at publication"
    assert download.headers["Cache-Control"] == "no-store"
    event = _db.session.scalar(
        _db.select(AuditEvent).filter_by(
            object_type="key_messages_publication", action=AuditAction.DOWNLOAD
        )
    )
    assert event.actor_id == held.people.reader.id
    archive = client.get(f"/panels/{held.panel.id}/key-messages").get_data(as_text=True)
    assert VPS in archive
    assert f"Key messages of {held.meeting.starts_at.year}" in archive
    assert "handled as OFFICIAL-SENSITIVE" not in archive


def test_a_reader_finds_the_key_messages_from_the_panel_and_the_published_minutes(
    client, held, published
):
    sign_in(client, held.people.reader)
    archive = f'href="/panels/{held.panel.id}/key-messages"'
    assert archive in client.get(f"/panels/{held.panel.id}").get_data(as_text=True)
    listing = client.get(f"/panels/{held.panel.id}/minutes").get_data(as_text=True)
    assert archive in listing
    assert f"key messages of {held.panel.name}" in listing


def test_key_messages_not_yet_published_are_not_found_and_outsiders_see_nothing(
    app, client, held, db
):
    minutes = _three(app, held)
    sign_in(client, held.people.reader)
    assert client.get(f"/minutes/{minutes.id}/key-messages").status_code == 404
    assert client.get(f"/minutes/{minutes.id}/key-messages.pdf").status_code == 404
    client.post("/sign-out")
    _approve_and_publish(app, held, minutes, render=lambda content, created: b"%PDF-1.7\n")
    sign_in(client, held.people.outsider)
    assert client.get(f"/minutes/{minutes.id}/key-messages").status_code == 404
    assert client.get(f"/minutes/{minutes.id}/key-messages.pdf").status_code == 404
    assert client.get(f"/panels/{held.panel.id}/key-messages").status_code == 404


def test_a_new_published_version_supersedes_the_key_messages_document(app, held, db):
    minutes = _three(app, held)
    fake = lambda content, created: b"%PDF-1.7\n" + content["messages"][0]["text"].encode()  # noqa: E731
    _approve_and_publish(app, held, minutes, render=fake)
    message = _db.session.scalar(_db.select(KeyMessage).filter_by(text=VPS))
    with app.test_request_context():
        minutes_services.new_version(held.people.chair, minutes, minutes.edit_version)
        services.change(held.people.chair, message, KeyMessageDetails(UPLIFT, Audience.COMMUNITY))
    _db.session.commit()
    _approve_and_publish(app, held, minutes, render=fake)
    publications = _db.session.scalars(
        _db.select(KeyMessagesPublication).order_by(KeyMessagesPublication.id)
    ).all()
    assert [p.superseded for p in publications] == [True, False]
    assert publications[-1].pdf.endswith(UPLIFT.encode())
    assert minutes.status == MinutesStatus.PUBLISHED


def test_a_backup_check_names_a_stored_key_messages_pdf_that_no_longer_matches(app, published):
    from panel.backup import pdf_mismatches

    publication = _db.session.scalar(_db.select(KeyMessagesPublication))
    assert pdf_mismatches() == []
    publication.pdf = b"%PDF-1.7\nchanged after publication"
    _db.session.flush()
    assert pdf_mismatches() == [
        f"key messages publication {publication.id}: pdf does not match sha256"
    ]
