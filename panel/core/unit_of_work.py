"""The unit of work: a request, or a command, commits once at its end.

Services change objects, flush (so that ids exist and a clash surfaces where it happens) and
never commit. So two services called for one request, or one service calling another, succeed or
fail together, and a view or command can combine them freely.

A request that ends in a page or a redirect (a status below 400) commits what it did; one that
ends in an error (a 4xx or 5xx page, or an exception) rolls it all back. A refused attempt that
must be kept (a wrong code counted towards the lock) is kept because the page that says so is a
200. Commands call `commit()` once, at the end.

What must only happen once the change is saved (an e-mail) is handed to `after_commit`, which
runs it after the commit succeeds, and never if the unit rolls back.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response

from panel.extensions import db

_CALLBACKS = "panel.after_commit"


def init_app(app: Flask) -> None:
    app.after_request(_end_of_request)
    app.teardown_request(_discard_callbacks)


def after_commit(callback: Callable[[], object]) -> None:
    """Run `callback` once the unit of work commits (immediately after `commit()`)."""
    db.session.info.setdefault(_CALLBACKS, []).append(callback)


def commit() -> None:
    """Save the unit of work, then run what waited for it."""
    db.session.commit()
    callbacks = db.session.info.pop(_CALLBACKS, [])
    for callback in callbacks:
        callback()


def rollback() -> None:
    db.session.rollback()
    db.session.info.pop(_CALLBACKS, None)


def _end_of_request(response: Response) -> Response:
    if response.status_code < 400:
        commit()
    else:
        rollback()
    return response


def _discard_callbacks(_error: BaseException | None = None) -> None:
    # An exception skips `_end_of_request`; Flask-SQLAlchemy then rolls the session back.
    db.session.info.pop(_CALLBACKS, None)
