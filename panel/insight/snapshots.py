"""An insight page's figures, worked out at most once every few minutes.

Working out every measure of a busy panel's year takes several hundred milliseconds at national
scale (two dozen bounded GROUP BYs over hundreds of thousands of rows), and the cross-panel page
of a coordinator of two busy panels twice that. The figures are trends over months, so they are
stored as worked out (`InsightSnapshot`, one row per set of panels, period and day) and the page
and its CSV downloads are served from them for FRESH_FOR; the page says when they were worked
out. A stored snapshot is in the database, not in each process, so every app server serves the
same figures, and an expired one is worked out again by the first page that asks.

Snapshots are JSON, not pickle: a row someone wrote into the database is read as data, never run.
The annual report does not use them: it is produced from the figures as they are at that moment.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from panel.core.database import insert_for, utcnow
from panel.extensions import db
from panel.insight.measures import Cell, Count, Median, Period, Rate, Row, Table
from panel.insight.models import InsightSnapshot

# How long a page's figures are served as worked out before they are worked out again.
FRESH_FOR = timedelta(minutes=10)
# Every key names its day, so a snapshot older than this is for a day gone by.
KEPT_FOR = timedelta(days=2)

Sections = list[tuple[str, list[Table]]]


def key(panel_ids: list[int], period: Period, today: date) -> str:
    """What a snapshot is for: the panels (in any order), the period and the day (which moves
    the last 12 months and what is overdue)."""
    text = f"{','.join(map(str, sorted(set(panel_ids))))}|{period.key}|{today.isoformat()}"
    return hashlib.sha256(text.encode()).hexdigest()


def figures(
    panel_ids: list[int],
    period: Period,
    today: date,
    work_out: Callable[[], Sections],
    *,
    now: datetime | None = None,
) -> tuple[Sections, datetime]:
    """The sections for the panels and period, and when they were worked out: the stored ones
    while they are fresh, otherwise `work_out()`, stored in place of any older. The caller
    commits (a stored snapshot is only a saving: losing it loses nothing)."""
    now = now or utcnow()
    wanted = key(panel_ids, period, today)
    stored = db.session.execute(
        sa.select(InsightSnapshot.figures, InsightSnapshot.computed_at).where(
            InsightSnapshot.key == wanted, InsightSnapshot.computed_at > now - FRESH_FOR
        )
    ).first()
    if stored is not None:
        return decode(stored.figures), stored.computed_at
    sections = work_out()
    # Snapshots of days gone by are never read again: clear them as new ones are written.
    # (Only those older than any key of today's can be, so that two pages doing this at once
    # wait for each other in the same order and never deadlock.)
    db.session.execute(
        sa.delete(InsightSnapshot).where(InsightSnapshot.computed_at < now - KEPT_FOR)
    )
    insert = insert_for(InsightSnapshot, db.session).values(
        key=wanted, computed_at=now, figures=encode(sections)
    )
    # Two pages working out the same figures at once: the later one's are kept.
    db.session.execute(
        insert.on_conflict_do_update(
            index_elements=["key"],
            set_={"computed_at": insert.excluded.computed_at, "figures": insert.excluded.figures},
        )
    )
    return sections, now


# --- Encoding ----------------------------------------------------------------------------------


def _cell(cell: Cell) -> Any:
    if isinstance(cell, Count):
        return {"count": cell.value, "withheld": cell.withheld}
    if isinstance(cell, Rate):
        return {"part": cell.part, "whole": cell.whole, "hidden": cell.hidden}
    if isinstance(cell, Median):
        return {"days": cell.days, "of": cell.count}
    return cell


def _uncell(value: Any) -> Cell:
    if isinstance(value, str):
        return value
    if "count" in value:
        return Count(value["count"], value["withheld"])
    if "part" in value:
        return Rate(value["part"], value["whole"], value["hidden"])
    return Median(value["days"], value["of"])


def encode(sections: Sections) -> str:
    return json.dumps(
        [
            [
                heading,
                [
                    {
                        "slug": t.slug,
                        "title": t.title,
                        "columns": list(t.columns),
                        "rows": [[r.label, [_cell(c) for c in r.cells]] for r in t.rows],
                        "summary": t.summary,
                        "chart_column": t.chart_column,
                        "compare_column": t.compare_column,
                        "series": list(t.series),
                    }
                    for t in tables
                ],
            ]
            for heading, tables in sections
        ],
        separators=(",", ":"),
    )


def decode(text: str) -> Sections:
    return [
        (
            heading,
            [
                Table(
                    slug=t["slug"],
                    title=t["title"],
                    columns=tuple(t["columns"]),
                    rows=[
                        Row(label, tuple(_uncell(c) for c in cells)) for label, cells in t["rows"]
                    ],
                    summary=t["summary"],
                    chart_column=t["chart_column"],
                    compare_column=t["compare_column"],
                    series=(t["series"][0], t["series"][1]),
                )
                for t in tables
            ],
        )
        for heading, tables in json.loads(text)
    ]
