"""What an insight figure is: a count that is never shown below 5, a rate or a median withheld
when it rests on so few, the periods the figures cover, and the tables every page, chart and CSV
is drawn from.

The small-numbers rule (domain.md, "What the panels want to learn"): a count from 1 to 4 is
written "fewer than 5", so that no table, chart or export can point at a case; 0 stays 0. A rate
is withheld when its numerator, its denominator or what is left of the denominator (the cases
that were not positive, say) is such a count, since any of them could be worked back from the
rate. A median is withheld when it rests on 1 to 4 cases. The rule lives here alone, so the page,
its charts and its CSV cannot disagree.

This is primary suppression only: where a table also shows a total ("All agencies", a period's
total beside its quarters), a single suppressed cell can still be worked out by subtracting the
others from it. Secondary suppression (withholding a second cell, or the total) is still to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from panel.core.time import UK

# Counts from 1 up to (not including) this are suppressed.
SUPPRESS_BELOW = 5
FEWER_THAN = f"fewer than {SUPPRESS_BELOW}"
# A rate or median that cannot be shown: written so in tables and CSV.
WITHHELD = "withheld (fewer than 5)"
NOT_APPLICABLE = "none"


def suppressed(value: int) -> bool:
    return 0 < value < SUPPRESS_BELOW


@dataclass(frozen=True)
class Count:
    """A number of things, as it may be published."""

    value: int

    @property
    def suppressed(self) -> bool:
        return suppressed(self.value)

    @property
    def shown(self) -> int | None:
        """The number a chart may draw, or None (no bar) when it is suppressed."""
        return None if self.suppressed else self.value

    def __str__(self) -> str:
        return FEWER_THAN if self.suppressed else f"{self.value:,}"

    def __add__(self, other: Count) -> Count:
        return Count(self.value + other.value)


@dataclass(frozen=True)
class Rate:
    """`part` out of `whole`, as a whole-number percentage."""

    part: int
    whole: int

    @property
    def withheld(self) -> bool:
        return any(suppressed(n) for n in (self.part, self.whole, self.whole - self.part))

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
