"""Fixtures for the admin area: a signed-in admin, and a counter of the SQL a request runs."""

from __future__ import annotations

import contextlib

import pytest
from sqlalchemy import event


@pytest.fixture
def admin_client(people, sign_in_as):
    return sign_in_as(people.admin)


@pytest.fixture
def count_queries(db):
    """`with count_queries() as queries:` collects the statements run inside the block."""

    @contextlib.contextmanager
    def counting():
        statements: list[str] = []

        def before_cursor_execute(conn, cursor, statement, *args):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before_cursor_execute)
        try:
            yield statements
        finally:
            event.remove(db.engine, "before_cursor_execute", before_cursor_execute)

    return counting
