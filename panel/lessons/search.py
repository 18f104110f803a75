"""Full-text search over lessons, with each database's own engine rather than ``LIKE '%x%'``
(which reads every row): SQLite's FTS5 and PostgreSQL's text search.

Both index `Lesson.search_document` (see `services.refresh_search_document`) and stem English
words, so "trained" finds "training". The index objects live in the migrations, not the models,
because they differ by database:

* SQLite: an external-content FTS5 table `lesson_fts`, kept in step by triggers on `lesson`.
  A later migration that rebuilds `lesson` (batch mode copies tables) must recreate the
  triggers, as SQLite drops them with the old table.
* PostgreSQL: a stored generated column ``search_vector``, ``to_tsvector('english',
  search_document)``, with a GIN index. Stored rather than an expression index because the
  planner often reads lessons newest first by `created_at` and checks each against the search:
  with an expression index each check runs to_tsvector (about 15 µs a lesson), and a word found
  only in old lessons took 1.9 s at 100,000 lessons; reading the stored vector takes 40 ms.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import TSVECTOR

from panel.extensions import db
from panel.lessons.models import Lesson

FTS_TABLE = "lesson_fts"
PG_INDEX = "ix_lesson_search"
PG_COLUMN = "search_vector"
_ENGLISH = sa.literal_column("'english'::regconfig")
# Not in the model (SQLite has no such column): named here for the PostgreSQL query only.
_PG_VECTOR = sa.literal_column(f"{Lesson.__tablename__}.{PG_COLUMN}", TSVECTOR)
_WORD = re.compile(r"\w+")


def is_search_object(name: str | None) -> bool:
    """Whether a database object belongs to the search index: the migration comparison (and
    autogenerate) must leave these alone, as the models do not describe them."""
    return bool(name) and (name == PG_INDEX or name.startswith(FTS_TABLE))


def include_object(object_, name, type_, reflected, compare_to) -> bool:
    """Alembic's `include_object` hook."""
    if type_ == "column":
        return not (name == PG_COLUMN and object_.table.name == Lesson.__tablename__)
    return not is_search_object(name)


def matches(text: str) -> sa.ColumnElement[bool] | None:
    """A condition on `Lesson` for lessons matching every word of `text` (the last may be the
    start of a word), or None if `text` has no words to search for."""
    words = _WORD.findall(text or "")
    if not words:
        return None
    if db.session.get_bind().dialect.name == "postgresql":
        query = " & ".join(_pg_word(word) for word in words[:-1])
        last = _pg_word(words[-1]) + ":*"
        tsquery = sa.func.to_tsquery(_ENGLISH, f"{query} & {last}" if query else last)
        return _PG_VECTOR.op("@@")(tsquery)
    # FTS5 query syntax: each word quoted (so AND, OR, NEAR and punctuation are plain words).
    match = " ".join(f'"{word}"' for word in words[:-1])
    match = f'{match} "{words[-1]}"*'.strip()
    rowids = sa.text("SELECT rowid FROM lesson_fts WHERE lesson_fts MATCH :match")
    return Lesson.id.in_(rowids.bindparams(match=match).columns(sa.column("rowid")))


def _pg_word(word: str) -> str:
    # \w never matches the tsquery operators or quotes; quoting keeps digits-only words plain.
    return f"'{word}'"
