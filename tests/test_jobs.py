"""E-mail off the request path: a real `flask jobs-worker` process on Redis (database 1) and a real
SMTP server (aiosmtpd) on loopback, against a database both processes share (PostgreSQL when
TEST_DATABASE_URL is set). A mail server that is down delays mail and loses none; a message that
never goes ends among the failed jobs and can be tried again.

The app and the worker use a database of their own (a schema on PostgreSQL, a file on SQLite):
the worker is another process, so it sees only what is committed, never a test's transaction.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask

from panel import create_app
from panel.accounts import notifications
from panel.core import encryption, unit_of_work
from panel.core.outbox import OutboxMessage, OutboxStatus
from panel.extensions import db
from tests import databases, factories
from tests.mailserver import SMTPServer, start_smtp_server
from tests.test_mail import closed_port

REDIS_URL = "redis://127.0.0.1:6379/1"
ROOT = Path(__file__).resolve().parents[1]
# Short back-off for the test: five retries over about 8 seconds.
RETRY_INTERVALS = "1,1,2,2,2"
WAIT = 60  # seconds at most for anything to happen


def _redis_or_skip():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis is not reachable at {REDIS_URL} ({error}): start redis-server")
    return client


@dataclass
class Setting:
    app: Flask
    env: dict[str, str]
    port: int
    queue: str


@pytest.fixture(scope="module")
def setting(tmp_path_factory) -> Iterator[Setting]:
    redis = _redis_or_skip()
    tmp = tmp_path_factory.mktemp("jobs")
    url = databases.test_database_url(tmp, schema="jobs")
    databases.reset_schema(url)
    port, queue, key = closed_port(), f"test-{uuid.uuid4().hex[:12]}", encryption.generate_key()
    env = {
        "PANEL_ENV": "development",
        "PANEL_INSTANCE_PATH": str(tmp),
        "DATABASE_URL": url,
        "DATA_ENCRYPTION_KEY": key,
        "JOBS_REDIS_URL": REDIS_URL,
        "JOBS_QUEUE": queue,
        "JOBS_RETRY_INTERVALS": RETRY_INTERVALS,
        "MAIL_BACKEND": "smtp",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(port),
        "MAIL_SECURITY": "none",
        "MAIL_TIMEOUT": "2",
    }
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "DATA_ENCRYPTION_KEYS": [key],
            "ARGON2_PROFILE": "CHEAPEST",
            "JOBS_REDIS_URL": REDIS_URL,
            "JOBS_QUEUE": queue,
            "JOBS_RETRY_INTERVALS": [int(s) for s in RETRY_INTERVALS.split(",")],
            "MAIL_BACKEND": "smtp",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": port,
            "MAIL_SECURITY": "none",
            "MAIL_TIMEOUT": 2.0,
        }
    )
    databases.build(app)
    yield Setting(app, env, port, queue)
    with app.app_context():
        db.engine.dispose()
    databases.drop_schema(url)
    _forget_queue(redis, queue)


def _forget_queue(redis, name: str) -> None:
    """Delete the test queue, its registries and its jobs from Redis database 1."""
    from rq import Queue

    queue = Queue(name, connection=redis)
    for registry in (queue.failed_job_registry, queue.scheduled_job_registry):
        for job_id in registry.get_job_ids():
            redis.delete(f"rq:job:{job_id}", f"rq:results:{job_id}")
    queue.delete(delete_jobs=True)
    for key in redis.scan_iter(f"rq:*{name}*"):
        redis.delete(key)
    for key in redis.scan_iter("rq:job:*"):
        if redis.hget(key, "origin") == name.encode():
            redis.delete(key, key.replace(b"rq:job:", b"rq:results:"))


@pytest.fixture(scope="module")
def worker(setting: Setting) -> Iterator[subprocess.Popen]:
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "jobs-worker"],
        cwd=ROOT,
        env={**os.environ, **setting.env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # with its scheduler, stopped together
    )
    yield process
    process.send_signal(signal.SIGTERM)  # RQ's warm shutdown: ends once the current job is done
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _until(condition, what: str, timeout: float = WAIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"Not within {timeout} seconds: {what}")


def _mail_server(port: int) -> tuple[SMTPServer, object]:
    """A real SMTP server on `port` (the one the app and the worker send to)."""
    return start_smtp_server(SMTPServer(host="127.0.0.1", port=port), fixed_port=True)


def _outbox(app: Flask) -> list[OutboxMessage]:
    with app.app_context():
        return list(db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)))


def _notice(app: Flask, email: str) -> None:
    """A change to `email`'s account that e-mails them, committed as a page would."""
    with app.app_context():
        person = factories.user(email=email, full_name="Amira Haddad")
        notifications.tell(person, "password_changed")
        unit_of_work.commit()


def _failed_jobs(app: Flask) -> int:
    from redis import Redis
    from rq import Queue

    with app.app_context():
        queue = Queue(app.config["JOBS_QUEUE"], connection=Redis.from_url(REDIS_URL))
        return queue.failed_job_registry.count


def test_mail_waits_while_the_server_is_down_and_arrives_once_when_it_is_back(setting, worker):
    _notice(setting.app, "amira.haddad@example.org")

    # The worker tries, the server is down: nothing is delivered and the message waits.
    [waiting] = _until(
        lambda: [m for m in _outbox(setting.app) if m.attempts >= 2], "two failed attempts"
    )
    assert waiting.status in (OutboxStatus.PENDING, OutboxStatus.SENDING)

    server, controller = _mail_server(setting.port)
    try:
        _until(lambda: server.messages, "the message delivered once the server is back")
        time.sleep(3)  # any duplicate would come with the next retry, a second or two later
    finally:
        controller.stop()
    [message] = server.messages
    assert message.envelope_to == ["amira.haddad@example.org"]
    assert message["Subject"] == "Your Panel password was changed"
    assert _outbox(setting.app) == []  # delivered, so deleted
    assert worker.poll() is None


def test_mail_that_never_goes_ends_among_failed_jobs_and_can_be_tried_again(setting, worker):
    _notice(setting.app, "ben.osei@example.org")

    [failed] = _until(
        lambda: [m for m in _outbox(setting.app) if m.status is OutboxStatus.FAILED],
        "the message marked failed after its last retry",
    )
    assert failed.attempts == len(RETRY_INTERVALS.split(",")) + 1
    _until(lambda: _failed_jobs(setting.app) == 1, "the job in RQ's failed jobs")
    status = setting.app.test_cli_runner().invoke(args=["jobs-status"])
    assert "1 failed" in status.output and f"failed #{failed.id}" in status.output
    assert "Connection refused" in status.output

    server, controller = _mail_server(setting.port)
    try:
        result = setting.app.test_cli_runner().invoke(args=["jobs-retry-failed"])
        assert result.exit_code == 0, result.output
        assert "Queued again: 1 e-mails" in result.output
        _until(lambda: server.messages, "the message delivered after the retry")
    finally:
        controller.stop()
    [message] = server.messages
    assert message.envelope_to == ["ben.osei@example.org"]
    assert _outbox(setting.app) == []
    assert _failed_jobs(setting.app) == 0


def test_a_rolled_back_change_queues_nothing(setting, worker):
    with setting.app.app_context():
        person = factories.user(email="carla.mendes@example.org")
        notifications.tell(person, "password_changed")
        db.session.rollback()
    time.sleep(2)
    assert _outbox(setting.app) == []


def test_a_job_carries_the_messages_number_and_nothing_personal(setting, monkeypatch):
    from redis import Redis
    from rq import Queue

    idle = f"{setting.queue}-idle"  # a queue no worker reads, to look at the job as queued
    monkeypatch.setitem(setting.app.config, "JOBS_QUEUE", idle)
    _notice(setting.app, "dana.kowalski@example.org")
    queue = Queue(idle, connection=Redis.from_url(REDIS_URL))
    try:
        [job] = queue.jobs
        [waiting] = _outbox(setting.app)
        assert (job.func_name, job.args) == ("panel.core.jobs.deliver_message", (waiting.id,))
        assert job.retries_left == len(RETRY_INTERVALS.split(","))
        stored = b"".join(Redis.from_url(REDIS_URL).hgetall(job.key).values())
        assert b"dana" not in stored.lower() and b"password" not in stored.lower()
    finally:
        _forget_queue(Redis.from_url(REDIS_URL), idle)
        with setting.app.app_context():
            db.session.execute(db.delete(OutboxMessage))
            db.session.commit()


def test_the_worker_produces_a_requested_annual_report(setting, worker):
    from panel.core.time import uk_today
    from panel.insight import pdf, services
    from panel.insight.models import AnnualReport, AnnualReportRequest
    from panel.panels.models import PanelKind, Role

    with setting.app.app_context():
        chair = factories.user(email="erin.chair@example.org", full_name="Erin Walsh")
        panel = factories.panel("Jobs Scrutiny Panel", PanelKind.SCRUTINY_PANEL)
        factories.membership(panel, chair, Role.CHAIR)
        year = pdf.years_offered(uk_today())[0]
        services.request_annual_report(chair, panel, year, today=uk_today())
        unit_of_work.commit()  # the page's answer: the report is not there yet
        panel_id = panel.id

    def produced():
        with setting.app.app_context():
            return db.session.scalars(
                db.select(AnnualReport).where(AnnualReport.panel_id == panel_id)
            ).all()

    [report] = _until(produced, "the report produced by the worker")
    with setting.app.app_context():
        assert db.session.get(AnnualReport, report.id).produced_by.full_name == "Erin Walsh"
        assert db.session.scalars(db.select(AnnualReportRequest)).all() == []
