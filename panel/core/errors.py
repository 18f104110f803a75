"""Friendly error pages: never a stack trace, and the same page whether or not a thing exists."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from panel.extensions import db

PAGES = {
    400: ("Sorry, there is a problem with that request", "errors/400.html"),
    403: ("You do not have permission to do that", "errors/403.html"),
    404: ("Page not found", "errors/404.html"),
    405: ("Sorry, there is a problem with that request", "errors/400.html"),
    413: ("The file or form is too large", "errors/400.html"),
    429: ("Too many attempts", "errors/429.html"),
    500: ("Sorry, there is a problem with the service", "errors/500.html"),
}


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
        app.logger.warning("Conflicting save refused: %s", error.orig)
        return render_template(
            "errors/conflict.html", title="Someone else saved this at the same time", status=409
        ), 409

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
