"""What an insight figure is: a count that is never shown below 5, a rate or a median withheld
when it rests on so few, the periods the figures cover, and the tables every page, chart and CSV
is drawn from.

The small-numbers rule (domain.md, "What the panels want to learn"): a count from 1 to 4 is
written "fewer than 5", so that no table, chart or export can point at a case; 0 stays 0. A rate
is withheld when its numerator, its denominator or what is left of the denominator (the cases
that were not positive, say) is such a count, since any of them could be worked back from the
rate. A median is withheld when it rests on 1 to 4 cases. The rule lives here alone, so the page,
its charts and its CSV cannot disagree.

Secondary suppression: where figures add up to a total that is also shown ("All agencies", the
made column beside the statuses, a period's total beside its quarters), one hidden cell among
them could be worked out by subtracting the others from the total. `protect` hides a second cell
of every such line (the next-smallest, or the total when nothing else is left), written
"withheld", until no line has exactly one hidden cell; a rate beside a withheld count is withheld
too. The query that builds a table says which of its cells add up (`Line`), across the tables
that share a total where it builds them together (a total another table shows is `fixed`: never
the one withheld). The stage ratings add up, with the case reviews not yet rated, to the case
review total, and are protected against it. What a row leaves unshown (10 case reviews, 8 of them
positive: 2 were not) is protected as if shown (`complements`), and so is a set of hidden cells
that the total leaves fewer than 5 for, or exactly 4 each (`_exposed`). Not covered: the wider
bounds a withheld cell still has (a row of 9 with one "fewer than 5" and one "withheld" says the
withheld one is 5 to 8).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from panel.core.time import UK

# Counts from 1 up to (not including) this are suppressed.
SUPPRESS_BELOW = 5
FEWER_THAN = f"fewer than {SUPPRESS_BELOW}"
# A rate or median that cannot be shown: written so in tables and CSV.
WITHHELD = "withheld (small numbers)"
NOT_APPLICABLE = "none"
# A count of 5 or more hidden so that a count under 5 cannot be worked out from a total.
SECONDARY = "withheld"


def suppressed(value: int) -> bool:
    return 0 < value < SUPPRESS_BELOW


@dataclass(frozen=True)
class Count:
    """A number of things, as it may be published: suppressed when it is from 1 to 4, withheld
    when it would give such a count away (secondary suppression, `protect`)."""

    value: int
    withheld: bool = False

    @property
    def suppressed(self) -> bool:
        return suppressed(self.value)

    @property
    def hidden(self) -> bool:
        return self.suppressed or self.withheld

    @property
    def shown(self) -> int | None:
        """The number a chart may draw, or None (no bar) when it is hidden."""
        return None if self.hidden else self.value

    def __str__(self) -> str:
        if self.suppressed:
            return FEWER_THAN
        return SECONDARY if self.withheld else f"{self.value:,}"

    def __add__(self, other: Count) -> Count:
        return Count(self.value + other.value)


@dataclass(frozen=True)
class Rate:
    """`part` out of `whole`, as a whole-number percentage."""

    part: int
    whole: int
    # Beside a count withheld by secondary suppression, which the rate would give away.
    hidden: bool = False

    @property
    def withheld(self) -> bool:
        return self.hidden or any(
            suppressed(n) for n in (self.part, self.whole, self.whole - self.part)
        )

    @property
    def percent(self) -> int | None:
        if self.whole == 0 or self.withheld:
            return None
        return round(100 * self.part / self.whole)

    def __str__(self) -> str:
        if self.whole == 0:
            return NOT_APPLICABLE
        return WITHHELD if self.withheld else f"{self.percent}%"


@dataclass(frozen=True)
class Median:
    """The median number of days something took, over `count` cases."""

    days: float | None
    count: int

    @property
    def withheld(self) -> bool:
        return suppressed(self.count)

    @property
    def shown(self) -> int | None:
        if self.days is None or self.withheld:
            return None
        return round(self.days)

    def __str__(self) -> str:
        if self.count == 0 or self.days is None:
            return NOT_APPLICABLE
        if self.withheld:
            return WITHHELD
        days = round(self.days)
        return f"{days} day" if days == 1 else f"{days} days"


Cell = Count | Rate | Median | str


# --- Periods -----------------------------------------------------------------------------------


def _month_start(year: int, month: int) -> date:
    """The first of a month, counting months past 12 or below 1 into the next or last years."""
    year += (month - 1) // 12
    return date(year, (month - 1) % 12 + 1, 1)


def _months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month


@dataclass(frozen=True)
class Bucket:
    """One step of a trend (a month or a quarter): [start, end) in UK days."""

    start: date
    end: date
    label: str


@dataclass(frozen=True)
class Period:
    """The UK days [start, end) that the figures cover, by its key in the page's address."""

    key: str
    label: str
    start: date
    end: date

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def months(self) -> int:
        return _months_between(self.start, self.end)

    @property
    def step_months(self) -> int:
        """Trends go by quarter over a year, by month over a quarter."""
        return 3 if self.months >= 12 else 1

    def previous(self) -> Period:
        """The period of the same length just before this one, to set beside it."""
        start = _month_start(self.start.year, self.start.month - self.months)
        return Period(f"before-{self.key}", f"the {self.months} months before", start, self.start)

    def buckets(self) -> list[Bucket]:
        step = self.step_months
        found = []
        for offset in range(0, self.months, step):
            start = _month_start(self.start.year, self.start.month + offset)
            end = _month_start(start.year, start.month + step)
            last = _month_start(end.year, end.month - 1)
            label = (
                f"{start:%b %Y}"
                if step == 1
                else f"{start:%b} to {last:%b %Y}"
                if start.year == last.year
                else f"{start:%b %Y} to {last:%b %Y}"
            )
            found.append(Bucket(start, end, label))
        return found

    @property
    def starts_at(self) -> datetime:
        return uk_midnight(self.start)

    @property
    def ends_at(self) -> datetime:
        return uk_midnight(self.end)


def uk_midnight(day: date) -> datetime:
    """The moment a UK day starts, in UTC (as timestamps are stored)."""
    return datetime.combine(day, time(), tzinfo=UK).astimezone(UTC)


DEFAULT_PERIOD = "last-12-months"
QUARTERS_OFFERED = 8
FINANCIAL_YEARS_OFFERED = 4


def last_12_months(today: date) -> Period:
    """The 12 months up to and including this one."""
    end = _month_start(today.year, today.month + 1)
    start = _month_start(end.year, end.month - 12)
    return Period(DEFAULT_PERIOD, "the last 12 months", start, end)


def quarter(year: int, number: int) -> Period:
    """A calendar quarter, e.g. 2026-q3 (July to September 2026)."""
    start = date(year, 3 * number - 2, 1)
    end = _month_start(year, 3 * number + 1)
    last = _month_start(year, 3 * number)
    return Period(f"{year}-q{number}", f"{start:%B} to {last:%B %Y}", start, end)


def financial_year(year: int) -> Period:
    """The UK financial year from April `year` to March of the next, e.g. fy-2025."""
    return Period(
        f"fy-{year}",
        f"the {year} to {year + 1} financial year",
        date(year, 4, 1),
        date(year + 1, 4, 1),
    )


def periods_offered(today: date) -> dict[str, Period]:
    """The last 12 months, then the last quarters (this one first), then the financial years
    (the current one first)."""
    offered = [last_12_months(today)]
    this_quarter = (today.month - 1) // 3 + 1
    for back in range(QUARTERS_OFFERED):
        index = this_quarter - 1 - back
        offered.append(quarter(today.year + index // 4, index % 4 + 1))
    this_year = today.year if today.month >= 4 else today.year - 1
    offered += [financial_year(this_year - back) for back in range(FINANCIAL_YEARS_OFFERED)]
    return {period.key: period for period in offered}


# --- Tables ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    label: str
    cells: tuple[Cell, ...]


@dataclass
class Table:
    """One table of figures: shown on the page beside its chart, and downloadable as CSV under
    `slug`. `chart_column` names the column the chart draws (of `cells`, the first after the
    label) and `compare_column` the one drawn beside it, as `series` names them."""

    slug: str
    title: str
    columns: tuple[str, ...]
    rows: list[Row]
    summary: str = ""
    chart_column: int | None = 0
    compare_column: int | None = None
    # What the chart's two series are, when it has two.
    series: tuple[str, str] = ("This period", "Previous period")

    def csv_rows(self) -> list[list[str]]:
        return [[row.label, *(str(cell) for cell in row.cells)] for row in self.rows]


# --- Secondary suppression ---------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """Cells that add up: `total` is the sum of `parts`. Whoever sees all of them but one can
    work the last one out."""

    total: Hashable
    parts: tuple[Hashable, ...]


def _exposed(line: Line, hidden: set, cells: Mapping[Hashable, Count]) -> bool:
    """Whether what the line shows gives a hidden count away: its only hidden cell is the total
    less the others; or its total is shown and its hidden parts add up to fewer than 5 (two
    "fewer than 5" beside a total that leaves 2 for them are 1 each), or to 4 each (8 left for
    two of them: both are 4)."""
    keys = (line.total, *line.parts)
    count = sum(key in hidden for key in keys)
    if count == 1:
        return True
    if count == 0 or line.total in hidden:
        return False
    parts = [cells[key] for key in line.parts if key in hidden]
    left = sum(cell.value for cell in parts)
    if 0 < left < SUPPRESS_BELOW:
        return True
    return all(cell.suppressed for cell in parts) and left == (SUPPRESS_BELOW - 1) * len(parts)


def protect(
    cells: Mapping[Hashable, Count], lines: Iterable[Line], fixed: Iterable[Hashable] = ()
) -> dict[Hashable, Count]:
    """`cells` with more withheld until no line has exactly one hidden cell (which its total,
    or its parts, would give away). Each round withholds the cell that mends the most such
    lines at once, then the smallest that is not 0 (a 0 last), so that few are withheld.
    `fixed` cells are never withheld: another table shows the same total (a trend's total is
    the period's case reviews, say), so withholding it here would hide nothing."""
    lines = list(lines)
    fixed = set(fixed)
    order = {key: n for n, key in enumerate(cells)}
    hidden = {key for key, cell in cells.items() if cell.hidden}
    while True:
        exposed = [line for line in lines if _exposed(line, hidden, cells)]
        if not exposed:
            break
        mends: dict[Hashable, int] = {}
        for line in exposed:
            alone = sum(key in hidden for key in (line.total, *line.parts)) == 1
            for key in (line.total, *line.parts):
                # Beside two or more hidden cells, a 0 hidden too adds nothing to their total.
                if key in hidden or key in fixed or (not alone and cells[key].value == 0):
                    continue
                mends[key] = mends.get(key, 0) + 1
        if not mends:
            break
        value = lambda key: cells[key].value  # noqa: E731
        hidden.add(
            min(mends, key=lambda key: (-mends[key], value(key) == 0, value(key), order[key]))
        )
    return {
        key: replace(cell, withheld=True) if key in hidden and not cell.hidden else cell
        for key, cell in cells.items()
    }


@dataclass(frozen=True)
class Keys:
    """How one table's cells are keyed among the cells protected together: (name, row, column),
    except the row `shared` (a total row another table shows too), keyed ("shared", column) so
    that both tables withhold the same cells of it."""

    name: Hashable = None
    shared: int | None = None

    def __call__(self, row: int, column: int) -> Hashable:
        return ("shared", column) if row == self.shared else (self.name, row, column)


def cells_of(rows: Sequence[Row], keys: Keys = Keys()) -> dict[Hashable, Count]:
    """The counts of `rows`, keyed by `keys`."""
    return {
        keys(r, c): cell
        for r, row in enumerate(rows)
        for c, cell in enumerate(row.cells)
        if isinstance(cell, Count)
    }


def rows_with(rows: Sequence[Row], cells: Mapping[Hashable, Count], keys: Keys = Keys()):
    """`rows` with their counts from `cells` (as `protect` left them), and each rate in a row
    with a withheld count withheld too."""
    found = []
    for r, row in enumerate(rows):
        counts = [cells.get(keys(r, c), cell) for c, cell in enumerate(row.cells)]
        withheld = any(isinstance(cell, Count) and cell.withheld for cell in counts)
        found.append(
            Row(
                row.label,
                tuple(
                    replace(cell, hidden=True) if withheld and isinstance(cell, Rate) else cell
                    for cell in counts
                ),
            )
        )
    return found


def column_lines(
    columns: Iterable[int], parts: Iterable[int], total: int, keys: Keys = Keys()
) -> list[Line]:
    """Each of `columns` adds up, over the rows `parts`, to its cell in row `total`."""
    parts = list(parts)
    return [Line(keys(total, c), tuple(keys(r, c) for r in parts)) for c in columns]


def row_lines(
    rows: Iterable[int], parts: Iterable[int], total: int, keys: Keys = Keys()
) -> list[Line]:
    """Each of `rows` adds up, over the columns `parts`, to its cell in column `total`."""
    parts = list(parts)
    return [Line(keys(r, total), tuple(keys(r, c) for c in parts)) for r in rows]


def complements(
    rows: Sequence[Row], whole: int, part: int, keys: Keys = Keys()
) -> tuple[dict[Hashable, Count], list[Line]]:
    """The count each row does not show, `whole` less `part` (case reviews without a positive
    outcome, say), as a cell of its own that no table draws, and the line that adds it up: so
    that 10 case reviews with 8 positive, which say 2 were not, are protected like a 2 shown."""
    cells: dict[Hashable, Count] = {}
    lines = []
    for r, row in enumerate(rows):
        of, shown = row.cells[whole], row.cells[part]
        assert isinstance(of, Count) and isinstance(shown, Count)
        rest = keys(r, ("rest", part))
        cells[rest] = Count(of.value - shown.value)
        lines.append(Line(keys(r, whole), (keys(r, part), rest)))
    return cells, lines


def protect_rows(
    rows: Sequence[Row], lines: Iterable[Line], rests: tuple[int, int] | None = None
) -> list[Row]:
    """One table's rows protected on their own lines (keyed by the default `Keys`), and, when
    `rests` names a (whole, part) pair of columns, on what each row leaves unshown."""
    cells, lines = cells_of(rows), list(lines)
    if rests is not None:
        hidden, more = complements(rows, *rests)
        cells, lines = {**cells, **hidden}, [*lines, *more]
    return rows_with(rows, protect(cells, lines))
