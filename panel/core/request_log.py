"""One log line per request, and the request id that ties a report to it.

Each line holds the request id, the signed-in person's numeric id (never a name, an e-mail
address or anything typed into a form), the method, the route's rule
(`/case-reviews/<int:case_review_id>`, not the path: a path can carry a token, as the password
reset and calendar feed links do), the status and the duration. Never the query string, which can
carry search terms, nor form data. LOG_FORMAT=json (production's default) writes each record as
one JSON object for a log collector; development writes readable text.

A traceback of an unexpected error keeps its frames but not what a database error says: the
statement's parameters are hidden by the engine (`hide_parameters`, panel/config.py), but the
database's own message can quote a value (PostgreSQL's "Key (email)=(...) already exists", "invalid
input syntax for type integer: ..."), and values are case text or people's details. Such errors
are described by `describe_database_error` instead: class, SQLSTATE, table and constraint.

The standard library's logging with the small formatter below, rather than structlog or
python-json-logger: the fields are few and fixed, and it needs no dependency.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import traceback
import uuid
from datetime import UTC, datetime

from flask import Flask, Response, current_app, g, request
from flask.logging import default_handler
from sqlalchemy.exc import DBAPIError, PendingRollbackError, StatementError

logger = logging.getLogger("panel.requests")

# A request id from a trusted proxy is kept only if it is short and plain, so that it cannot
# forge log lines or carry anything else.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def describe_database_error(error: BaseException) -> str:
    """What a log may say of a database error: its class, the driver's class, SQLSTATE, and the
    table, column and constraint named, never the database's message or the statement's values.
    A connection that could not be made or was lost says why in the driver's first line (a
    host, a port, "Connection refused"), which holds no data."""
    original = getattr(error, "orig", None) or error
    parts = [type(error).__name__]
    if original is not error:
        parts.append(f"({type(original).__module__}.{type(original).__qualname__})")
    sqlstate = getattr(original, "sqlstate", None)
    if sqlstate:
        parts.append(f"SQLSTATE {sqlstate}")
    diagnosis = getattr(original, "diag", None)
    for name in ("table_name", "column_name", "constraint_name"):
        value = getattr(diagnosis, name, None)
        if value:
            parts.append(f"{name.removesuffix('_name')} {value}")
    sqlite_name = getattr(original, "sqlite_errorname", None)
    if sqlite_name:
        parts.append(sqlite_name)
    if getattr(error, "connection_invalidated", False):
        parts.append("connection lost")
    elif not sqlstate or sqlstate.startswith("08"):  # no answer from the server, or a refusal
        first_line = str(original).strip().splitlines()[:1]
        if first_line and type(original).__name__ == "OperationalError":
            parts.append(f"- {first_line[0][:300]}")
    return " ".join(parts)


class SafeTracebackFormatter(logging.Formatter):
    """Formats a traceback with every frame, but a database error's message replaced by
    `describe_database_error` (see the module's docstring), and its driver's error too."""

    def formatException(self, ei) -> str:
        chain: list[tuple[BaseException, str]] = []
        current: BaseException | None = ei[1]
        link = ""
        while current is not None and all(current is not seen for seen, _ in chain):
            chain.append((current, link))
            if current.__cause__ is not None:
                current, link = current.__cause__, _CAUSE
            elif current.__context__ is not None and not current.__suppress_context__:
                current, link = current.__context__, _CONTEXT
            else:
                current = None
        withheld = {id(e.orig) for e, _ in chain if isinstance(e, DBAPIError)}
        parts: list[str] = []
        for position, (exception, _link) in enumerate(reversed(chain)):
            if position:
                parts.append(chain[len(chain) - position][1])
            parts.append("Traceback (most recent call last):\n")
            parts.extend(traceback.format_tb(exception.__traceback__))
            name = f"{type(exception).__module__}.{type(exception).__qualname__}"
            # A session's "rolled back due to a previous exception" quotes that exception too.
            quotes = (StatementError, PendingRollbackError)
            if isinstance(exception, quotes) or id(exception) in withheld:
                message = f"{describe_database_error(exception)} (the database's message withheld)"
            else:
                message = str(exception)
            parts.append(f"{name}: {message}\n" if message else f"{name}\n")
        return "".join(parts).rstrip("\n")


_CAUSE = "\nThe above exception was the direct cause of the following exception:\n\n"
_CONTEXT = "\nDuring handling of the above exception, another exception occurred:\n\n"


class JsonFormatter(SafeTracebackFormatter):
    """A record as one line of JSON: time, level, logger, message, and the record's `fields`."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **getattr(record, "fields", {}),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def init_app(app: Flask) -> None:
    """Register the request id and the access line first, so that the line is written last,
    after every other after-request function, with the status the client receives."""
    _configure_logging(app.config["LOG_FORMAT"])
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_finish)


def formatter(log_format: str) -> logging.Formatter:
    return JsonFormatter() if log_format == "json" else SafeTracebackFormatter(TEXT_FORMAT)


def _configure_logging(log_format: str) -> None:
    """Panel's loggers (`panel`, the app's own, and those below it) write to standard error in the
    chosen format, and only there: they do not pass records on to the root logger, which gunicorn
    (given a logging configuration), Alembic (`flask db upgrade`, migrations/env.py) and others
    give a handler of their own, and every line would be written twice. An app made again in the
    same process (the tests) replaces the handler."""
    panel_logger = logging.getLogger("panel")
    for handler in list(panel_logger.handlers):
        if handler is default_handler or getattr(handler, "panel_handler", False):
            panel_logger.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.panel_handler = True  # type: ignore[attr-defined]
    handler.setFormatter(formatter(log_format))
    panel_logger.addHandler(handler)
    panel_logger.propagate = False
    if panel_logger.level == logging.NOTSET:
        panel_logger.setLevel(logging.INFO)


def _start() -> None:
    g.request_started = time.perf_counter()
    g.request_id = _incoming_request_id() or uuid.uuid4().hex


def _incoming_request_id() -> str | None:
    """A proxy's X-Request-ID, only when one is trusted (PROXY_COUNT): a client could send any."""
    if not current_app.config["PROXY_COUNT"]:
        return None
    value = request.headers.get("X-Request-ID", "")
    return value if _REQUEST_ID.fullmatch(value) else None


def _finish(response: Response) -> Response:
    request_id = g.get("request_id") or uuid.uuid4().hex
    response.headers["X-Request-ID"] = request_id
    started = g.get("request_started")
    duration_ms = round((time.perf_counter() - started) * 1000, 1) if started else None
    route = request.url_rule.rule if request.url_rule else None
    fields = {
        "request_id": request_id,
        "user_id": _user_id(),
        "method": request.method,
        "route": route,
        "status": response.status_code,
        "duration_ms": duration_ms,
    }
    logger.info(
        "%s %s %s %s ms request_id=%s user_id=%s",
        request.method,
        route,
        response.status_code,
        duration_ms,
        request_id,
        fields["user_id"],
        extra={"fields": fields},
    )
    return response


def _user_id() -> int | None:
    """The signed-in person's id, if the request has already loaded them (Flask-Login keeps the
    person in `g._login_user`): asking `current_user` here would cost a query on the pages that
    never needed to know, such as static files."""
    user = g.get("_login_user")
    if user is None or not user.is_authenticated:
        return None
    return user.id
