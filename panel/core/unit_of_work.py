"""The unit of work: a request, or a command, commits once at its end.

Services change objects, flush (so that ids exist and a clash surfaces where it happens) and
never commit. So two services called for one request, or one service calling another, succeed or
fail together, and a view or command can combine them freely.

A request that ends in a page or a redirect (a status below 400) commits what it did; one that
ends in an error (a 4xx or 5xx page) rolls it all back, and an exception leaves it to
Flask-SQLAlchemy, which rolls back when the request ends. A refused attempt that must be kept (a
wrong code counted towards the lock) is kept because the page that says so is a 200. Commands
call `commit()` once, at the end. The jobs a unit of work asked for (`panel.core.jobs`: the
e-mail it added to the outbox) start only once it has committed.

A commit that fails (the database went away, a clash found only at the end) answers with the
error page for what failed, as an error in the view would (panel/core/errors.py: a 503 while the
database is unreachable), rather than the page the view had made: that page would say the change
was saved.
"""

from __future__ import annotations

import contextlib

from flask import Flask, Response, current_app
from sqlalchemy.exc import SQLAlchemyError

from panel.core import jobs
from panel.extensions import db


def init_app(app: Flask) -> None:
    app.after_request(_end_of_request)


def commit() -> None:
    """Save the unit of work (a command's, or a test's set-up), then run the jobs it asked for
    when they run in this process (e-mail it added to the outbox)."""
    db.session.commit()
    jobs.after_commit()


def _end_of_request(response: Response) -> Response:
    if response.status_code < 400:
        try:
            db.session.commit()
        except SQLAlchemyError as error:
            with contextlib.suppress(SQLAlchemyError):  # a lost connection has nothing to undo
                db.session.rollback()
            # Flask sends an error raised here to its "500" path, past the app's error pages.
            return current_app.make_response(current_app.handle_user_exception(error))
        jobs.after_request(response)
    else:
        db.session.rollback()
    return response
