"""The annual report: produced by the chair or coordinator for a financial year and stored, both
versions read back with pypdf as a board member's or a reader's software would; downloads serve
the stored bytes; who may produce and download which version."""

from __future__ import annotations

import io
from datetime import date

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from panel.core.audit import AuditAction, AuditEvent
from panel.extensions import db
from panel.insight import pdf, services
from panel.insight.models import AnnualReport, AnnualReportRequest
from panel.lessons.models import Recommendation
from panel.meetings.models import AgendaItem, AgendaItemKind, Meeting
from panel.minutes.models import Minutes, MinutesStatus, MinutesVersion
from tests.conftest import sign_in
from tests.test_mail import closed_port

YEAR = 2025
PUBLISHED = "Offer an interpreter first."  # to the police: in published minutes
UNPUBLISHED = "Check the tenancy file."  # to housing: never published to readers
LESSON = "No interpreter offered."  # a lesson's text: free text readers were not given


def publish_police_recommendation(scrutiny) -> None:
    """Minutes of the panel's first meeting, published with the police's recommendation in the
    readers' layer (as frozen at approval): the meeting had the recommendation's case review on
    its agenda, as minutes list the lessons of the cases reviewed."""
    meeting = db.session.scalars(
        sa.select(Meeting).where(Meeting.panel_id == scrutiny.panel.id).order_by(Meeting.starts_at)
    ).first()
    police = db.session.scalars(
        sa.select(Recommendation).where(Recommendation.text == PUBLISHED)
    ).first()
    meeting.agenda_items.append(
        AgendaItem(
            position=len(meeting.agenda_items) + 1,
            kind=AgendaItemKind.CASE_REVIEW,
            title="Case review",
            case_review_id=police.lesson.case_review_id,
        )
    )
    minutes = Minutes(meeting=meeting, status=MinutesStatus.PUBLISHED)
    recommendation = {
        "number": 1,
        "organisation": "West Midlands Police",
        "text": PUBLISHED,
        "due": "1 September 2025",
        "status": "Accepted",
    }
    lesson = {
        "number": 1,
        "kind": "Area for improvement",
        "about": "Investigation",
        "strands": "Race",
        "text": LESSON,
        "recommendations": [recommendation],
    }
    minutes.versions = [
        MinutesVersion(
            number=1,
            content={"title": "Minutes", "lessons_across_cases": [lesson]},
            published_at=meeting.starts_at,
        )
    ]
    db.session.add(minutes)
    db.session.commit()


def as_(client, person) -> None:
    """Sign `person` in, whoever was signed in before."""
    client.post("/sign-out")
    sign_in(client, person)


def text_of(content: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages]


def produce(client, panel_id: int, year: int = YEAR):
    return client.post(f"/panels/{panel_id}/annual-report", data={"year": str(year)})


def fake_render(document: pdf.Report) -> bytes:
    return f"%PDF-1.7\n{document.version} {document.produced_by}\n".encode()


@pytest.fixture
def fake_pdfs(monkeypatch):
    """Who may do what is the question, not typesetting (a second or two a copy)."""
    monkeypatch.setattr(pdf, "render", fake_render)


def test_the_chair_produces_the_report_and_both_versions_read_as_they_should(client, scrutiny):
    publish_police_recommendation(scrutiny)
    as_(client, scrutiny.chair)
    response = produce(client, scrutiny.panel.id)
    assert response.status_code == 302
    assert response.location.endswith(
        f"/panels/{scrutiny.panel.id}/insight?period=fy-{YEAR}#annual-report"
    )
    stored = db.session.scalars(sa.select(AnnualReport)).one()
    assert stored.year == YEAR and stored.produced_by_id == scrutiny.chair.id

    full = client.get(f"/panels/{scrutiny.panel.id}/annual-reports/{YEAR}.pdf")
    assert full.status_code == 200 and full.mimetype == "application/pdf"
    assert full.data == db.session.get(AnnualReport, stored.id).full_pdf
    pages = text_of(full.data)
    assert len(pages) > 1
    for page in pages:
        assert "OFFICIAL" in page and "OFFICIAL-SENSITIVE" not in page
    text = " ".join(pages)
    assert "Annual report 2025 to 2026: West Midlands Scrutiny Panel" in text
    # Religion's 4 case reviews, and the police's 1 accepted recommendation.
    assert "fewer than 5" in text
    assert PUBLISHED in text and UNPUBLISHED in text

    as_(client, scrutiny.reader)
    safe = client.get(f"/panels/{scrutiny.panel.id}/annual-reports/{YEAR}/reader-safe.pdf")
    assert safe.status_code == 200
    pages = text_of(safe.data)
    for page in pages:
        assert "OFFICIAL" in page and "OFFICIAL-SENSITIVE" not in page
    text = " ".join(pages)
    assert "Reader-safe version" in text and "fewer than 5" in text
    # Of the free text, only the recommendation readers were already given.
    assert PUBLISHED in text
    assert UNPUBLISHED not in text and LESSON not in text and "Prompt attendance" not in text


def test_downloads_serve_the_stored_bytes_and_producing_again_replaces_them(
    client, scrutiny, fake_pdfs, monkeypatch
):
    as_(client, scrutiny.chair)
    produce(client, scrutiny.panel.id)
    as_(client, scrutiny.coordinator)
    assert produce(client, scrutiny.panel.id).status_code == 302

    def never(document):
        raise AssertionError("a download rendered the report again")

    monkeypatch.setattr(pdf, "render", never)
    url = f"/panels/{scrutiny.panel.id}/annual-reports/{YEAR}"
    coordinator = scrutiny.coordinator.full_name
    assert client.get(f"{url}.pdf").data == f"%PDF-1.7\nfull {coordinator}\n".encode()
    assert client.get(f"{url}/reader-safe.pdf").data.startswith(b"%PDF-1.7\nreader-safe")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AnnualReport)) == 1

    html = client.get(f"/panels/{scrutiny.panel.id}/insight").get_data(as_text=True)
    assert f"by {scrutiny.coordinator.full_name}" in html
    assert f"{url}/reader-safe.pdf" in html

    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.object_type == "annual_report")
        .order_by(AuditEvent.id)
    ).all()
    assert [e.action for e in events] == [
        AuditAction.CREATE,
        AuditAction.UPDATE,
        AuditAction.DOWNLOAD,
        AuditAction.DOWNLOAD,
    ]
    assert events[1].actor_id == scrutiny.coordinator.id
    assert events[1].changes["replaced"]["full_sha256"] == events[0].changes["full_sha256"]


def test_the_form_offers_the_last_4_financial_years_the_last_complete_one_first():
    assert pdf.years_offered(date(2026, 12, 3)) == [2025, 2024, 2023, 2022]
    assert pdf.years_offered(date(2026, 3, 31)) == [2024, 2023, 2022, 2021]
    assert pdf.years_offered(date(2026, 4, 1)) == [2025, 2024, 2023, 2022]


def test_a_year_not_offered_is_refused_with_the_page_again(client, scrutiny, fake_pdfs):
    as_(client, scrutiny.chair)
    response = produce(client, scrutiny.panel.id, year=2001)
    assert response.status_code == 200
    assert "Select the financial year to produce the report for" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AnnualReport)) == 0


def test_readers_get_only_the_reader_safe_version_once_it_is_produced(client, scrutiny, fake_pdfs):
    panel = scrutiny.panel.id
    url = f"/panels/{panel}/annual-reports/{YEAR}"
    as_(client, scrutiny.reader)
    assert client.get(f"{url}/reader-safe.pdf").status_code == 404  # not produced yet
    assert "Annual reports" not in client.get(f"/panels/{panel}/minutes").get_data(as_text=True)
    assert produce(client, panel).status_code == 404
    as_(client, scrutiny.chair)
    produce(client, panel)

    as_(client, scrutiny.reader)
    assert client.get(f"{url}.pdf").status_code == 404
    assert client.get(f"{url}/reader-safe.pdf").status_code == 200
    # Where readers find the published minutes, they find the report.
    for page in (f"/panels/{panel}/minutes", "/minutes"):
        assert f"{url}/reader-safe.pdf" in client.get(page).get_data(as_text=True)
    assert client.get(f"/panels/{panel}/annual-reports/2024/reader-safe.pdf").status_code == 404


def test_a_member_reads_the_reader_safe_version_and_may_not_produce_or_read_the_full_one(
    client, scrutiny, fake_pdfs
):
    panel = scrutiny.panel.id
    as_(client, scrutiny.chair)
    produce(client, panel)
    as_(client, scrutiny.member)
    assert produce(client, panel).status_code == 403
    assert client.get(f"/panels/{panel}/annual-reports/{YEAR}.pdf").status_code == 403
    assert client.get(f"/panels/{panel}/annual-reports/{YEAR}/reader-safe.pdf").status_code == 200


def test_a_service_call_for_someone_else_is_refused(scrutiny, fake_pdfs):
    from panel.access import NotAllowed

    with pytest.raises(NotAllowed):
        services.produce_annual_report(
            scrutiny.member, scrutiny.panel, YEAR, today=date(2026, 12, 3)
        )


def test_the_page_says_the_report_is_being_produced_until_it_is_done(
    app, client, scrutiny, fake_pdfs, monkeypatch
):
    """Producing takes seconds at national scale: with a job queue the answer comes at once and
    the worker produces the report (here the queue cannot be reached, so it stays asked for)."""
    monkeypatch.setitem(app.config, "JOBS_REDIS_URL", f"redis://127.0.0.1:{closed_port()}/1")
    monkeypatch.setitem(app.extensions, "panel_jobs_redis", None)
    as_(client, scrutiny.chair)
    response = produce(client, scrutiny.panel.id)
    assert response.status_code == 302
    assert db.session.scalars(sa.select(AnnualReport)).all() == []
    page = client.get(response.location).get_data(as_text=True)
    assert "is being produced, full and reader-safe" in page  # the flash
    assert "The annual report for April 2025 to March 2026 is being produced" in page
    assert "Refresh this page</a> to download it" in page

    [asked] = db.session.scalars(sa.select(AnnualReportRequest)).all()
    services.produce_requested(asked.id)  # what the worker does
    page = client.get(response.location).get_data(as_text=True)
    assert "is being produced" not in page
    assert f"/panels/{scrutiny.panel.id}/annual-reports/{YEAR}.pdf" in page
    [stored] = db.session.scalars(sa.select(AnnualReport)).all()
    assert stored.produced_by_id == scrutiny.chair.id


def test_a_report_that_could_not_be_produced_says_so_and_can_be_asked_for_again(
    client, scrutiny, monkeypatch
):
    def broken(document):
        raise RuntimeError("the typesetter fell over")

    monkeypatch.setattr(pdf, "render", broken)
    as_(client, scrutiny.chair)
    page = client.get(produce(client, scrutiny.panel.id).location).get_data(as_text=True)
    assert "The annual report for April 2025 to March 2026 could not be produced" in page
    assert db.session.scalars(sa.select(AnnualReport)).all() == []

    monkeypatch.setattr(pdf, "render", fake_render)
    page = client.get(produce(client, scrutiny.panel.id).location).get_data(as_text=True)
    assert "could not be produced" not in page
    assert db.session.scalars(sa.select(AnnualReport)).one().year == YEAR
