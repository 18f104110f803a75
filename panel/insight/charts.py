"""The geometry of insight charts: where each bar, label and tick goes, so that the template
(`templates/macros/charts.html`) only draws what it is given.

Charts are drawn by a small Jinja template as SVG, not by a charting library: they are simple
horizontal bars (one series, or this period beside the previous one), a template renders in well
under a millisecond where the insight page must stay within a p95 of 300 ms at national scale,
and the accessible markup (role="img", a title and a text summary, the same numbers in a table
beside it, suppressed values written out rather than drawn) is ours to get right. matplotlib or
pygal would add a heavy dependency whose SVG we could not make accessible as easily.

A value that is suppressed ("fewer than 5") or withheld gets no bar, only its text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from panel.insight.measures import Count, Median, Rate, Table

# GOV.UK colours: blue for this period, dark grey for the one before.
CURRENT_COLOUR = "#1d70b8"
PREVIOUS_COLOUR = "#505a5f"
WIDTH = 520
# Room on the right of the longest bar for its value ("fewer than 5").
VALUE_ROOM = 120
LABEL_HEIGHT = 22
BAR_HEIGHT = 18
BAR_GAP = 4
GROUP_GAP = 14
AXIS_HEIGHT = 28
LEGEND_HEIGHT = 28


@dataclass(frozen=True)
class Bar:
    y: float
    width: float
    colour: str
    text: str
    text_x: float
    series: str


@dataclass(frozen=True)
class Group:
    label: str
    label_y: float
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    summary: str
    width: int
    height: int
    plot_width: int
    axis_y: float
    groups: tuple[Group, ...]
    ticks: tuple[Tick, ...]
    legend: tuple[tuple[str, str], ...]
    unit: str


def plotted(cell) -> int | None:
    """The number a chart draws for a cell, or None when it may not be drawn."""
    if isinstance(cell, Count | Median):
        return cell.shown
    if isinstance(cell, Rate):
        return cell.percent
    return None


def axis(value: int) -> tuple[int, int]:
    """The axis's end and its step for values up to `value`: whole-number steps of 1, 2 or 5
    times a power of ten, at most 5 of them (an empty chart gets an axis to 1)."""
    value = max(value, 1)
    power = 1
    while True:
        for step in (power, 2 * power, 5 * power):
            if value <= 5 * step:
                return step * math.ceil(value / step), step
        power *= 10


def ticks(maximum: int, step: int, plot_width: int) -> list[Tick]:
    return [
        Tick(round(plot_width * value / maximum, 1), f"{value:,}")
        for value in range(0, maximum + 1, step)
    ]


def chart_of(table: Table, chart_id: str) -> Chart | None:
    """The bar chart of `table`'s chart column (and its compare column beside it), or None if the
    table draws no chart."""
    if table.chart_column is None:
        return None
    columns = [table.chart_column]
    if table.compare_column is not None:
        columns.append(table.compare_column)
    colours = (CURRENT_COLOUR, PREVIOUS_COLOUR)
    series = table.series
    values = [plotted(row.cells[c]) for row in table.rows for c in columns]
    maximum, step = axis(max((v for v in values if v is not None), default=0))
    plot_width = WIDTH - VALUE_ROOM
    unit = "%" if any(isinstance(row.cells[columns[0]], Rate) for row in table.rows) else ""
    legend = tuple((series[i], colours[i]) for i in range(len(columns))) if len(columns) > 1 else ()
    y = float(LEGEND_HEIGHT if legend else 0)
    groups = []
    for row in table.rows:
        label_y = y + 16
        y += LABEL_HEIGHT
        bars = []
        for index, column in enumerate(columns):
            cell = row.cells[column]
            value = plotted(cell)
            width = 0.0 if value is None else round(plot_width * value / maximum, 1)
            text = str(cell) if value is None else f"{value:,}{unit}"
            bars.append(Bar(y, width, colours[index], text, width + 6, series[index]))
            y += BAR_HEIGHT + BAR_GAP
        groups.append(Group(row.label, label_y, tuple(bars)))
        y += GROUP_GAP
    return Chart(
        id=chart_id,
        title=table.title,
        summary=table.summary,
        width=WIDTH,
        height=round(y + AXIS_HEIGHT),
        plot_width=plot_width,
        axis_y=y,
        groups=tuple(groups),
        ticks=tuple(ticks(maximum, step, plot_width)),
        legend=legend,
        unit=unit,
    )
