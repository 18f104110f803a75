"""Count the SQL statements a block of code runs, to prove pages do not query once per row."""

from __future__ import annotations

import contextlib
import contextvars

from sqlalchemy import event

from panel.extensions import db

# Set while the test's own work runs inside a counted block (`not_counted`).
_paused = contextvars.ContextVar("querycount_paused", default=False)


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __len__(self) -> int:
        return len(self.statements)

    def _count(self, conn, cursor, statement, parameters, context, executemany):
        if _paused.get():
            return
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN")):
            self.statements.append(statement)


@contextlib.contextmanager
def not_counted():
    """Statements run in this block are the test's, not the page's: the test client saving what
    the test set up (and, without a job queue, delivering the e-mail that set-up queued)."""
    token = _paused.set(True)
    try:
        yield
    finally:
        _paused.reset(token)


@contextlib.contextmanager
def count_queries():
    """``with count_queries() as queries: ...`` then ``len(queries)``."""
    counter = QueryCounter()
    engine = db.engine
    event.listen(engine, "before_cursor_execute", counter._count)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", counter._count)
