"""Read models for the pool's pages, each in a fixed number of queries however big the pool."""

from __future__ import annotations

from calendar import month_name
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy.orm import joinedload, selectinload

from panel.cases.pool.models import PoolCase, PoolDraw, PoolImport
from panel.cases.pool.services import DrawFilters
from panel.cases.pool.vocabularies import by_value
from panel.cases.vocabularies import OffenceCategory, Outcome, Strand, strand_labels
from panel.core.database import utcnow
from panel.core.pagination import paginate
from panel.extensions import db
from panel.meetings.models import Meeting, MeetingStatus
from panel.panels.models import Panel

# Areas the draw form offers, and upcoming meetings: both far beyond any real panel's.
MOST_AREAS = 100
MEETING_CHOICES = 6
# What the preview of an upload lists; the counts cover the whole file.
PREVIEW_ROWS = 50
PREVIEW_REFUSED = 200
DRAWS_PAGE_ARG = "draws_page"
# Draws a meeting page lists: a meeting takes a draw or two.
MEETING_DRAWS = 5


def waiting(panel: Panel):
    """The panel's cases that a new draw could pick."""
    return (
        PoolCase.panel_id == panel.id,
        PoolCase.draw_id.is_(None),
        PoolCase.discarded_at.is_(None),
    )


def waiting_count(panel: Panel) -> int:
    return db.session.scalar(db.select(sa.func.count(PoolCase.id)).where(*waiting(panel))) or 0


def waiting_cases(panel: Panel) -> Pagination:
    """A page of the cases waiting to be drawn, newest first, their strands loaded."""
    return paginate(
        db.select(PoolCase)
        .options(selectinload(PoolCase.strand_rows))
        .where(*waiting(panel))
        .order_by(PoolCase.id.desc())
    )


def draws_of(panel: Panel) -> Pagination:
    return paginate(
        db.select(PoolDraw)
        .options(joinedload(PoolDraw.meeting))
        .where(PoolDraw.panel_id == panel.id)
        .order_by(PoolDraw.drawn_at.desc(), PoolDraw.id.desc()),
        arg=DRAWS_PAGE_ARG,
    )


def areas_of(panel: Panel) -> list[str]:
    """The policing areas of the cases waiting, for the draw form."""
    return list(
        db.session.scalars(
            db.select(PoolCase.policing_area)
            .where(*waiting(panel))
            .group_by(PoolCase.policing_area)
            .order_by(PoolCase.policing_area)
            .limit(MOST_AREAS)
        )
    )


def meetings_for_draw(panel: Panel) -> list[Meeting]:
    """The panel's next scheduled meetings, soonest first: the first is the default."""
    return list(
        db.session.scalars(
            db.select(Meeting)
            .where(
                Meeting.panel_id == panel.id,
                Meeting.status == MeetingStatus.SCHEDULED,
                Meeting.starts_at >= utcnow(),
            )
            .order_by(Meeting.starts_at)
            .limit(MEETING_CHOICES)
        )
    )


def draw_page(draw: PoolDraw) -> list[PoolCase]:
    """The cases a draw picked, with their strands and case reviews."""
    return list(
        db.session.scalars(
            db.select(PoolCase)
            .options(selectinload(PoolCase.strand_rows), joinedload(PoolCase.case_review))
            .where(PoolCase.draw_id == draw.id)
            .order_by(PoolCase.id)
        )
    )


@dataclass(frozen=True)
class DrawSummary:
    """A draw in a sentence: "5 cases drawn at random on 3 February 2026 from 212 eligible:
    disability strand, outcomes 14 to 16"."""

    draw: PoolDraw
    theme: str


def summary(draw: PoolDraw) -> DrawSummary:
    return DrawSummary(draw, DrawFilters.from_stored(draw.filters).describe())


def draws_for_meeting(meeting: Meeting) -> list[DrawSummary]:
    draws = db.session.scalars(
        db.select(PoolDraw)
        .where(PoolDraw.meeting_id == meeting.id)
        .order_by(PoolDraw.drawn_at)
        .limit(MEETING_DRAWS)
    )
    return [summary(draw) for draw in draws]


@dataclass(frozen=True)
class ImportPreview:
    """An upload held for confirmation, as its page shows it: the first rows, every count."""

    pool_import: PoolImport
    rows: list[dict[str, Any]]
    saved: int
    refused: list[tuple[int, str]]
    refused_count: int
    recognised: dict[str, str]
    dropped: list[tuple[str, str]]
    ignored: list[str]
    coarsened: int


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    """A held row in words, for the preview."""
    return {
        "row": row["row"],
        "strands": strand_labels(by_value(Strand, value) for value in row["strands"]),
        "offence": by_value(OffenceCategory, row["offence_category"]).label,
        "outcome": by_value(Outcome, row["outcome"]).label,
        "finalised": f"{month_name[row['month']]} {row['year']}",
        "area": row["area"],
        "reference": bool(row["reference"]),
    }


def import_preview(pool_import: PoolImport) -> ImportPreview:
    preview = pool_import.preview
    return ImportPreview(
        pool_import=pool_import,
        rows=[_shown(row) for row in preview["rows"][:PREVIEW_ROWS]],
        saved=len(preview["rows"]),
        refused=[tuple(row) for row in preview["refused"][:PREVIEW_REFUSED]],
        refused_count=len(preview["refused"]),
        recognised=preview["recognised"],
        dropped=[tuple(row) for row in preview["dropped"]],
        ignored=preview["ignored"],
        coarsened=preview["coarsened"],
    )
