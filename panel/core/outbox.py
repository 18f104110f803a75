"""The outbox: e-mail saved in the database with the change it is about, and delivered after.

A notice, an invitation or a reminder is added here in the same transaction as the change, so the
change and its mail are saved together or not at all: a page that fails and rolls back sends no
mail, and a mail server that is down delays mail without losing it. Once the transaction commits,
each message is delivered by a job (`panel.core.jobs`): on Redis, by `flask jobs-worker`, with
retries; without Redis, by the same process right after the commit.

Reset and invitation links carry tokens, so the recipient, subject, body and the server's last
answer are stored encrypted (`panel.core.encryption`), and a row is deleted once its message is
delivered. What stays is what an administrator needs: how many are waiting, and the ones that
failed for good, with the reason.
"""

from __future__ import annotations

import json
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, mapped_column

from panel.core import encryption, mail
from panel.core.database import LabelledEnum, UTCDateTime, enum_column, tag_colours, utcnow
from panel.extensions import db

# A message claimed by a delivery that then vanished (a killed process) is claimable again after
# this long; a delivery takes seconds (MAIL_TIMEOUT) at most.
CLAIM_EXPIRES = timedelta(minutes=10)
# Without a worker, a message the server failed is tried again with the next delivery after at
# least this long, so that a server that is down is not asked again on every page.
RETRY_AFTER = timedelta(minutes=1)


class OutboxStatus(LabelledEnum):
    PENDING = ("pending", "Waiting")
    SENDING = ("sending", "Sending")
    FAILED = ("failed", "Failed")

    TAG_COLOURS = tag_colours(PENDING="blue", SENDING="light-blue", FAILED="red")


class OutboxMessage(db.Model):
    __tablename__ = "outbox_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # What the message is about, for the log and the administrator: no personal data
    # ("the invitation for user 12", "a reminder").
    about: Mapped[str] = mapped_column(sa.String(200))
    # The recipient, subject and body as encrypted JSON.
    sealed: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[OutboxStatus] = mapped_column(
        enum_column(OutboxStatus), default=OutboxStatus.PENDING, index=True
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The mail server's last answer, encrypted: it may name the recipient.
    last_error: Mapped[str | None] = mapped_column(sa.Text)


def add(emails: list[mail.Email], about: str) -> list[int]:
    """Put `emails` in the outbox, one row each, in the caller's transaction; return their ids.
    They are delivered once that transaction commits, and never if it rolls back."""
    rows = [
        OutboxMessage(
            about=about[:200],
            sealed=encryption.encrypt(
                json.dumps({"to": email.to, "subject": email.subject, "body": email.body})
            ),
        )
        for email in emails
    ]
    db.session.add_all(rows)
    db.session.flush()
    ids = [row.id for row in rows]
    db.session.info.setdefault(ADDED, []).extend(ids)
    return ids


def email_of(message: OutboxMessage) -> mail.Email:
    fields = json.loads(encryption.decrypt(message.sealed) or "{}")
    return mail.Email(to=fields["to"], subject=fields["subject"], body=fields["body"])


def error_of(message: OutboxMessage) -> str | None:
    return encryption.decrypt(message.last_error)


# --- Delivery ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What one delivery did: `sent`; else `error` (the server's words) and whether the message
    is now `failed` for good or waits for another attempt."""

    sent: bool
    error: str | None = None
    failed: bool = False
    # Whether the server could be reached at all (a refused mailbox still reached it).
    reached: bool = True


NOTHING_TO_DO = Outcome(sent=False)


def deliver(message_id: int, *, max_attempts: int, last_attempt: bool | None = None) -> Outcome:
    """Send message `message_id` if it is still waiting, and commit what happened: delivered
    messages are deleted; one the server failed waits for the next attempt, or is marked failed
    when this was the last attempt (`last_attempt`, or by default its `max_attempts`th) or the
    server refused its recipient for good.

    Two deliveries of one message (a retry and `flask send-outbox`) cannot both send it: each
    first claims the row in one statement."""
    now = utcnow()
    claimed = db.session.execute(
        sa.update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id,
            sa.or_(
                OutboxMessage.status == OutboxStatus.PENDING,
                sa.and_(
                    OutboxMessage.status == OutboxStatus.SENDING,
                    OutboxMessage.last_attempt_at < now - CLAIM_EXPIRES,
                ),
            ),
        )
        .values(
            status=OutboxStatus.SENDING,
            last_attempt_at=now,
            attempts=OutboxMessage.attempts + 1,
        ),
        execution_options={"synchronize_session": False},
    ).rowcount  # type: ignore[attr-defined]  # 2.0's stubs type an UPDATE's CursorResult as Result
    db.session.commit()
    if claimed != 1:
        return NOTHING_TO_DO
    message = db.session.get(OutboxMessage, message_id, populate_existing=True)
    assert message is not None  # noqa: S101  # claimed just now, and only delivery deletes
    if last_attempt is None:
        last_attempt = message.attempts >= max_attempts
    email = email_of(message)
    # No transaction stays open while the mail server talks: on SQLite even a read holds a lock
    # that another process's commit (a reminder run on the same database) would wait on.
    db.session.commit()
    try:
        mail.send([email])
    except mail.MailError as error:
        refused = _refused_for_good(error)
        failed = refused or last_attempt
        message.status = OutboxStatus.FAILED if failed else OutboxStatus.PENDING
        message.last_error = encryption.encrypt(str(error))
        db.session.commit()
        log = current_app.logger.error if failed else current_app.logger.warning
        log(
            "E-mail %s (%s) %s: %s",
            message_id,
            message.about,
            "failed for good" if failed else f"not sent at attempt {message.attempts}",
            error,
        )
        return Outcome(False, str(error), failed, reached=refused)
    db.session.delete(message)
    db.session.commit()
    return Outcome(sent=True)


def _refused_for_good(error: mail.MailError) -> bool:
    """The server refused the recipient with a permanent (5xx) answer: a mailbox that is gone.
    Trying again would only be refused again; an administrator sees it among the failed ones."""
    cause = error.__cause__
    return isinstance(cause, smtplib.SMTPRecipientsRefused) and all(
        500 <= code < 600 for code, _text in cause.recipients.values()
    )


def due_ids(
    limit: int, retry_after: timedelta = RETRY_AFTER, now: datetime | None = None
) -> list[int]:
    """Waiting messages, oldest first, not tried within `retry_after`; and any whose delivery
    vanished mid-way."""
    now = now or utcnow()
    return list(
        db.session.scalars(
            sa.select(OutboxMessage.id)
            .where(
                sa.or_(
                    sa.and_(
                        OutboxMessage.status == OutboxStatus.PENDING,
                        sa.or_(
                            OutboxMessage.last_attempt_at.is_(None),
                            OutboxMessage.last_attempt_at <= now - retry_after,
                        ),
                    ),
                    sa.and_(
                        OutboxMessage.status == OutboxStatus.SENDING,
                        OutboxMessage.last_attempt_at < now - CLAIM_EXPIRES,
                    ),
                )
            )
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
    )


def rotate_keys() -> int:
    """Re-encrypt every message still in the outbox under the first DATA_ENCRYPTION_KEY (for
    `flask rotate-data-key`); return how many. The caller commits."""
    messages = db.session.scalars(sa.select(OutboxMessage))
    count = 0
    for message in messages:
        message.sealed = encryption.rotate(message.sealed)
        if message.last_error is not None:
            message.last_error = encryption.rotate(message.last_error)
        count += 1
    return count


# --- What an administrator sees ---------------------------------------------------------------


def counts() -> dict[OutboxStatus, int]:
    """How many messages wait, are being sent and have failed: one query."""
    rows = db.session.execute(
        sa.select(OutboxMessage.status, sa.func.count()).group_by(OutboxMessage.status)
    )
    found = dict(rows.tuples().all())
    return {status: found.get(status, 0) for status in OutboxStatus}


def failed(limit: int) -> list[OutboxMessage]:
    """The latest failed messages, newest first, at most `limit`."""
    return list(
        db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.FAILED)
            .order_by(OutboxMessage.id.desc())
            .limit(limit)
        )
    )


def reset_failed(limit: int) -> list[int]:
    """Make up to `limit` failed messages wait again, as new, oldest first; return their ids. The
    caller commits, and each is then delivered afresh."""
    ids = list(
        db.session.scalars(
            sa.select(OutboxMessage.id)
            .where(OutboxMessage.status == OutboxStatus.FAILED)
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
    )
    if ids:
        db.session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids))
            .values(status=OutboxStatus.PENDING, attempts=0, last_attempt_at=None),
            execution_options={"synchronize_session": False},
        )
        db.session.info.setdefault(ADDED, []).extend(ids)
    return ids


# --- After the commit -------------------------------------------------------------------------

# The session remembers the messages added in its transaction (`panel.core.jobs` hands them on
# once it commits; a rollback forgets them, and their rows are gone with it).
ADDED = "outbox_added"
