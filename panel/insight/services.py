"""Producing a panel's annual report: both versions rendered once and stored, replacing any
produced before for the same year, and recorded in the audit trail. The caller commits.

Rendering takes seconds at national scale, so a page only asks for a report
(`request_annual_report`): a job produces it once the request is saved (`produce_requested`,
on the worker, or in the web process after the response), and the page shows it when it is done.

Readers and organisers then download what was stored (`stored_report`, listed by
`annual_reports`); a report is never rendered again on download."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, undefer

from panel import access
from panel.accounts.models import User
from panel.core import jobs
from panel.core.audit import AuditAction, record
from panel.core.database import utcnow
from panel.core.time import uk_today
from panel.extensions import db
from panel.insight import pdf
from panel.insight.models import AnnualReport, AnnualReportRequest
from panel.panels.models import Panel

Render = Callable[[pdf.Report], bytes]


class YearNotOffered(ValueError):
    """A report was asked for a year the form does not offer."""


PRODUCE_REQUESTED = "panel.insight.services.produce_requested"


def request_annual_report(
    actor: User, panel: Panel, year: int, *, today: date
) -> AnnualReportRequest:
    """Ask for the panel's report of the financial year from April `year`: it is produced by a job
    once this commits. Asking again while it is being produced changes nothing; asking after it
    failed tries again."""
    access.require(actor, access.Action.PRODUCE_ANNUAL_REPORT, panel)
    if year not in pdf.years_offered(today):
        raise YearNotOffered(f"No annual report can be produced for {year}.")
    asked = db.session.scalar(
        sa.select(AnnualReportRequest).where(
            AnnualReportRequest.panel_id == panel.id, AnnualReportRequest.year == year
        )
    )
    if asked is not None and asked.failed_at is None:
        return asked
    if asked is None:
        asked = AnnualReportRequest(panel_id=panel.id, year=year)
        db.session.add(asked)
    asked.requested_by_id, asked.requested_at, asked.failed_at = actor.id, utcnow(), None
    db.session.flush()
    jobs.enqueue(PRODUCE_REQUESTED, asked.id)
    return asked


def produce_requested(request_id: int) -> None:
    """The job: produce the requested report as the person who asked for it, then forget the
    request, and commit. A failure is kept on the request (the page says so) and raised, so the
    worker keeps the job among its failed ones."""
    asked = db.session.get(AnnualReportRequest, request_id)
    if asked is None:  # produced already, by an earlier run of the same job
        return
    try:
        produce_annual_report(asked.requested_by, asked.panel, asked.year, today=uk_today())
        db.session.delete(asked)
        db.session.commit()
    except Exception:
        db.session.rollback()
        asked = db.session.get(AnnualReportRequest, request_id)
        if asked is not None:
            asked.failed_at = utcnow()
            db.session.commit()
        raise


def requests_waiting(panel_id: int) -> list[AnnualReportRequest]:
    """The panel's reports asked for and not produced yet, newest year first (a few at most: one
    a year, and only the years the form offers)."""
    return list(
        db.session.scalars(
            sa.select(AnnualReportRequest)
            .options(joinedload(AnnualReportRequest.requested_by))
            .where(AnnualReportRequest.panel_id == panel_id)
            .order_by(AnnualReportRequest.year.desc())
            .limit(LISTED_REPORTS)
        )
    )


def produce_annual_report(
    actor: User, panel: Panel, year: int, *, today: date, render: Render | None = None
) -> AnnualReport:
    """Render the full and the reader-safe report of the panel's financial year from April
    `year` and store them, in place of any produced before (which the audit trail records as a
    change, with the old fingerprints)."""
    access.require(actor, access.Action.PRODUCE_ANNUAL_REPORT, panel)
    if year not in pdf.years_offered(today):
        raise YearNotOffered(f"No annual report can be produced for {year}.")
    render = render or pdf.render
    produced_at = utcnow()
    pdfs = {
        version: render(
            pdf.report(
                panel,
                year,
                version,
                today=today,
                produced_by=actor.full_name,
                produced_at=produced_at,
            )
        )
        for version in (pdf.FULL, pdf.READER_SAFE)
    }
    stored = stored_report(panel.id, year)
    replaced = None
    if stored is None:
        stored = AnnualReport(panel_id=panel.id, year=year)
        db.session.add(stored)
    else:
        replaced = {
            "full_sha256": stored.full_sha256,
            "reader_sha256": stored.reader_sha256,
            "produced_at": stored.produced_at.isoformat(),
        }
    stored.produced_at = produced_at
    stored.produced_by_id = actor.id
    stored.full_pdf = pdfs[pdf.FULL]
    stored.full_sha256 = hashlib.sha256(pdfs[pdf.FULL]).hexdigest()
    stored.reader_pdf = pdfs[pdf.READER_SAFE]
    stored.reader_sha256 = hashlib.sha256(pdfs[pdf.READER_SAFE]).hexdigest()
    db.session.flush()
    changes: dict = {
        "year": year,
        "full_sha256": stored.full_sha256,
        "reader_sha256": stored.reader_sha256,
    }
    if replaced:
        changes["replaced"] = replaced
    record(
        actor,
        AuditAction.UPDATE if replaced else AuditAction.CREATE,
        stored,
        label=label(panel, year),
        changes=changes,
    )
    return stored


def label(panel: Panel, year: int) -> str:
    return f"Annual report {year} to {year + 1}, {panel.name}"


def stored_report(panel_id: int, year: int, *, version: str | None = None) -> AnnualReport | None:
    """The report stored for the panel's year, with the bytes of `version` loaded if given."""
    query = sa.select(AnnualReport).where(
        AnnualReport.panel_id == panel_id, AnnualReport.year == year
    )
    if version is not None:
        column = AnnualReport.full_pdf if version == pdf.FULL else AnnualReport.reader_pdf
        query = query.options(undefer(column))
    return db.session.scalar(query)


# The reports a page lists: one a year per panel, so a reader of many panels sees the newest.
LISTED_REPORTS = 20


def annual_reports(panel_ids: list[int]) -> list[AnnualReport]:
    """The reports produced for the panels, newest year first, at most LISTED_REPORTS, with
    their panels and producers (each row names both)."""
    return list(
        db.session.scalars(
            sa.select(AnnualReport)
            .options(joinedload(AnnualReport.panel), joinedload(AnnualReport.produced_by))
            .where(AnnualReport.panel_id.in_(panel_ids))
            .order_by(AnnualReport.year.desc(), AnnualReport.panel_id)
            .limit(LISTED_REPORTS)
        )
    )
