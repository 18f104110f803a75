"""Retention: a panel keeps case detail only as long as it needs it, then deletes it and keeps the
published minutes and coarse statistics (domain.md, "Protection and retention").

Each panel sets two periods in whole months (`Panel.case_review_retention_months` and
`Panel.live_case_retention_months`), and `flask apply-retention` (run daily from cron) deletes the
free text that has come due on the day. What is due, and how it goes, is each domain's own rule:
a `RetentionRule` in the domain's ``retention`` module, listed in the registry by the app factory
(`panel.app.contributions`), so that this engine knows no domain. The rules today:

- case reviews (`panel.cases.retention`): the narrative, the overall view and the stage
  comments, counted from the later of closing and the publication of the minutes;
- live cases and their interventions (`panel.interventions.retention`): risk reason and summary;
  description, status reason and update notes, counted from closing (and the last update).

Everything coded stays, for statistics and the panel's record: references, strands, outcomes,
ratings, types, statuses and dates; so do lessons and recommendations, the minutes (published
versions are frozen documents) and the audit trail. Deleted text becomes a marker that says when
it was deleted, so pages still read sensibly, and a rule skips text already deleted.

This engine gathers what every rule finds due, lets each rule delete its own, and records an audit
event for each object (the system is the actor) naming what went, never the text itself. The
command is the unit of work: it commits once, after every deletion, so a failure part-way leaves
everything as it was; a dry run only reads.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

import click
from flask.cli import with_appcontext

from panel.core import registry
from panel.core.audit import AuditAction, record
from panel.core.time import UK, format_datetime, uk_today
from panel.extensions import db

# Deleted text is replaced by this sentence, with the day of deletion.
MARKER_START = "Deleted under the retention policy on "


class RetentionPanel(Protocol):
    """What the engine reads of a panel (`panel.panels.models.Panel`): its name and periods."""

    name: str
    case_review_retention_months: int
    live_case_retention_months: int


@dataclass(frozen=True)
class DueItem:
    """One object whose free text is due for deletion on the day asked about."""

    panel: RetentionPanel
    # The rule's kind: "Case review".
    kind: str
    # The object whose text goes (a model instance), audited as it.
    target: Any
    # The panel's reference, e.g. "ISP-2026-001"; for an intervention its number and case.
    reference: str
    # What started the retention period, and the UK day it did.
    since: str
    started: date
    due: date
    # The panel's period that applied, in months.
    months: int
    # What would go, in words: ("narrative", "overall view", "7 stage comments").
    deletes: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.kind} {self.reference} of {self.panel.name}"[:200]


@dataclass(frozen=True)
class RetentionRule:
    """A domain's rule: what of `kind` is due on a UK day, and how to delete one of them.

    `due(today)` only reads, and yields a `DueItem` of this kind for each object whose period has
    run out by `today` and that still holds free text. `delete(target, note)` replaces that text
    with `note` (the marker) and deletes what goes with it; it neither audits nor commits.
    """

    kind: str
    due: Callable[[date], Iterable[DueItem]]
    delete: Callable[[Any, str], None]


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the month's last day if it is shorter (31 January plus one
    month is 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def uk_day(moment: datetime) -> date:
    return moment.astimezone(UK).date()


def marker(today: date) -> str:
    return f"{MARKER_START}{format_datetime(today, 'date')}."


def is_deleted(text: str | None) -> bool:
    """Whether there is no case text left here: nothing, or the retention marker."""
    return not text or text.startswith(MARKER_START)


def replace_text(target: Any, field: str, note: str) -> None:
    """Replace the text in `target.field` with `note`, unless there is none left to delete."""
    if not is_deleted(getattr(target, field)):
        setattr(target, field, note)


def words(*pairs: tuple[str, bool]) -> tuple[str, ...]:
    """The words of each pair whose text is present: what a `DueItem` deletes."""
    return tuple(text for text, present in pairs if present)


def counted(number: int, singular: str) -> str:
    return f"{number} {singular}{'' if number == 1 else 's'}"


# --- What is due -------------------------------------------------------------------------------


def due_on(today: date) -> list[DueItem]:
    """Everything whose retention period has run out by `today` (a UK day) and still holds free
    text: by panel, then in the order of the rules, each by due date. It only reads, so a dry run
    changes nothing."""
    rules = registry.current().retention_rules
    order = {rule.kind: index for index, rule in enumerate(rules)}
    found = [item for rule in rules for item in rule.due(today)]
    return sorted(
        found,
        key=lambda item: (item.panel.name, order[item.kind], item.due, item.target.id),
    )


# --- Deleting ----------------------------------------------------------------------------------


def apply_retention(today: date) -> list[DueItem]:
    """Delete the free text of everything due on `today`, with an audit event for each object, and
    flush; return what was deleted. The caller commits (the command, once)."""
    rules = {rule.kind: rule for rule in registry.current().retention_rules}
    due = due_on(today)
    note = marker(today)
    for item in due:
        rules[item.kind].delete(item.target, note)
        record(
            None,
            AuditAction.RETENTION_DELETE,
            item.target,
            label=item.label,
            changes={
                "deleted": ", ".join(item.deletes),
                "retention_months": item.months,
                "due": item.due.isoformat(),
            },
        )
    db.session.flush()
    return due


# --- The command -------------------------------------------------------------------------------


@click.command("apply-retention")
@click.option("--dry-run", is_flag=True, help="List what is due without deleting anything.")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Apply the retention periods as on this day (YYYY-MM-DD) instead of today in the UK.",
)
@with_appcontext
def apply_retention_command(dry_run: bool, today) -> None:
    """Delete case detail whose panel's retention period has run out (for cron)."""
    day = today.date() if today else uk_today()
    if dry_run:
        items = due_on(day)
    else:
        items = apply_retention(day)
        # One transaction for the whole run, committed before it reports anything as deleted.
        db.session.commit()
    when = format_datetime(day, "date")
    if not items:
        click.echo(f"Nothing is due for deletion on {when}.")
        return
    panel = None
    for item in items:
        if item.panel is not panel:
            panel = item.panel
            click.echo(
                f"{panel.name} (case reviews kept {panel.case_review_retention_months} months, "
                f"live cases {panel.live_case_retention_months} months)"
            )
        click.echo(
            f"  {item.kind} {item.reference}: {item.since} {format_datetime(item.started, 'date')}"
            f", due {format_datetime(item.due, 'date')}; "
            f"{'would delete' if dry_run else 'deleted'} {', '.join(item.deletes)}"
        )
    if dry_run:
        click.echo(f"Dry run: {counted(len(items), 'item')} due on {when}. Nothing was deleted.")
    else:
        click.echo(f"Deleted under the retention policy: {counted(len(items), 'item')}.")
