"""Which version of the minutes a person holds, wherever they hold it: the pages say whether it is
the full version (panel members) or the reader version, and DRAFT until it is approved; and once
published, members download the full minutes stored at publication, as readers do theirs."""

from __future__ import annotations

import hashlib
import io

from pypdf import PdfReader

from panel.meetings.agenda import services as agenda
from panel.minutes import services
from panel.minutes.document import WITHHELD_NOTICE
from tests.conftest import sign_in
from tests.minutes.conftest import approved, published

FULL_VERSION = "Full version (panel members)"
READER_VERSION = "Reader version"
DRAFT = "DRAFT: not yet approved"


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_draft_minutes_page_says_full_version_and_draft(app, client, held):
    with app.test_request_context():
        services.start(held.people.coordinator, held.meeting)
    sign_in(client, held.people.member)
    page = _page(client, f"/meetings/{held.meeting.id}/minutes")
    assert FULL_VERSION in page
    assert DRAFT in page


def test_approved_version_page_says_full_version_and_not_draft(app, client, held):
    approved(app, held)
    sign_in(client, held.people.member)
    for url in (
        f"/meetings/{held.meeting.id}/minutes",
        f"/meetings/{held.meeting.id}/minutes/versions/1",
    ):
        page = _page(client, url)
        assert FULL_VERSION in page
        assert DRAFT not in page


def test_published_minutes_page_says_reader_version(app, client, held):
    minutes = published(app, held)
    sign_in(client, held.people.reader)
    page = _page(client, f"/minutes/{minutes.id}")
    assert READER_VERSION in page
    assert FULL_VERSION not in page and DRAFT not in page


def test_member_downloads_the_full_minutes_stored_at_publication(app, client, held, db):
    minutes = published(app, held)
    version = minutes.versions[-1]
    # Whatever is stored is what goes out, not a new rendering.
    version.full_pdf = b"%PDF-1.7 the full minutes as stored at publication"
    version.full_sha256 = hashlib.sha256(version.full_pdf).hexdigest()
    db.session.commit()
    sign_in(client, held.people.member)
    response = client.get(f"/meetings/{held.meeting.id}/minutes.pdf")
    assert response.status_code == 200
    assert response.data == b"%PDF-1.7 the full minutes as stored at publication"


def test_member_who_declared_an_interest_downloads_a_copy_without_the_case(app, client, held, db):
    with app.test_request_context():
        agenda.declare_interest(held.people.member, held.case_item(), "I know the victim's family.")
    minutes = published(app, held)
    stored = minutes.versions[-1].full_pdf
    sign_in(client, held.people.member)
    response = client.get(f"/meetings/{held.meeting.id}/minutes.pdf")
    assert response.status_code == 200
    assert response.data != stored
    text = " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(response.data)).pages
    )
    assert WITHHELD_NOTICE in text
    assert FULL_VERSION in text
