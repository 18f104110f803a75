"""The report of `make bench-load`, made from the record of every request the locustfile keeps
(tests/load/locustfile.py says why not Locust's own stats CSV): per page, p50/p95/p99 in the
realistic mix, its throughput in the mix and alone, and that throughput as a share of the app's
`/healthz` and of the bare endpoint; the targets, met or not; a CSV and a chart of p95 by page.

The chart is SVG written here rather than drawn with matplotlib: one bar chart does not justify
matplotlib and numpy in the bench set-up, and a text file is deterministic, diffable and checked
by a plain unit test (tests/test_bench_load.py).
"""

from __future__ import annotations

import csv
import dataclasses
import math
from html import escape
from pathlib import Path

HEALTHZ = "/healthz"
BARE = "bare SELECT 1"
PAGE_TARGET_MS = 100
PDF_TARGET_MS = 1000
# The insight pages' own target (issue 17): a busy panel's figures, and those across panels.
INSIGHT_TARGET_MS = 300
PANEL_SHARE_OF_HEALTHZ = 0.5
HEALTHZ_SHARE_OF_BARE = 0.75
ERRORS_USERS, ERRORS_SECONDS = 50, 300


@dataclasses.dataclass(frozen=True)
class Stat:
    """One endpoint in one phase: times in ms, throughput in requests per second."""

    name: str
    method: str
    requests: int
    failures: int
    p50: float | None
    p95: float | None
    p99: float | None
    rps: float


@dataclasses.dataclass(frozen=True)
class Request:
    method: str
    name: str
    started: float  # seconds since the epoch
    ms: float
    error: str


def read_requests(path: Path | str) -> list[Request]:
    """The record the locustfile writes (BENCH_RECORD): one row per request."""
    with open(path, newline="") as handle:
        return [
            Request(r["method"], r["name"], float(r["started"]), float(r["ms"]), r["error"])
            for r in csv.DictReader(handle)
        ]


def percentile(values: list[float], p: float) -> float | None:
    """The nearest-rank percentile: the smallest value with at least p% of values at or below
    it (so p95 of 20 values is the 19th smallest). None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(math.ceil(p / 100 * len(ordered)), 1)
    return ordered[rank - 1]


def summarise(requests: list[Request]) -> dict[str, Stat]:
    """Per name, in order of first appearance: counts, p50/p95/p99 of every response (failed
    ones too, as Locust counts them) and requests per second over the phase (from the first
    request's start to the last one's end, so that the time Locust takes to start its users is
    not counted). Rows of type STALE (updates refused because another save overtook them) are
    kept apart, under "STALE <name>"."""
    if not requests:
        return {}
    window = max(r.started + r.ms / 1000 for r in requests) - min(r.started for r in requests)
    grouped: dict[str, list[Request]] = {}
    for r in requests:
        grouped.setdefault(f"STALE {r.name}" if r.method == "STALE" else r.name, []).append(r)
    stats = {}
    for key, group in grouped.items():
        times = [r.ms for r in group]
        stats[key] = Stat(
            name=group[0].name,
            method=group[0].method,
            requests=len(group),
            failures=sum(1 for r in group if r.error),
            p50=percentile(times, 50),
            p95=percentile(times, 95),
            p99=percentile(times, 99),
            rps=len(group) / window if window > 0 else 0.0,
        )
    return stats


@dataclasses.dataclass(frozen=True)
class Row:
    users: int
    page: str
    method: str
    requests: int
    failures: int
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    mix_rps: float | None  # this page's requests per second within the mix
    alone_rps: float | None  # requests per second when it alone is asked for, without pauses
    alone_p95_ms: float | None
    share_of_healthz: float | None  # alone_rps / the app's /healthz alone
    share_of_bare: float | None  # alone_rps / the bare endpoint alone
    p95_target_ms: int | None

    @property
    def p95_met(self) -> bool | None:
        if self.p95_target_ms is None or self.p95_ms is None:
            return None
        return self.p95_ms <= self.p95_target_ms


COLUMNS = [f.name for f in dataclasses.fields(Row)] + ["p95_met"]


def build_rows(
    users: int,
    mix: dict[str, Stat],
    alone: dict[str, Stat],
    healthz: Stat,
    bare: Stat,
    pdf_pages: frozenset[str] = frozenset(),
    order: list[str] | None = None,
    insight_pages: frozenset[str] = frozenset(),
) -> list[Row]:
    """A row per page of the mix (in `order`, then any others by name), then /healthz and the
    bare endpoint. Each page's p95 target is PAGE_TARGET_MS, or PDF_TARGET_MS for `pdf_pages`
    and INSIGHT_TARGET_MS for `insight_pages`."""

    def share(rps: float | None, of: Stat) -> float | None:
        return rps / of.rps if rps is not None and of.rps else None

    rank = {name: i for i, name in enumerate(order or [])}
    names = sorted(
        (n for n in mix if not n.startswith("STALE ")), key=lambda n: (rank.get(n, len(rank)), n)
    )
    rows = []
    for name in names:
        stat = mix[name]
        by_itself = alone.get(name)
        alone_rps = by_itself.rps if by_itself else None
        rows.append(
            Row(
                users=users,
                page=name,
                method=stat.method,
                requests=stat.requests,
                failures=stat.failures,
                p50_ms=stat.p50,
                p95_ms=stat.p95,
                p99_ms=stat.p99,
                mix_rps=stat.rps,
                alone_rps=alone_rps,
                alone_p95_ms=by_itself.p95 if by_itself else None,
                share_of_healthz=share(alone_rps, healthz),
                share_of_bare=share(alone_rps, bare),
                p95_target_ms=PDF_TARGET_MS
                if name in pdf_pages
                else INSIGHT_TARGET_MS
                if name in insight_pages
                else PAGE_TARGET_MS,
            )
        )
    for stat in (healthz, bare):
        rows.append(
            Row(
                users=users,
                page=stat.name,
                method=stat.method,
                requests=stat.requests,
                failures=stat.failures,
                p50_ms=stat.p50,
                p95_ms=stat.p95,
                p99_ms=stat.p99,
                mix_rps=None,
                alone_rps=stat.rps,
                alone_p95_ms=stat.p95,
                share_of_healthz=share(stat.rps, healthz),
                share_of_bare=share(stat.rps, bare),
                p95_target_ms=None,
            )
        )
    return rows


@dataclasses.dataclass(frozen=True)
class Target:
    what: str
    met: bool | None  # None: not measured in this run
    detail: str


def targets(rows: list[Row], seconds: dict[int, float], panel_page: str = "panel") -> list[Target]:
    """The issue's targets against these rows. `seconds`: how long each user count's mix ran."""
    found = []
    by_users: dict[int, list[Row]] = {}
    for row in rows:
        by_users.setdefault(row.users, []).append(row)
    for users, group in sorted(by_users.items()):
        pages = [r for r in group if r.p95_target_ms is not None]
        slow = [r for r in pages if r.p95_met is False]
        found.append(
            Target(
                f"{users} users: every page p95 <= {PAGE_TARGET_MS} ms (PDF <= {PDF_TARGET_MS} ms, "
                f"insight <= {INSIGHT_TARGET_MS} ms)",
                not slow,
                ", ".join(f"{r.page} {r.p95_ms:.0f} ms" for r in slow) or "all within",
            )
        )
        panel = next((r for r in group if r.page == panel_page), None)
        if panel is not None and panel.share_of_healthz is not None:
            found.append(
                Target(
                    f"{users} users: {panel_page} page throughput >= "
                    f"{PANEL_SHARE_OF_HEALTHZ:.0%} of /healthz",
                    panel.share_of_healthz >= PANEL_SHARE_OF_HEALTHZ,
                    f"{panel.alone_rps:.0f} vs {_rps(group, HEALTHZ):.0f} req/s: "
                    f"{panel.share_of_healthz:.1%}",
                )
            )
        healthz = next((r for r in group if r.page == HEALTHZ), None)
        if healthz is not None and healthz.share_of_bare is not None:
            found.append(
                Target(
                    f"{users} users: /healthz throughput >= {HEALTHZ_SHARE_OF_BARE:.0%} of bare",
                    healthz.share_of_bare >= HEALTHZ_SHARE_OF_BARE,
                    f"{healthz.alone_rps:.0f} vs {_rps(group, BARE):.0f} req/s: "
                    f"{healthz.share_of_bare:.1%}",
                )
            )
        failures = sum(r.failures for r in group)
        requests = sum(r.requests for r in group)
        found.append(
            Target(
                f"{users} users: no errors",
                failures == 0,
                f"{failures} failed of {requests:,} requests",
            )
        )
    long_enough = [u for u, s in seconds.items() if u >= ERRORS_USERS and s >= ERRORS_SECONDS - 1]
    found.append(
        Target(
            f"{ERRORS_USERS} users for {ERRORS_SECONDS // 60} minutes with zero errors",
            all(sum(r.failures for r in by_users[u]) == 0 for u in long_enough)
            if long_enough
            else None,
            f"ran {', '.join(f'{u} users for {s:.0f} s' for u, s in sorted(seconds.items()))}"
            + ("" if long_enough else f" (needs USERS={ERRORS_USERS} DURATION=5m)"),
        )
    )
    return found


def _rps(rows: list[Row], page: str) -> float:
    return next((r.alone_rps or 0.0) for r in rows if r.page == page)


# --- Output ---------------------------------------------------------------------------------


def _num(value: float | None, places: int = 0) -> str:
    if value is None:
        return "-"
    return f"{value:,.{places}f}"


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


TABLE_HEADINGS = [
    "users",
    "page",
    "requests",
    "errors",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "mix req/s",
    "alone req/s",
    "÷ /healthz",
    "÷ bare",
    "p95 target",
]


def table_cells(row: Row) -> list[str]:
    met = {True: " ok", False: " MISSED", None: ""}[row.p95_met]
    return [
        str(row.users),
        row.page,
        _num(row.requests),
        _num(row.failures),
        _num(row.p50_ms),
        _num(row.p95_ms),
        _num(row.p99_ms),
        _num(row.mix_rps, 1),
        _num(row.alone_rps, 1),
        _share(row.share_of_healthz),
        _share(row.share_of_bare),
        (f"{row.p95_target_ms} ms" + met) if row.p95_target_ms else "",
    ]


def format_table(rows: list[Row]) -> str:
    """A Markdown table (readable as plain text too)."""
    cells = [TABLE_HEADINGS] + [table_cells(r) for r in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(TABLE_HEADINGS))]
    left = {1}

    def line(values: list[str]) -> str:
        padded = [
            v.ljust(w) if i in left else v.rjust(w)
            for i, (v, w) in enumerate(zip(values, widths, strict=True))
        ]
        return "| " + " | ".join(padded) + " |"

    rule = (
        "|"
        + "|".join(
            ("-" * (w + 2)) if i in left else ("-" * (w + 1) + ":") for i, w in enumerate(widths)
        )
        + "|"
    )
    return "\n".join([line(cells[0]), rule, *(line(c) for c in cells[1:])])


def format_targets(found: list[Target]) -> str:
    marks = {True: "met", False: "MISSED", None: "not measured"}
    return "\n".join(f"- {t.what}: {marks[t.met]} ({t.detail})" for t in found)


def write_csv(rows: list[Row], path: Path) -> None:
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for row in rows:
            values = dataclasses.astuple(row) + (row.p95_met,)
            writer.writerow(
                "" if v is None else (f"{v:.4g}" if isinstance(v, float) else v) for v in values
            )


# --- The chart --------------------------------------------------------------------------------

COLOURS = ["#1d70b8", "#f47738", "#00703c", "#912b88", "#505a5f"]  # GOV.UK palette
MISSED = "#d4351c"  # GOV.UK red: the targets, and the bars that miss them


def write_svg(rows: list[Row], path: Path, title: str = "p95 response time by page") -> None:
    """Horizontal bars of p95 per page (one per user count), on a log scale, each page's target
    (100 ms, or 1 s for a PDF) marked in red over its bars, and each bar that misses it outlined
    in red with its figure marked "over"."""
    pages = list(dict.fromkeys(r.page for r in rows if r.p95_ms is not None))
    users = sorted({r.users for r in rows})
    value = {(r.page, r.users): r.p95_ms for r in rows if r.p95_ms is not None}
    top = max([PDF_TARGET_MS * 2, *value.values()])
    low, high = 1.0, 10 ** math.ceil(math.log10(top))
    label_w, plot_w, bar_h, gap = 230, 560, 12, 10
    group_h = bar_h * len(users) + gap
    head, foot = 50, 45
    width = label_w + plot_w + 30
    height = head + group_h * len(pages) + foot

    def x(ms: float) -> float:
        return label_w + plot_w * (math.log10(max(ms, low)) - math.log10(low)) / math.log10(
            high / low
        )

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="Arial, sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{label_w}" y="20" font-size="15" font-weight="bold">{escape(title)}</text>',
    ]
    for i, count in enumerate(users):
        lx = label_w + 130 * i
        out.append(
            f'<rect x="{lx}" y="30" width="10" height="10" fill="{COLOURS[i % len(COLOURS)]}"/>'
            f'<text x="{lx + 14}" y="39">{count} users</text>'
        )
    bottom = head + group_h * len(pages)
    tick = low
    while tick <= high:
        tx = x(tick)
        out.append(
            f'<line x1="{tx:.1f}" y1="{head - 4}" x2="{tx:.1f}" y2="{bottom}" stroke="#ddd"/>'
            f'<text x="{tx:.1f}" y="{bottom + 16}" text-anchor="middle">{_tick(tick)}</text>'
        )
        tick *= 10
    target_of = {r.page: r.p95_target_ms for r in rows}
    for p, page in enumerate(pages):
        gy = head + group_h * p
        out.append(
            f'<text x="{label_w - 8}" y="{gy + group_h / 2}" text-anchor="end" '
            f'dominant-baseline="middle">{escape(page)}</text>'
        )
        target = target_of.get(page)
        for i, count in enumerate(users):
            ms = value.get((page, count))
            if ms is None:
                continue
            by = gy + bar_h * i
            missed = target is not None and ms > target
            # A bar over its target is outlined in red and its figure says so.
            outline = f' stroke="{MISSED}" stroke-width="1.5"' if missed else ""
            over = f", over the {_tick(target)} target" if missed else ""
            label = (
                f'font-size="10" fill="{MISSED}" font-weight="bold"'
                if missed
                else ('font-size="10"')
            )
            out.append(
                f'<rect x="{label_w}" y="{by}" width="{max(x(ms) - label_w, 1):.1f}" '
                f'height="{bar_h - 2}" fill="{COLOURS[i % len(COLOURS)]}"{outline}>'
                f"<title>{escape(page)}, {count} users: p95 {ms:.0f} ms{over}</title></rect>"
                f'<text x="{x(ms) + 4:.1f}" y="{by + bar_h - 3}" {label}>{ms:.0f}'
                f"{' over' if missed else ''}</text>"
            )
        if target:
            # Drawn after the bars, so that a bar running past its target does not hide it.
            tx = x(target)
            out.append(
                f'<line x1="{tx:.1f}" y1="{gy - 4}" x2="{tx:.1f}" y2="{gy + group_h - gap + 2}" '
                f'stroke="white" stroke-width="5"/>'
                f'<line x1="{tx:.1f}" y1="{gy - 4}" x2="{tx:.1f}" y2="{gy + group_h - gap + 2}" '
                f'stroke="{MISSED}" stroke-width="2.5"><title>target: p95 within '
                f"{_tick(target)}</title></line>"
            )
    out.append(
        f'<text x="{label_w + plot_w / 2}" y="{height - 8}" text-anchor="middle">'
        "p95 in milliseconds (log scale); red marks: each page's target (100 ms, 1 s for a "
        "PDF); bars outlined in red miss it</text>"
    )
    out.append("</svg>")
    path.write_text("\n".join(out) + "\n")


def _tick(ms: float) -> str:
    return f"{ms / 1000:g} s" if ms >= 1000 else f"{ms:g} ms"
