"""Operations on a panel's pool of finalised cases: reading an extract and importing it once the
coordinator confirms, adding a case by hand, discarding the pool, drawing cases at random (and
running a draw again from its seed), and showing the agency's reference to the one person who
may see it. Each change asks `access`, writes and audits; the unit of work commits.

A draw is reproducible by construction: it picks with `random.Random(seed)` from the eligible
cases in a stable order (by id), and which cases were eligible is decided by what the draw
records (its filters and the pool as it was: every case added up to its `last_pool_case_id`,
less those discarded before it or drawn by an earlier draw). Pool cases never change once added,
so running the draw again later, after more cases were added or drawn, picks the same cases.
"""

from __future__ import annotations

import csv
import hashlib
import io
import random
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from panel import access
from panel.access import Action
from panel.accounts.models import User
from panel.cases import services as case_services
from panel.cases.models import CaseReview
from panel.cases.pool.models import PoolCase, PoolCaseStrand, PoolDraw, PoolImport, draft_narrative
from panel.cases.pool.vocabularies import (
    AGENCY_REFERENCE_LENGTH,
    HEADINGS,
    MAX_ROWS,
    OFFENCE_WORDS,
    OUTCOME_CODE,
    OUTCOMES_BY_CODE,
    POLICING_AREA_LENGTH,
    REQUIRED_COLUMNS,
    STRAND_WORDS,
    Column,
    OutcomeGroup,
    by_value,
    heading_key,
    personal_heading,
)
from panel.cases.vocabularies import (
    AgeBand,
    Answer,
    LocationType,
    OffenceCategory,
    Outcome,
    OutOfCourtDisposal,
    ReportingRoute,
    Strand,
    UpliftAnswer,
    strand_labels,
)
from panel.core import anonymise, encryption
from panel.core.audit import TEXT_HIDDEN, TEXT_SET, AuditAction, record
from panel.core.database import utcnow
from panel.core.time import UK
from panel.extensions import db
from panel.meetings.agenda import services as agenda
from panel.meetings.models import Meeting
from panel.panels.models import Panel

# An uploaded extract waits this long for the coordinator's confirmation, then is thrown away.
IMPORT_LIFETIME = timedelta(hours=1)
# Finalised cases the panels review are recent; nothing older than this is in an extract.
EARLIEST_YEAR = 2000
# A draw is a handful of cases for one meeting's agenda.
MAX_DRAW = 20
# How the seed picks cases (`PoolDraw.method`): a new method gets a new number, so that every
# draw made with an older one still runs again as it was made.
METHOD = 1


class PoolRefused(Exception):
    """Something the pool does not allow or cannot read; the message is written for the user."""


@dataclass(frozen=True)
class PoolCaseDetails:
    """One finalised case as the pool keeps it: coarse facts, and the agency's reference."""

    strands: list[Strand]
    offence_category: OffenceCategory
    outcome: Outcome
    finalised_year: int
    finalised_month: int
    policing_area: str
    agency_reference: str | None = None


# --- Reading an extract ------------------------------------------------------------------------


@dataclass
class Preview:
    """What an extract would add to the pool, and what it leaves out and why."""

    rows: list[tuple[int, PoolCaseDetails]] = field(default_factory=list)
    # (row number as a spreadsheet shows it, the headings being row 1; why it is refused)
    refused: list[tuple[int, str]] = field(default_factory=list)
    # {heading as in the file: the column it was read as}
    recognised: dict[str, Column] = field(default_factory=dict)
    # (heading, why it was dropped): it holds personal data, by its heading or its cells.
    dropped: list[tuple[str, str]] = field(default_factory=list)
    # Headings of columns the pool does not use and that hold nothing personal.
    ignored: list[str] = field(default_factory=list)
    # How many exact finalised dates were kept as their month and year only.
    coarsened: int = 0


_MONTHS = {
    name: number
    for number in range(1, 13)
    for name in (
        date(2000, number, 1).strftime("%B").lower(),
        date(2000, number, 1).strftime("%b").lower(),
    )
} | {"sept": 9}

_YEAR_MONTH = re.compile(r"^(\d{4})[-/.](\d{1,2})$")
_MONTH_YEAR = re.compile(r"^(\d{1,2})[-/.](\d{4})$")
_NAMED_MONTH = re.compile(r"^([a-z]+)[\s,-]+(\d{4}|\d{2})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+Z?)?$")
_UK_DATE = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?: [\d:]+)?$")
_NAMED_DATE = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+),?\s+(\d{4})$")


def read_month(text: str, today: date) -> tuple[int, int, bool]:
    """(year, month, whether it was an exact date) of a finalised month as extracts write it:
    "2025-03", "03/2025", "March 2025", "Mar-25"; an exact date ("14/03/2025", "2025-03-14",
    "14 March 2025") is kept as its month and year only, as the domain's rule for dates says.
    Raises ValueError with the reason."""
    value = text.strip().lower()
    exact = False
    year = month = None
    if match := _YEAR_MONTH.match(value):
        year, month = int(match[1]), int(match[2])
    elif match := _MONTH_YEAR.match(value):
        month, year = int(match[1]), int(match[2])
    elif (match := _NAMED_MONTH.match(value)) and match[1] in _MONTHS:
        month, year = _MONTHS[match[1]], int(match[2])
        year += 2000 if year < 100 else 0
    elif match := _ISO_DATE.match(value):
        year, month, exact = int(match[1]), int(match[2]), True
    elif match := _UK_DATE.match(value):
        month, year, exact = int(match[2]), int(match[3]), True
    elif (match := _NAMED_DATE.match(value)) and match[2] in _MONTHS:
        month, year, exact = _MONTHS[match[2]], int(match[3]), True
    if year is None or month is None:
        raise ValueError("is not a month and year, like 2025-03 or March 2025")
    if not 1 <= month <= 12:
        raise ValueError("is not a real month")
    if year < EARLIEST_YEAR:
        raise ValueError(f"is before {EARLIEST_YEAR}")
    if (year, month) > (today.year, today.month):
        raise ValueError("is in the future")
    return year, month, exact


def read_strands(text: str) -> list[Strand]:
    """Strands as extracts list them: "Race; Religion", "race/faith", "Disability and Age"."""
    parts = [heading_key(part) for part in re.split(r"[;,/|+&]|\band\b", text)]
    strands: list[Strand] = []
    for part in filter(None, parts):
        strand = STRAND_WORDS.get(part)
        if strand is None:
            raise ValueError(f"“{_short(part)}” is not a strand of hate crime")
        if strand not in strands:
            strands.append(strand)  # type: ignore[arg-type]
    if not strands:
        raise ValueError("is empty")
    return strands


def read_offence(text: str) -> OffenceCategory:
    offence = OFFENCE_WORDS.get(heading_key(text))
    if offence is None:
        raise ValueError("is not one of the offence categories")
    return offence  # type: ignore[return-value]


def read_outcome(text: str) -> Outcome:
    match = OUTCOME_CODE.match(text.strip())
    outcome = OUTCOMES_BY_CODE.get(match[1].upper()) if match else None
    if outcome is None:
        raise ValueError("is not a Home Office outcome type (1 to 22, or 1A)")
    return outcome


def _short(text: str) -> str:
    return text if len(text) <= 30 else text[:29] + "…"


# Kinds of personal data each column may hold: a finalised date is coarsened to its month, and the
# agency's reference is a crime number or URN (sometimes a log number with its date), kept
# encrypted and deleted soon. Every other cell of every column is refused on any finding.
_ALLOWED_KINDS = {
    Column.FINALISED: frozenset({"DATE"}),
    Column.AGENCY_REFERENCE: frozenset({"CRIME_REF", "DATE"}),
}


class _Guard:
    """The personal-data guard over every cell, remembering each distinct text's findings: an
    extract repeats its areas, offences and outcomes thousands of times."""

    def __init__(self, own_prefixes: frozenset[str]):
        self.own_prefixes = own_prefixes
        self.seen: dict[str, list[str]] = {}

    def kinds(self, text: str) -> list[str]:
        if text not in self.seen:
            self.seen[text] = list(
                dict.fromkeys(f.kind for f in anonymise.find(text, self.own_prefixes))
            )
        return self.seen[text]


def _decode(data: bytes) -> str:
    if b"\x00" in data:
        raise PoolRefused("The selected file must be a CSV file")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise PoolRefused("The selected file must be a CSV file")  # pragma: no cover - cp1252 reads any


def read_extract(data: bytes, today: date, own_prefixes: frozenset[str]) -> Preview:
    """Read a CSV extract: which columns are the pool's, which are dropped for holding personal
    data (by their heading, or because the guard finds it in a cell), and each row either kept
    or refused with its reason. Raises `PoolRefused` for a file it cannot use at all."""
    try:
        table = list(csv.reader(io.StringIO(_decode(data), newline="")))
    except csv.Error:
        raise PoolRefused("The selected file must be a CSV file") from None
    while table and not any(cell.strip() for cell in table[-1]):
        table.pop()
    if not table:
        raise PoolRefused("The selected file is empty")
    headings, body = table[0], table[1:]
    if not body:
        raise PoolRefused("The selected file has headings but no cases")
    if len(body) > MAX_ROWS:
        raise PoolRefused(
            f"The selected file has {len(body):,} cases: import at most {MAX_ROWS:,} at a time, "
            "by splitting the file"
        )

    preview = Preview()
    guard = _Guard(own_prefixes)
    columns: dict[Column, int] = {}
    others: list[int] = []
    for index, heading in enumerate(headings):
        column = HEADINGS.get(heading_key(heading))
        if column is not None and column not in columns:
            columns[column] = index
            preview.recognised[heading.strip()] = column
        elif personal_heading(heading):
            preview.dropped.append((heading.strip(), "its heading says it holds personal data"))
        else:
            others.append(index)
    missing = [column for column in REQUIRED_COLUMNS if column not in columns]
    if missing:
        raise PoolRefused(
            "The selected file has no column for the "
            + _and([column.label for column in missing])
            + ": name the columns as in the guidance on this page"
        )

    # Columns the pool does not use are never saved; one whose cells hold personal data is
    # reported as dropped for it, so that the coordinator knows the extract carried it.
    for index in others:
        kinds: list[str] = []
        for row in body:
            cell = row[index].strip() if index < len(row) else ""
            kinds.extend(kind for kind in guard.kinds(cell) if kind not in kinds)
        heading = headings[index].strip() or f"Column {index + 1}"
        if kinds:
            found = _and([anonymise.KIND_LABELS[kind] for kind in kinds])
            preview.dropped.append((heading, f"its cells hold what looks like {found}"))
        else:
            preview.ignored.append(heading)

    for number, row in enumerate(body, start=2):
        if not any(cell.strip() for cell in row):
            continue
        try:
            details, exact = _read_row(row, columns, guard, today)
        except ValueError as refused:
            preview.refused.append((number, f"Row {number}: {refused}."))
            continue
        preview.coarsened += exact
        preview.rows.append((number, details))
    return preview


def _read_row(
    row: list[str], columns: dict[Column, int], guard: _Guard, today: date
) -> tuple[PoolCaseDetails, bool]:
    cells = {
        column: (row[index].strip() if index < len(row) else "")
        for column, index in columns.items()
    }
    # Every cell passes the guard before anything else is read from it.
    for column, cell in cells.items():
        refused = [k for k in guard.kinds(cell) if k not in _ALLOWED_KINDS.get(column, ())]
        if refused:
            label = anonymise.KIND_LABELS[refused[0]]
            what = label.split(" ", 1)[1].removeprefix("person's ")  # "a person's name": "name"
            raise ValueError(
                f"the {column.label} looks like {label}. "
                f"Remove the {what} from the file and upload it again"
            )
    for column in REQUIRED_COLUMNS:
        if not cells[column]:
            raise ValueError(f"the {column.label} is missing")
    strands = _read(Column.STRANDS, read_strands, cells)
    offence = _read(Column.OFFENCE_CATEGORY, read_offence, cells)
    outcome = _read(Column.OUTCOME, read_outcome, cells)
    year, month, exact = _read(Column.FINALISED, lambda text: read_month(text, today), cells)
    area = cells[Column.POLICING_AREA]
    if len(area) > POLICING_AREA_LENGTH:
        raise ValueError(f"the policing area is longer than {POLICING_AREA_LENGTH} characters")
    reference = cells.get(Column.AGENCY_REFERENCE) or None
    if reference and len(reference) > AGENCY_REFERENCE_LENGTH:
        raise ValueError(
            f"the agency's reference is longer than {AGENCY_REFERENCE_LENGTH} characters"
        )
    details = PoolCaseDetails(strands, offence, outcome, year, month, area, reference)
    return details, exact


def _read(column: Column, reader, cells: dict[Column, str]):
    """`reader` of the column's cell, its ValueError's reason said of the column."""
    try:
        return reader(cells[column])
    except ValueError as reason:
        raise ValueError(f"the {column.label} {reason}") from None


def _and(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


# --- Importing: a preview held on the server, saved once confirmed -----------------------------


def _stored(number: int, details: PoolCaseDetails) -> dict[str, Any]:
    return {
        "row": number,
        "strands": [strand.value for strand in details.strands],
        "offence_category": details.offence_category.value,
        "outcome": details.outcome.value,
        "year": details.finalised_year,
        "month": details.finalised_month,
        "area": details.policing_area,
        # Encrypted before it is stored, even for the hour the preview waits.
        "reference": encryption.encrypt(details.agency_reference),
    }


def stored_details(row: dict[str, Any]) -> PoolCaseDetails:
    """A held row as details (the reference still encrypted); raises ValueError if it no longer
    reads as one, so that a confirmation saves only what passes the rules."""
    return PoolCaseDetails(
        strands=[by_value(Strand, value) for value in row["strands"]],
        offence_category=by_value(OffenceCategory, row["offence_category"]),
        outcome=by_value(Outcome, row["outcome"]),
        finalised_year=int(row["year"]),
        finalised_month=int(row["month"]),
        policing_area=str(row["area"])[:POLICING_AREA_LENGTH],
        agency_reference=row["reference"],
    )


def start_import(
    actor: User, panel: Panel, filename: str, data: bytes, now: datetime | None = None
) -> PoolImport:
    """Read an uploaded extract and hold what it would add for the actor to confirm. Replaces
    their earlier unconfirmed upload to the panel, and throws away anyone's that has expired."""
    access.require(actor, Action.MANAGE_POOL, panel)
    now = now or utcnow()
    preview = read_extract(data, now.astimezone(UK).date(), case_services.reference_prefixes())
    db.session.execute(
        sa.delete(PoolImport).where(
            PoolImport.panel_id == panel.id,
            sa.or_(
                PoolImport.uploaded_by_id == actor.id,
                PoolImport.uploaded_at < now - IMPORT_LIFETIME,
            ),
        )
    )
    pool_import = PoolImport(
        panel=panel,
        uploaded_by_id=actor.id,
        uploaded_at=now,
        # The file's own name may name someone: only its extension and size are kept.
        filename=f"CSV file of {len(data):,} bytes",
        preview={
            "rows": [_stored(number, details) for number, details in preview.rows],
            "refused": preview.refused,
            "recognised": {heading: column.value for heading, column in preview.recognised.items()},
            "dropped": preview.dropped,
            "ignored": preview.ignored,
            "coarsened": preview.coarsened,
        },
    )
    db.session.add(pool_import)
    db.session.flush()
    return pool_import


def pending_import(actor: User, panel: Panel, import_id: int, now: datetime | None = None):
    """The actor's own unconfirmed upload to the panel, if it has not expired."""
    pool_import = db.session.get(PoolImport, import_id)
    if (
        pool_import is None
        or pool_import.panel_id != panel.id
        or pool_import.uploaded_by_id != actor.id
        or pool_import.uploaded_at < (now or utcnow()) - IMPORT_LIFETIME
    ):
        return None
    return pool_import


def confirm_import(actor: User, pool_import: PoolImport) -> int:
    """Save the held rows to the pool, as the preview showed them, and forget the upload; how many
    cases were added."""
    panel = pool_import.panel
    access.require(actor, Action.MANAGE_POOL, panel)
    if pool_import.uploaded_by_id != actor.id:
        raise access.NotAllowed("Only the person who uploaded a file may confirm it.")
    try:
        rows = [stored_details(row) for row in pool_import.preview["rows"]]
    except (KeyError, TypeError, ValueError):
        raise PoolRefused("The upload could not be read back. Upload the file again.") from None
    now = utcnow()
    for details in rows:
        _add(actor, panel, details, now, encrypted=True)
    db.session.delete(pool_import)
    record(
        actor,
        AuditAction.CREATE,
        panel,
        label=f"Pool of finalised cases of {panel.name}",
        changes={
            "pool_cases_imported": len(rows),
            "rows_refused": len(pool_import.preview["refused"]),
            "columns_dropped": [heading for heading, _ in pool_import.preview["dropped"]],
        },
    )
    db.session.flush()
    return len(rows)


def cancel_import(actor: User, pool_import: PoolImport) -> None:
    access.require(actor, Action.MANAGE_POOL, pool_import.panel)
    db.session.delete(pool_import)
    db.session.flush()


def _add(
    actor: User | None, panel: Panel, details: PoolCaseDetails, now: datetime, encrypted: bool
) -> PoolCase:
    reference = details.agency_reference
    pool_case = PoolCase(
        panel=panel,
        offence_category=details.offence_category,
        outcome=details.outcome,
        finalised_year=details.finalised_year,
        finalised_month=details.finalised_month,
        policing_area=details.policing_area,
        agency_reference_encrypted=reference if encrypted else encryption.encrypt(reference),
        added_at=now,
        added_by_id=getattr(actor, "id", None),
    )
    pool_case.strands = details.strands
    db.session.add(pool_case)
    return pool_case


def add_pool_case(actor: User, panel: Panel, details: PoolCaseDetails) -> PoolCase:
    """Add one finalised case by hand; the form has passed its text through the guard."""
    access.require(actor, Action.MANAGE_POOL, panel)
    pool_case = _add(actor, panel, details, utcnow(), encrypted=False)
    db.session.flush()
    record(
        actor,
        AuditAction.CREATE,
        pool_case,
        label=pool_case.audit_label,
        changes={
            "strands": strand_labels(details.strands),
            "offence_category": details.offence_category.value,
            "outcome": details.outcome.value,
            "finalised": f"{details.finalised_year}-{details.finalised_month:02d}",
            "policing_area": details.policing_area,
            "agency_reference": TEXT_SET if details.agency_reference else None,
        },
    )
    return pool_case


def discard_pool(actor: User, panel: Panel) -> int:
    """Take every case not yet drawn out of the pool, deleting their agencies' references; how
    many. Their coarse facts stay, so that earlier draws can still be run again."""
    access.require(actor, Action.MANAGE_POOL, panel)
    now = utcnow()
    undrawn = PoolCase.panel_id == panel.id, PoolCase.draw_id.is_(None)
    count = db.session.execute(
        sa.update(PoolCase)
        .where(*undrawn, PoolCase.discarded_at.is_(None))
        .values(discarded_at=now, agency_reference_encrypted=None)
    ).rowcount  # type: ignore[attr-defined]  # an UPDATE's CursorResult, typed as Result
    # Cases discarded before still had their references deleted then; none is left.
    record(
        actor,
        AuditAction.DELETE,
        panel,
        label=f"Pool of finalised cases of {panel.name}",
        changes={"pool_cases_discarded": count, "agency_references": [TEXT_HIDDEN, None]},
    )
    db.session.flush()
    return count


# --- The agency's reference ---------------------------------------------------------------------


def agency_reference(actor: User, pool_case: PoolCase) -> str | None:
    """The agency's reference, for the one person who may see it (the panel's coordinator), while
    it is kept; None for everyone else, so that a page has nothing to show them, not even that
    it is hidden."""
    if pool_case.agency_reference_encrypted is None:
        return None
    if not access.can(actor, Action.SEE_AGENCY_REFERENCE, pool_case):
        return None
    if pool_case.case_review is not None and pool_case.case_review.is_checked:
        return None  # deleted as the check was confirmed; never shown past it
    return encryption.decrypt(pool_case.agency_reference_encrypted)


def agency_reference_of(actor: User, case_review: CaseReview) -> str | None:
    """The agency's reference of the pool case drawn as `case_review`, as `agency_reference`
    gives it: the coordinator reads it on the case review's page while writing it up."""
    pool_case = db.session.scalar(
        db.select(PoolCase).where(PoolCase.case_review_id == case_review.id).limit(1)
    )
    return agency_reference(actor, pool_case) if pool_case is not None else None


# --- Drawing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DrawFilters:
    """The theme of a draw; empty means any."""

    strands: tuple[Strand, ...] = ()
    outcomes: tuple[Outcome, ...] = ()
    outcome_groups: tuple[OutcomeGroup, ...] = ()
    policing_area: str | None = None
    # (year, month), inclusive.
    finalised_from: tuple[int, int] | None = None
    finalised_to: tuple[int, int] | None = None
    stratified: bool = False

    def stored(self) -> dict[str, Any]:
        return {
            "strands": [strand.value for strand in self.strands],
            "outcomes": [outcome.value for outcome in self.outcomes],
            "outcome_groups": [group.value for group in self.outcome_groups],
            "policing_area": self.policing_area,
            "from": _month_text(self.finalised_from),
            "to": _month_text(self.finalised_to),
            "stratified": self.stratified,
        }

    @classmethod
    def from_stored(cls, stored: dict[str, Any]) -> DrawFilters:
        return cls(
            strands=tuple(by_value(Strand, value) for value in stored.get("strands", [])),
            outcomes=tuple(by_value(Outcome, value) for value in stored.get("outcomes", [])),
            outcome_groups=tuple(
                by_value(OutcomeGroup, value) for value in stored.get("outcome_groups", [])
            ),
            policing_area=stored.get("policing_area"),
            finalised_from=_month_of(stored.get("from")),
            finalised_to=_month_of(stored.get("to")),
            stratified=bool(stored.get("stratified")),
        )

    @property
    def all_outcomes(self) -> frozenset[Outcome]:
        chosen = set(self.outcomes)
        for group in self.outcome_groups:
            chosen |= group.outcomes
        return frozenset(chosen)

    def describe(self) -> str:
        """E.g. "disability strand, outcomes 14 to 16, Coventry North, finalised from January
        2025": the theme in words, as the meeting page and the draw's page say it."""
        parts = []
        if self.strands:
            names = _and([strand.label.split(" (")[0].lower() for strand in self.strands])
            parts.append(f"{names} strand{'s' if len(self.strands) > 1 else ''}")
        if self.outcome_groups:
            parts.extend(group.label.split(" (")[0].lower() for group in self.outcome_groups)
        if self.outcomes:
            parts.append(describe_outcomes(self.outcomes))
        if self.policing_area:
            parts.append(self.policing_area)
        if self.finalised_from and self.finalised_to:
            parts.append(
                f"finalised {_month_words(self.finalised_from)} to "
                f"{_month_words(self.finalised_to)}"
            )
        elif self.finalised_from:
            parts.append(f"finalised from {_month_words(self.finalised_from)}")
        elif self.finalised_to:
            parts.append(f"finalised up to {_month_words(self.finalised_to)}")
        # With one strand every case drawn has it: "one of each" would say nothing.
        if self.stratified and len(self.strands) > 1:
            parts.append("at least one of each strand")
        return ", ".join(parts) or "any case in the pool"


def describe_outcomes(chosen: Iterable[Outcome]) -> str:
    """ "outcome 8", "outcomes 14 to 16", "outcomes 1, 1A and 14 to 16": runs of codes joined."""
    order = list(Outcome)
    ranked = sorted(chosen, key=order.index)
    runs: list[list[Outcome]] = []
    for outcome in ranked:
        if (
            runs
            and order.index(outcome) == order.index(runs[-1][-1]) + 1
            and outcome.value[-1] != "A"
        ):
            runs[-1].append(outcome)
        else:
            runs.append([outcome])
    words: list[str] = []
    for run in runs:
        if len(run) > 2:
            words.append(f"{run[0].value} to {run[-1].value}")
        else:
            words.extend(outcome.value for outcome in run)
    return f"outcome{'s' if len(ranked) > 1 else ''} {_and(words)}"


def _month_text(month: tuple[int, int] | None) -> str | None:
    return f"{month[0]}-{month[1]:02d}" if month else None


def _month_of(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    year, month = text.split("-")
    return int(year), int(month)


def _month_words(month: tuple[int, int]) -> str:
    return f"{date(month[0], month[1], 1):%B %Y}"


def _eligible(panel_id: int, filters: DrawFilters, last_id: int, before: PoolDraw | None):
    """The ids of the cases a draw picks from, in a stable order: the panel's cases up to
    `last_id` that match `filters`, not discarded (before the draw `before`, if it is one made
    already) and not drawn by an earlier draw."""
    select = (
        db.select(PoolCase.id)
        .where(PoolCase.panel_id == panel_id, PoolCase.id <= last_id)
        .order_by(PoolCase.id)
    )
    if before is None:
        select = select.where(PoolCase.discarded_at.is_(None), PoolCase.draw_id.is_(None))
    else:
        select = select.where(
            sa.or_(PoolCase.discarded_at.is_(None), PoolCase.discarded_at > before.drawn_at),
            sa.or_(PoolCase.draw_id.is_(None), PoolCase.draw_id >= before.id),
        )
    if filters.strands:
        select = select.where(
            sa.exists().where(
                PoolCaseStrand.pool_case_id == PoolCase.id,
                PoolCaseStrand.strand.in_(filters.strands),
            )
        )
    if filters.outcomes or filters.outcome_groups:
        select = select.where(PoolCase.outcome.in_(sorted(filters.all_outcomes, key=str)))
    if filters.policing_area:
        select = select.where(
            sa.func.lower(PoolCase.policing_area) == filters.policing_area.lower()
        )
    finalised = PoolCase.finalised_year * 12 + PoolCase.finalised_month
    if filters.finalised_from:
        year, month = filters.finalised_from
        select = select.where(finalised >= year * 12 + month)
    if filters.finalised_to:
        year, month = filters.finalised_to
        select = select.where(finalised <= year * 12 + month)
    return list(db.session.scalars(select))


def _strata(filters: DrawFilters, ids: list[int]) -> list[tuple[Strand, set[int]]]:
    """For a stratified draw, each chosen strand (in the vocabulary's order) with the eligible
    cases of that strand."""
    if not (filters.stratified and filters.strands):
        return []
    having: dict[Strand, set[int]] = {strand: set() for strand in filters.strands}
    if ids:
        rows = db.session.execute(
            db.select(PoolCaseStrand.pool_case_id, PoolCaseStrand.strand).where(
                PoolCaseStrand.pool_case_id.in_(ids), PoolCaseStrand.strand.in_(filters.strands)
            )
        )
        for pool_case_id, strand in rows:
            having[strand].add(pool_case_id)
    order = list(Strand)
    return sorted(having.items(), key=lambda item: order.index(item[0]))


def pick(
    ids: Sequence[int], how_many: int, seed: str, strata: Sequence[tuple[Strand, set[int]]] = ()
) -> list[int]:
    """`how_many` of `ids` (in the order given) picked with `random.Random(seed)`: first, for
    each stratum not yet covered, one of its cases at random; then the rest uniformly at random
    from the cases left. The same arguments always pick the same cases. Method 1."""
    # Not for secrecy but for repeating: anyone with the seed gets the same cases. The seed
    # itself comes from `secrets`, so nobody can choose it to pick the cases they want.
    rng = random.Random(int(seed, 16))  # noqa: S311
    chosen: list[int] = []
    for _strand, having in strata:
        if any(case_id in having for case_id in chosen):
            continue
        chosen.append(rng.choice([case_id for case_id in ids if case_id in having]))
    taken = set(chosen)
    rest = [case_id for case_id in ids if case_id not in taken]
    chosen.extend(rng.sample(rest, how_many - len(chosen)))
    return sorted(chosen)


def fingerprint(ids: Sequence[int]) -> str:
    """The SHA-256 of the eligible cases' ids, in order: running a draw again shows whether it
    picked from the very same cases."""
    return hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()


def check_drawable(filters: DrawFilters, how_many: int, ids: list[int], strata) -> None:
    """Raise `PoolRefused`, saying why, if the draw cannot be made as asked."""
    if not 1 <= how_many <= MAX_DRAW:
        raise PoolRefused(f"Draw between 1 and {MAX_DRAW} cases")
    if filters.stratified and not filters.strands:
        raise PoolRefused("Choose the strands to draw at least one case of each")
    if how_many > len(ids):
        if not ids:
            raise PoolRefused(
                "No case in the pool matches this theme: widen the theme, or add cases to the pool"
            )
        matching = "Only 1 case matches" if len(ids) == 1 else f"Only {len(ids)} cases match"
        raise PoolRefused(
            f"{matching} this theme in the pool: draw {len(ids)} or fewer, or widen the theme"
        )
    if strata:
        empty = [strand.label for strand, having in strata if not having]
        if empty:
            raise PoolRefused(
                f"No case in the pool matching this theme has the {_and(empty)} strand, so the "
                "draw cannot include one of each: choose other strands, or do not stratify"
            )
        if how_many < len(strata):
            raise PoolRefused(
                f"To draw at least one case of each of the {len(strata)} strands chosen, draw "
                f"at least {len(strata)} cases"
            )


def draw_cases(
    actor: User,
    panel: Panel,
    filters: DrawFilters,
    how_many: int,
    meeting: Meeting | None,
    *,
    seed: str | None = None,
    now: datetime | None = None,
) -> PoolDraw:
    """Draw `how_many` cases at random from the panel's pool by `filters`, record the draw, and
    make each case drawn a draft case review for `meeting` (the case reviews go on its agenda
    once a second person has checked each for identifying detail, as every case review does)."""
    access.require(actor, Action.DRAW_CASES, panel)
    if meeting is not None and (meeting.panel_id != panel.id or not agenda.is_open(meeting)):
        raise PoolRefused("Choose a scheduled meeting of this panel")
    now = now or utcnow()
    last_id = (
        db.session.scalar(db.select(sa.func.max(PoolCase.id)).where(PoolCase.panel_id == panel.id))
        or 0
    )
    ids = _eligible(panel.id, filters, last_id, None)
    strata = _strata(filters, ids)
    check_drawable(filters, how_many, ids, strata)
    seed = seed or secrets.token_hex(8)
    chosen = pick(ids, how_many, seed, strata)
    draw = PoolDraw(
        panel=panel,
        meeting=meeting,
        drawn_at=now,
        drawn_by_id=actor.id,
        how_many=how_many,
        filters=filters.stored(),
        seed=seed,
        method=METHOD,
        last_pool_case_id=last_id,
        eligible_count=len(ids),
        eligible_sha256=fingerprint(ids),
    )
    db.session.add(draw)
    db.session.flush()
    drawn = db.session.scalars(
        db.select(PoolCase).where(PoolCase.id.in_(chosen)).order_by(PoolCase.id)
    ).all()
    for pool_case in drawn:
        pool_case.draw_id = draw.id
        pool_case.case_review = case_services.create_case_review(
            actor, panel, _draft(pool_case, draw), now=now
        )
    record(
        actor,
        AuditAction.CREATE,
        draw,
        label=draw.audit_label,
        changes={
            "how_many": how_many,
            "theme": filters.describe(),
            "seed": seed,
            "eligible": len(ids),
            "eligible_sha256": draw.eligible_sha256,
            "pool_cases": chosen,
            "case_reviews": [pool_case.case_review.reference for pool_case in drawn],
            "meeting": meeting.id if meeting else None,
        },
    )
    db.session.flush()
    return draw


def _draft(pool_case: PoolCase, draw: PoolDraw) -> case_services.CaseReviewDetails:
    """A draft case review from what the pool knows; the rest says "not known" until the
    coordinator fills it in from the agency's file."""
    return case_services.CaseReviewDetails(
        strands=pool_case.strands,
        offence_category=pool_case.offence_category,
        legislation=None,
        reporting_route=ReportingRoute.NOT_KNOWN,
        # The pool knows when the case was finalised, not when the incident happened.
        incident_month=pool_case.finalised_month,
        incident_year=pool_case.finalised_year,
        policing_area=pool_case.policing_area,
        location_type=LocationType.NOT_KNOWN,
        victim_age_band=AgeBand.NOT_KNOWN,
        victim_key_worker=Answer.NOT_KNOWN,
        repeat_victim=Answer.NOT_KNOWN,
        suspect_identified=Answer.NOT_KNOWN,
        outcome=pool_case.outcome,
        out_of_court_disposal=(
            OutOfCourtDisposal.COMMUNITY_RESOLUTION
            if pool_case.outcome == Outcome.OC8
            else OutOfCourtDisposal.NONE
        ),
        uplift_applied=UpliftAnswer.NOT_APPLICABLE,
        uplift_announced=UpliftAnswer.NOT_APPLICABLE,
        victim_wishes_recorded=Answer.NOT_KNOWN,
        narrative=draft_narrative(draw),
    )


@dataclass(frozen=True)
class Rerun:
    """A draw run again from its record: what it picked this time, and whether that is what the
    draw picked."""

    eligible_count: int
    same_eligible: bool
    picked: list[int]
    recorded: list[int]

    @property
    def matches(self) -> bool:
        return self.same_eligible and self.picked == self.recorded


def rerun_draw(draw: PoolDraw) -> Rerun:
    """Run the draw again from its seed and filters over the pool as it was (see the module's
    docstring); nothing is changed."""
    filters = DrawFilters.from_stored(draw.filters)
    ids = _eligible(draw.panel_id, filters, draw.last_pool_case_id, draw)
    strata = _strata(filters, ids)
    recorded = sorted(pool_case.id for pool_case in draw.cases)
    try:
        check_drawable(filters, draw.how_many, ids, strata)
    except PoolRefused:
        return Rerun(len(ids), False, [], recorded)
    picked = pick(ids, draw.how_many, draw.seed, strata)
    return Rerun(len(ids), fingerprint(ids) == draw.eligible_sha256, picked, recorded)
