"""Friendly error pages: never a stack trace, and the same page whether or not a thing exists."""

from __future__ import annotations

import contextlib

from flask import Flask, g, render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException

from panel.core.request_log import describe_database_error
from panel.extensions import db, login_manager

PAGES = {
    400: ("Sorry, there is a problem with that request", "errors/400.html"),
    403: ("You do not have permission to do that", "errors/403.html"),
    404: ("Page not found", "errors/404.html"),
    405: ("Sorry, there is a problem with that request", "errors/400.html"),
    413: ("The file or form is too large", "errors/400.html"),
    429: ("Too many attempts", "errors/429.html"),
    500: ("Sorry, there is a problem with the service", "errors/500.html"),
}
# How long a browser or a client is told to wait before asking again while the database is away.
RETRY_AFTER_SECONDS = 30


def database_unavailable(error: BaseException) -> bool:
    """Whether `error` says the database cannot be reached or lost the connection (stopped,
    restarting, failing over, the network between), rather than that a statement was wrong.

    A connection refused or timed out is an OperationalError; one cut in use is any DBAPIError
    that SQLAlchemy marks `connection_invalidated`. PostgreSQL's other OperationalErrors (a
    statement timeout, a deadlock, a serialisation failure) pass with time as well."""
    return isinstance(error, OperationalError) or (
        isinstance(error, DBAPIError) and error.connection_invalidated
    )


def register_error_pages(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        # Usually a form left open past the session, or a second tab after signing out.
        return render_template("errors/csrf.html", title="Your form has expired", status=400), 400

    @app.errorhandler(IntegrityError)
    def conflict(error: IntegrityError):
        # Two people saving the same thing at once (a second declaration, a duplicate name)
        # trip a unique constraint: nothing was saved, and trying again shows the saved state.
        db.session.rollback()
        # Which constraint, never the database's message: PostgreSQL's quotes the values.
        app.logger.warning("Conflicting save refused: %s", describe_database_error(error))
        return render_template(
            "errors/conflict.html", title="Someone else saved this at the same time", status=409
        ), 409

    @app.errorhandler(DBAPIError)
    def database_error(error: DBAPIError):
        if not database_unavailable(error):
            return server_error(error)
        return service_unavailable(error)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = error.code if error.code in PAGES else 400
        title, template = PAGES[code]
        return render_template(template, title=title, status=code), code

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        app.logger.exception("Unhandled error")
        title, template = PAGES[500]
        return render_template(template, title=title, status=500), 500

    def service_unavailable(error: DBAPIError):
        """The database is away: say so, and that trying again later will work. Nothing the
        request did was saved (its transaction is rolled back by the database, or never began).
        The page must not touch the database itself, so the person is not looked up: the page
        shows as to someone signed out, and the log has no user id."""
        with contextlib.suppress(SQLAlchemyError):  # the connection is gone: nothing to undo
            db.session.rollback()
        g._login_user = login_manager.anonymous_user()
        app.logger.error("Database unreachable: %s", describe_database_error(error))
        page = render_template(
            "errors/503.html", title="Sorry, Panel is not available at the moment", status=503
        )
        return page, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}
