"""`/healthz` and `/readyz`: for load balancers, orchestrators and uptime checks.

`/healthz` says the process is up: it answers without asking the database, so that an orchestrator
does not restart every process while the database is away (they recover by themselves when it
is back, panel/core/errors.py). `/readyz` says whether this process
should be sent requests: the database answers, Redis answers when throttling counts are kept
there and when jobs are queued there (`JOBS_REDIS_URL`), and the database's schema is at the head
of `migrations/` (a deploy that has not run `flask db upgrade` yet is not ready). Each says only
"ok" or "failed" per check: no versions, addresses or errors, which would tell an attacker what
runs here.
"""

from __future__ import annotations

from functools import cache

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, current_app
from sqlalchemy.exc import SQLAlchemyError

from panel import access
from panel.extensions import db

bp = Blueprint("health", __name__)

OK = "ok"
FAILED = "failed"


@bp.get("/healthz")
@access.rule(access.PUBLIC)
def healthz():
    return {"status": "ok"}


@bp.get("/readyz")
@access.rule(access.PUBLIC)
def readyz():
    checks = readiness_checks()
    ready = all(result == OK for result in checks.values())
    return {"status": "ready" if ready else "not ready", "checks": checks}, 200 if ready else 503


def readiness_checks() -> dict[str, str]:
    checks = {"database": _database(), "migrations": FAILED}
    if checks["database"] == OK:
        checks["migrations"] = _migrations()
    storage = current_app.config["RATELIMIT_STORAGE_URI"]
    if storage.startswith(("redis://", "rediss://")):
        checks["redis"] = _redis(storage)
    if current_app.config.get("JOBS_REDIS_URL"):
        checks["jobs_redis"] = _redis(current_app.config["JOBS_REDIS_URL"])
    return checks


def _database() -> str:
    try:
        db.session.execute(db.text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return FAILED
    return OK


def _migrations() -> str:
    """The database's Alembic revision is the head of `migrations/`."""
    try:
        current = MigrationContext.configure(db.session.connection()).get_current_heads()
    except SQLAlchemyError:
        db.session.rollback()
        return FAILED
    return OK if set(current) == _heads(current_app.extensions["migrate"].directory) else FAILED


@cache
def _heads(directory: str) -> frozenset[str]:
    """The heads of the migrations a process was deployed with: read once, they do not change."""
    config = current_app.extensions["migrate"].migrate.get_config(directory)
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def _redis(url: str) -> str:
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        try:
            client.ping()
        finally:
            client.close()
    except redis.RedisError:
        return FAILED
    return OK
