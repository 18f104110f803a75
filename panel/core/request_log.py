"""One log line per request, and the request id that ties a report to it.

Each line holds the request id, the signed-in person's numeric id (never a name, an e-mail
address or anything typed into a form), the method, the route's rule
(`/case-reviews/<int:case_review_id>`, not the path: a path can carry a token, as the password
reset and calendar feed links do), the status and the duration. Never the query string, which can
carry search terms, nor form data. LOG_FORMAT=json (production's default) writes each record as
one JSON object for a log collector; development writes readable text.

The standard library's logging with the small formatter below, rather than structlog or
python-json-logger: the fields are few and fixed, and it needs no dependency.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, Response, current_app, g, request
from flask.logging import default_handler

logger = logging.getLogger("panel.requests")

# A request id from a trusted proxy is kept only if it is short and plain, so that it cannot
# forge log lines or carry anything else.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
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
    return JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)


def _configure_logging(log_format: str) -> None:
    """Panel's loggers (`panel`, the app's own, and those below it) write to standard error in the
    chosen format. An app made again in the same process (the tests) replaces the handler."""
    panel_logger = logging.getLogger("panel")
    for handler in list(panel_logger.handlers):
        if handler is default_handler or getattr(handler, "panel_handler", False):
            panel_logger.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.panel_handler = True  # type: ignore[attr-defined]
    handler.setFormatter(formatter(log_format))
    panel_logger.addHandler(handler)
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
