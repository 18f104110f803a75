"""Work done off the request path: delivering the outbox's e-mail (`panel.core.outbox`), and
whatever else is too slow for a page (a domain hands its job to `enqueue`).

With `JOBS_REDIS_URL`, jobs go to a queue on Redis and `flask jobs-worker` runs them. The queue is
RQ's: it needs only Redis, which Panel already runs for throttling, it retries a job on a schedule
of our choosing, keeps a job whose last retry failed in its FailedJobRegistry (the dead-letter
list), and a job is a function's dotted name with its arguments, so an app factory needs no
broker set up at import time, as Dramatiq's actors do. A job carries ids only, never personal
data: the worker reads the rest from the database.

Without it (the default, and `make run`), a job runs in this process: e-mail after the response
has gone, other jobs just before it, or at once after a command's commit. Mail the server failed
stays in the outbox and is tried again with the next delivery or by `flask send-outbox`: delayed,
never lost.

A job is enqueued only after the transaction that asked for it has committed, so the worker
never looks for rows that are not there yet, and a rollback enqueues nothing.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import click
from flask import Flask, Response, current_app
from flask.cli import with_appcontext
from sqlalchemy import event, orm

from panel.core import outbox
from panel.extensions import db

if TYPE_CHECKING:
    from redis import Redis
    from rq import Queue

DELIVER = "panel.core.jobs.deliver_message"
# Messages one delivery round takes from the outbox, and failed ones one retry resets: bounded.
BATCH = 100
# How long a failed job (and what it said) stays in RQ's failed jobs: the outbox keeps the
# failed message itself until it is tried again.
FAILED_KEPT = 30 * 24 * 3600
# Attempts in a row that reach no server before an in-process round gives up: the server is down.
GIVE_UP_AFTER = 2
# Jobs queued here but not yet committed (the session's info), and committed, to be handed on.
_QUEUED = "jobs_queued"
_COMMITTED = "jobs_committed"


def init_app(app: Flask) -> None:
    # On the Session class, once per process: every app's sessions hand their jobs on.
    if not event.contains(orm.Session, "after_commit", _after_commit):
        event.listen(orm.Session, "after_commit", _after_commit)
        event.listen(orm.Session, "after_rollback", _after_rollback)


def on_redis() -> bool:
    return bool(current_app.config.get("JOBS_REDIS_URL"))


def max_attempts() -> int:
    return len(current_app.config["JOBS_RETRY_INTERVALS"]) + 1


def enqueue(function: str, *ids: int) -> None:
    """Run `function` (a dotted name; it runs in an app context) with `ids` once the current
    transaction commits."""
    db.session.info.setdefault(_QUEUED, []).append((function, ids))


# --- After a commit ---------------------------------------------------------------------------


def _after_commit(session: orm.Session) -> None:
    jobs = [(DELIVER, (message_id,)) for message_id in session.info.pop(outbox.ADDED, [])]
    jobs += session.info.pop(_QUEUED, [])
    if not jobs:
        return
    if on_redis():
        # Only Redis is spoken to here: the session cannot run SQL while its commit ends.
        _put_on_queue(jobs)
    else:
        session.info.setdefault(_COMMITTED, []).extend(jobs)


def _after_rollback(session: orm.Session) -> None:
    session.info.pop(outbox.ADDED, None)
    session.info.pop(_QUEUED, None)


def _put_on_queue(jobs: list[tuple[str, tuple]]) -> None:
    from redis import RedisError
    from rq import Retry

    intervals = current_app.config["JOBS_RETRY_INTERVALS"]
    try:
        queue = _queue()
        for function, args in jobs:
            queue.enqueue(
                function,
                *args,
                retry=Retry(max=len(intervals), interval=intervals)
                if function == DELIVER
                else None,
                description=f"{function.rsplit('.', 1)[1]}{args}",
                result_ttl=0,  # a job that is done leaves nothing behind in Redis
                failure_ttl=FAILED_KEPT,
            )
    except RedisError as error:
        # The change is saved and so is its mail: `flask send-outbox`, or the worker when it
        # starts, delivers what was left waiting.
        current_app.logger.error("Could not queue %s jobs on Redis: %s", len(jobs), error)


def after_request(response: Response) -> None:
    """In-process: deliver the e-mail the request committed once its response has gone, so that
    the person does not wait for the mail server. Other jobs (an annual report) run now, before
    the response: they write for seconds, and on SQLite (`make run`) a write after the response
    would collide with the next page's."""
    jobs = db.session.info.pop(_COMMITTED, None)
    if not jobs:
        return
    mail = [job for job in jobs if job[0] == DELIVER]
    if mail:
        app = current_app._get_current_object()
        response.call_on_close(functools.partial(_run_in_app, app, mail))
    run_now([job for job in jobs if job[0] != DELIVER])


def after_commit() -> None:
    """In-process: run the jobs a command (or a unit of work outside a request) committed, now."""
    jobs = db.session.info.pop(_COMMITTED, None)
    if jobs:
        run_now(jobs)


def _run_in_app(app: Flask, jobs: list[tuple[str, tuple]]) -> None:
    with app.app_context():
        try:
            run_now(jobs)
        except Exception:  # after the response: nobody else would hear of it
            app.logger.exception("A job run after the response failed")


def run_now(jobs: list[tuple[str, tuple]]) -> None:
    """Run `jobs` in this process: the outbox's messages as one delivery round (with any others
    that are due), the rest one by one."""
    messages = [args[0] for function, args in jobs if function == DELIVER]
    if messages:
        deliver_round(messages)
    for function, args in jobs:
        if function != DELIVER:
            try:
                _function(function)(*args)
            except Exception:  # the job keeps its failure where its page shows it
                current_app.logger.exception("Job %s%s failed", function, args)


def _function(dotted: str) -> Callable[..., Any]:
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)


# --- Delivering the outbox --------------------------------------------------------------------


def deliver_round(
    first: list[int] | None = None, retry_after: timedelta = outbox.RETRY_AFTER
) -> dict[int, outbox.Outcome]:
    """Deliver messages `first`, then whatever else in the outbox is due (at most BATCH), in this
    process. A round stops when GIVE_UP_AFTER messages in a row reach no server: the rest wait."""
    ids = list(dict.fromkeys([*(first or []), *outbox.due_ids(BATCH, retry_after)]))
    # End the read before the first claim: on SQLite a transaction that read and then writes
    # can be refused at once ("database is locked") when another process does the same.
    db.session.commit()
    outcomes: dict[int, outbox.Outcome] = {}
    unreached = 0
    for message_id in ids:
        outcome = outbox.deliver(message_id, max_attempts=max_attempts())
        outcomes[message_id] = outcome
        unreached = 0 if outcome.reached else unreached + 1
        if unreached >= GIVE_UP_AFTER:
            break
    return outcomes


def deliver_message(message_id: int) -> None:
    """The worker's job: deliver one message. A failure raises, so that RQ tries again later;
    after the last retry the message is marked failed and the job stays in RQ's failed jobs."""
    from rq import get_current_job

    job = get_current_job()
    outcome = outbox.deliver(
        message_id,
        max_attempts=max_attempts(),
        last_attempt=None if job is None else not job.retries_left,
    )
    if outcome.error is None:
        return
    if outcome.failed and job is not None:
        job.retries_left = 0  # refused for good: no use trying again
    raise RuntimeError(f"E-mail {message_id} was not sent: {outcome.error}")


# --- Redis ------------------------------------------------------------------------------------


def _redis() -> Redis:
    from redis import Redis

    client = current_app.extensions.get("panel_jobs_redis")
    if client is None:
        client = current_app.extensions["panel_jobs_redis"] = Redis.from_url(
            current_app.config["JOBS_REDIS_URL"], socket_connect_timeout=2, socket_timeout=5
        )
    return client


def _queue() -> Queue:
    from rq import Queue

    return Queue(current_app.config["JOBS_QUEUE"], connection=_redis())


# --- Commands ---------------------------------------------------------------------------------


@click.command("jobs-worker")
@click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
@with_appcontext
def jobs_worker_command(burst: bool) -> None:
    """Run the queued jobs (JOBS_REDIS_URL): e-mail, with retries, and slow pages' work."""
    from rq import SimpleWorker

    if not on_redis():
        raise click.ClickException(
            "JOBS_REDIS_URL is not set, so there is no queue: each web process runs its own jobs."
        )
    app = current_app._get_current_object()

    class AppWorker(SimpleWorker):
        """Each job in an application context of its own: its own database session."""

        def perform_job(self, job, queue):
            with app.app_context():
                return super().perform_job(job, queue)

    # Messages left waiting while Redis could not be reached: queued again (a message cannot be
    # sent twice, since each delivery claims it first).
    _put_on_queue([(DELIVER, (message_id,)) for message_id in outbox.due_ids(BATCH)])
    db.session.remove()
    db.engine.dispose()  # the scheduler is a forked process: it must not share connections
    AppWorker([_queue()], connection=_redis()).work(
        burst=burst, with_scheduler=True, logging_level="INFO"
    )


@click.command("send-outbox")
@with_appcontext
def send_outbox_command() -> None:
    """Deliver the e-mail waiting in the outbox now, in this process (for cron, without Redis)."""
    sent = failed = 0
    errors: list[str] = []
    while True:
        outcomes = deliver_round(retry_after=timedelta(0))
        sent += sum(outcome.sent for outcome in outcomes.values())
        failed += sum(outcome.failed for outcome in outcomes.values())
        errors += [outcome.error for outcome in outcomes.values() if outcome.error]
        if not outcomes or any(not outcome.sent for outcome in outcomes.values()):
            break
    waiting = outbox.counts()[outbox.OutboxStatus.PENDING]
    line = f"E-mail sent: {sent}. Failed for good: {failed}. Still waiting: {waiting}."
    if errors:
        raise click.ClickException(line + " The mail server failed:\n" + "\n".join(errors[:5]))
    click.echo(line)


@click.command("jobs-status")
@with_appcontext
def jobs_status_command() -> None:
    """How many e-mails wait or failed, the latest failed ones, and the queue's jobs."""
    counts = outbox.counts()
    click.echo(
        "Outbox: "
        + ", ".join(f"{count} {status.label.lower()}" for status, count in counts.items())
        + "."
    )
    for message in outbox.failed(20):
        click.echo(
            f"  failed #{message.id} {message.created_at:%Y-%m-%d %H:%M} UTC, {message.about}, "
            f"{message.attempts} attempts: {outbox.error_of(message)}"
        )
    if not on_redis():
        click.echo("Queue: none (JOBS_REDIS_URL is not set: jobs run in the web processes).")
        return
    queue = _queue()
    click.echo(
        f"Queue {queue.name}: {queue.count} waiting, {queue.scheduled_job_registry.count} "
        f"scheduled to retry, {queue.started_job_registry.count} running, "
        f"{queue.failed_job_registry.count} failed."
    )


def retry_failed() -> tuple[int, int]:
    """Make the failed e-mails (up to BATCH) wait again, from the first retry, and put the queue's
    other failed jobs back on it; return how many of each. The e-mails go once the caller
    commits."""
    from rq.job import Job
    from rq.results import Result

    ids = outbox.reset_failed(BATCH)
    requeued = 0
    if on_redis():
        registry = _queue().failed_job_registry
        for job_id in registry.get_job_ids(0, BATCH - 1):
            job = Job.fetch(job_id, connection=_redis())
            if job.func_name == DELIVER:
                # Its message is queued afresh once the caller commits, as a new job.
                Result.delete_all(job)
                registry.remove(job, delete_job=True)
            else:
                registry.requeue(job_id)
                requeued += 1
    return len(ids), requeued


@click.command("jobs-retry-failed")
@with_appcontext
def jobs_retry_failed_command() -> None:
    """Try the failed e-mails (and failed jobs) again, from the start of their retries."""
    emails, others = retry_failed()
    db.session.commit()
    after_commit()
    click.echo(f"Queued again: {emails} e-mails, {others} other jobs.")
