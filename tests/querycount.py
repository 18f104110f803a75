"""Count the SQL statements a block of code runs, to prove pages do not query once per row."""

from __future__ import annotations

import contextlib

from sqlalchemy import event

from panel.extensions import db


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __len__(self) -> int:
        return len(self.statements)

    def _count(self, conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN")):
            self.statements.append(statement)


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
