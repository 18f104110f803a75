"""Reminders: one e-mail per person, sent from cron by `flask send-reminders`, listing what is
waiting on them that is overdue or due within 14 days.

Mail leaves the system, so a reminder says only what an item is (a number, an organisation, a
panel), when it is due and where to find it, never case, lesson or recommendation text: whoever
follows the link signs in and is checked like anyone else.

Each kind of item comes from a source, so this module does not need to know every kind. A
source is a function ``source(today) -> {user id: [ReminderItem, ...]}`` that answers for
everyone at once, in a fixed number of queries however many people and items there are, and
leaves out what a person may not see (such as a case review they declared an interest in).

A package writes its source in its ``reminders`` module, and the app factory lists it in the
registry (`panel.app.contributions`); nothing registers itself on import. For interventions,
``panel/interventions/reminders.py``::

    from panel.core import reminders

    def interventions_due(today):
        ...  # one query: open interventions due by reminders.due_by(today), with who owns each
        return {user_id: [reminders.ReminderItem(section="Interventions", ...), ...], ...}

`panel.lessons.reminders` is the example to copy. This module leaves out inactive accounts, sends
one message per person, and merges the same item given twice.

One message per person and UK day, however many runs: cron may start the command on two app
servers at once, or someone may run it again. Before sending, a run claims each person's reminder
for the day (`claim`, a row in `reminder_claim` that the database lets only one run insert) and
commits, so another run sees the claim and skips that person. A message the mail server does not
take releases its claim (`release`), so a later run that day sends it: mail delayed, not lost. A
claim whose run neither sent nor released it (the run died) lapses after `CLAIM_LAPSES_AFTER`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.orm import Mapped, mapped_column

from panel.core import jobs, mail, outbox, registry, unit_of_work
from panel.core.database import UTCDateTime, insert_for, utcnow
from panel.core.time import format_datetime, uk_today
from panel.extensions import db

# An item is reminded from this many days before its due date, and every day once overdue.
DUE_SOON_DAYS = 14
# A claim neither sent nor released this long after it was made is from a run that died between
# claiming and sending: a later run may take it. Far longer than a run takes to send.
CLAIM_LAPSES_AFTER = timedelta(hours=1)
# Claims are kept this many days, for an operator asking who was reminded when; each run deletes
# older ones, so the table holds at most a week of people reminded.
KEEP_CLAIMS_DAYS = 7
# People claimed, marked or released per statement: within every database's limit on parameters.
_BATCH = 300


class Person(Protocol):
    """Whom a reminder goes to: the accounts package gives them (`Registry.recipients`)."""

    id: int
    email: str
    full_name: str


@dataclass(frozen=True)
class ReminderItem:
    """One thing waiting on a person, as the reminder lists it.

    `label` names the item from names and numbers only (``"Recommendation 14 to West Midlands
    Police, from West Midlands Independent Scrutiny Panel"``), never free text; `url` is absolute
    (`panel.core.mail.external_url`); `overdue` is whether `due_date` is before the day of the run.
    """

    section: str
    label: str
    due_date: date
    overdue: bool
    url: str


Source = Callable[[date], dict[int, list[ReminderItem]]]


class ReminderClaim(db.Model):
    """A run's claim on one person's reminder for one UK day; the primary key lets only one run
    have it. `sent_at` is set once the mail server took the message."""

    __tablename__ = "reminder_claim"

    # The day first: it finds a run's claims and the old ones to delete.
    day: Mapped[date] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


def due_by(today: date) -> date:
    """The last due date reminded on `today`."""
    return today + timedelta(days=DUE_SOON_DAYS)


@dataclass(frozen=True)
class Count:
    """How many items there are; or, when counting stopped at a cap, a lower bound ("more than
    100"), so that a count costs the same however many items there are."""

    n: int = 0
    more: bool = False

    def __add__(self, other: Count) -> Count:
        return Count(self.n + other.n, self.more or other.more)

    def __bool__(self) -> bool:
        return bool(self.n or self.more)

    def __str__(self) -> str:
        return f"more than {self.n:,}" if self.more else f"{self.n:,}"

    @property
    def short(self) -> str:
        """For a badge: "100+"."""
        return f"{self.n:,}+" if self.more else f"{self.n:,}"

    @property
    def one(self) -> bool:
        """Whether to say "item" rather than "items"."""
        return self.n == 1 and not self.more


@dataclass(frozen=True)
class DueCounts:
    """How many open items are overdue, due within DUE_SOON_DAYS, and due later."""

    overdue: Count = Count()
    due_soon: Count = Count()
    later: Count = Count()

    @property
    def total(self) -> Count:
        return self.overdue + self.due_soon + self.later

    def __add__(self, other: DueCounts) -> DueCounts:
        return DueCounts(
            self.overdue + other.overdue, self.due_soon + other.due_soon, self.later + other.later
        )


def count_due(
    select: sa.Select, due_date: sa.SQLColumnExpression[date], today: date, cap: int | None = None
) -> DueCounts:
    """How many of `select`'s rows are overdue on `today`, due soon and due later, in one query.
    With `cap`, each group is counted only as far as its first cap + 1 rows: past the cap it is
    "more than cap", and the query costs the same for 5 rows as for 5,000."""
    soon = due_by(today)
    groups = [due_date < today, sa.and_(due_date >= today, due_date <= soon), due_date > soon]
    if cap is None:
        row = db.session.execute(
            select.with_only_columns(
                *(sa.func.coalesce(sa.func.sum(sa.case((g, 1), else_=0)), 0) for g in groups)
            )
        ).one()
        return DueCounts(*(Count(n) for n in row))

    def capped(group) -> sa.ScalarSelect:
        rows = select.where(group).with_only_columns(sa.literal(1)).limit(cap + 1).subquery()
        return sa.select(sa.func.count()).select_from(rows).scalar_subquery()

    row = db.session.execute(sa.select(*(capped(g) for g in groups))).one()
    return DueCounts(*(Count(min(n, cap), n > cap) for n in row))


def digests(today: date) -> dict[Person, list[ReminderItem]]:
    """What each active person is to be reminded of on `today`, overdue first; people in e-mail
    address order."""
    found: dict[int, dict[ReminderItem, None]] = {}
    for source in registry.current().reminders:
        for user_id, items in source(today).items():
            found.setdefault(user_id, {}).update(dict.fromkeys(items))
    if not found:
        return {}
    people = registry.current().recipients(list(found))
    return {person: sorted(found[person.id], key=_order) for person in people}


def _order(item: ReminderItem) -> tuple:
    return (not item.overdue, item.section, item.due_date, item.label, item.url)


def compose(user: Person, items: list[ReminderItem], today: date) -> mail.Email:
    """The reminder for one person: overdue items, then those due soon, each grouped by
    section, with its due date and link."""
    overdue = [item for item in items if item.overdue]
    due_soon = [item for item in items if not item.overdue]
    soon = f"due within {DUE_SOON_DAYS} days"
    counts = [f"{len(overdue)} overdue"] if overdue else []
    counts += [f"{len(due_soon)} {soon}"] if due_soon else []
    lines = [
        f"Dear {user.full_name},",
        "",
        f"This is what is waiting in Panel on {format_datetime(today, 'date')}.",
    ]
    for heading, group in (("Overdue", overdue), (soon.capitalize(), due_soon)):
        if group:
            lines += ["", "", heading, "=" * len(heading), *_by_section(group)]
    lines += [
        "",
        "",
        "You receive this because you sit on a panel in Panel and each item is waiting on you, "
        "your organisation or a panel you chair. Follow a link and sign in to read it: this "
        "e-mail does not contain case material, which stays in Panel.",
    ]
    return mail.Email(to=user.email, subject="Panel: " + ", ".join(counts), body="\n".join(lines))


def _by_section(items: list[ReminderItem]) -> list[str]:
    lines, section = [], None
    for item in items:
        if item.section != section:
            section = item.section
            lines += ["", section]
        lines += [
            f"- {item.label}",
            f"  Due {format_datetime(item.due_date, 'date')}",
            f"  {item.url}",
        ]
    return lines


@dataclass(frozen=True)
class Recipient:
    """Whom a reminder goes to, copied from their account: a run commits as it goes, and reading
    an account again after each commit would cost a query per person."""

    id: int
    email: str
    full_name: str


@dataclass(frozen=True)
class Digest:
    user: Recipient
    items: list[ReminderItem]
    email: mail.Email


@dataclass(frozen=True)
class Report:
    """What a run found and did. `sent_to` holds the indexes in `digests` of the e-mails the
    server accepted; `errors` what the mail server said when it refused or failed. With a job
    queue (`queued`), the e-mails were handed to the worker and nothing is sent yet."""

    digests: list[Digest]
    sent_to: frozenset[int] = frozenset()
    errors: tuple[str, ...] = ()
    # The people another run (or an earlier one) had already claimed for the day: not sent again.
    already_sent: tuple[Digest, ...] = ()
    queued: bool = False

    @property
    def people(self) -> int:
        return len(self.digests)

    @property
    def items(self) -> int:
        return sum(len(digest.items) for digest in self.digests)

    @property
    def sent(self) -> int:
        return len(self.sent_to)


def send_reminders(today: date, dry_run: bool = False) -> Report:
    """Gather everyone's reminders for `today` and, unless `dry_run`, e-mail those nobody has
    sent today. Commits twice: the claims before anything is sent, then the messages into the
    outbox with the claims marked sent, from where each is delivered once."""
    found = [
        Digest(Recipient(user.id, user.email, user.full_name), items, compose(user, items, today))
        for user, items in digests(today).items()
    ]
    if dry_run:
        return Report(found)
    # The reading is over: the claims are written in a transaction that starts with a write, so
    # that on SQLite two runs queue for the lock instead of each holding a read lock the other's
    # write waits for.
    unit_of_work.commit()
    forget_claims_before(today - timedelta(days=KEEP_CLAIMS_DAYS))
    mine = claim([digest.user.id for digest in found], today)
    # Saved before any mail leaves, so that a run on another server skips these people.
    unit_of_work.commit()
    claimed = [digest for digest in found if digest.user.id in mine]
    already = tuple(digest for digest in found if digest.user.id not in mine)
    # Once in the outbox a reminder is delivered once, however often the mail server fails
    # meanwhile: the claims are settled as sent in the same transaction as the messages.
    settle(today, [digest.user.id for digest in claimed], [])
    if jobs.on_redis():
        _queue([digest.email for digest in claimed])
        return Report(claimed, already_sent=already, queued=True)
    sent_to, errors = _send([digest.email for digest in claimed])
    for error in errors:
        current_app.logger.error("Reminders: %s", error)
    return Report(claimed, sent_to, errors, already_sent=already)


def claim(user_ids: Iterable[int], today: date) -> set[int]:
    """Claim the reminders of `user_ids` for `today` for this run; return those it got. A person
    claimed by another run is not got, unless that claim lapsed unsent. Atomic per person: of two
    runs inserting at once, the database makes one wait and then gives it nothing. People are
    claimed in id order, so two runs never wait for each other's rows (a deadlock)."""
    now = utcnow()
    claims = ReminderClaim.__table__.c
    got: set[int] = set()
    for batch in _batches(sorted(set(user_ids))):
        insert = insert_for(ReminderClaim, db.session).values(
            [{"day": today, "user_id": user_id, "claimed_at": now} for user_id in batch]
        )
        insert = insert.on_conflict_do_update(
            index_elements=[claims.day, claims.user_id],
            set_={"claimed_at": insert.excluded.claimed_at},
            where=sa.and_(claims.sent_at.is_(None), claims.claimed_at < now - CLAIM_LAPSES_AFTER),
        ).returning(claims.user_id)
        got.update(db.session.execute(insert).scalars())
    return got


def settle(today: date, sent: list[int], failed: list[int]) -> None:
    """After sending: mark the claims of those `sent` to, and release those of the `failed`, so
    that a later run sends theirs."""
    claims = ReminderClaim.__table__.c
    for batch in _batches(sent):
        db.session.execute(
            sa.update(ReminderClaim)
            .where(claims.day == today, claims.user_id.in_(batch))
            .values(sent_at=utcnow())
        )
    for batch in _batches(failed):
        db.session.execute(
            sa.delete(ReminderClaim).where(claims.day == today, claims.user_id.in_(batch))
        )


def forget_claims_before(day: date) -> None:
    """Delete the claims for days before `day`: no run needs them."""
    db.session.execute(sa.delete(ReminderClaim).where(ReminderClaim.__table__.c.day < day))


def _batches(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), _BATCH):
        yield ids[start : start + _BATCH]


def _queue(emails: list[mail.Email]) -> list[int]:
    """Put `emails` in the outbox, one message each, and commit them with the run: from then on
    each is delivered once, however often the mail server fails meanwhile."""
    ids = [message_id for email in emails for message_id in outbox.add([email], "a reminder")]
    unit_of_work.commit()
    return ids


def _send(emails: list[mail.Email]) -> tuple[frozenset[int], tuple[str, ...]]:
    """Queue `emails` and deliver them in this process at once (no job queue is configured).
    A message the server refuses for good (a mailbox that is gone) is marked failed and the rest
    still go, so one stale address does not stop everyone's reminders; the round stops when the
    server cannot be reached twice running, and what was not sent waits in the outbox for the
    next delivery (`flask send-outbox`), so nobody's reminder is lost or sent twice."""
    ids = _queue(emails)  # the commit delivers them (`panel.core.jobs.after_commit`)
    left = {
        message.id: message
        for message in db.session.scalars(
            sa.select(outbox.OutboxMessage).where(outbox.OutboxMessage.id.in_(ids))
        )
    }
    sent_to = frozenset(index for index, message_id in enumerate(ids) if message_id not in left)
    errors = tuple(
        error
        for message_id in ids
        if message_id in left and (error := outbox.error_of(left[message_id]))
    )
    return sent_to, errors


@click.command("send-reminders")
@click.option("--dry-run", is_flag=True, help="Print the e-mails instead of sending them.")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Remind as on this day (YYYY-MM-DD) instead of today in the UK.",
)
@with_appcontext
def send_reminders_command(dry_run: bool, today) -> None:
    """E-mail each person one reminder of what is overdue or due within 14 days (for cron)."""
    day = today.date() if today else uk_today()
    report = send_reminders(day, dry_run=dry_run)
    for index, digest in enumerate(report.digests):
        line = _line(digest)
        if dry_run:
            click.echo(f"{line}\nSubject: {digest.email.subject}\n\n{digest.email.body}\n")
        elif report.queued:
            click.echo(f"{line} (queued)")
        else:
            click.echo(line if index in report.sent_to else f"{line} (not sent)")
    for digest in report.already_sent:
        click.echo(f"{_line(digest)} (already sent on this day)")
    if report.already_sent:
        click.echo(
            f"Skipped {_plural(len(report.already_sent), 'person', 'people')} already sent "
            f"their reminder for {format_datetime(day, 'date')}."
        )
    totals = f"{_plural(report.people, 'person', 'people')}, {_plural(report.items, 'item')}"
    if dry_run:
        click.echo(f"Dry run: would e-mail {totals}. Nothing was sent.")
    elif report.queued:
        click.echo(f"Reminders queued: {totals}.")
    elif report.errors:
        raise click.ClickException(
            f"Sent {report.sent} of {report.people} reminders. The mail server failed:\n"
            + "\n".join(report.errors)
            + "\nThe others stay in the outbox: `flask jobs-status` lists them, and "
            "`flask send-outbox` sends those still waiting."
        )
    else:
        click.echo(f"Reminders sent: {totals}.")


def _line(digest: Digest) -> str:
    return f"{_plural(len(digest.items), 'item')} -> {digest.user.email}"


def _plural(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else plural or singular + 's'}"
