"""Test databases: a SQLite file per test session, or PostgreSQL when TEST_DATABASE_URL is set.

Each is emptied and built through the migrations (never `create_all`), as production is. A built
database can be copied into another (`copy_database`), which is how each browser journey starts
from the demo data without building it again.
"""

from __future__ import annotations

import os
import re
import shutil
from collections import defaultdict
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade

from panel.config import database_url
from panel.extensions import db


def test_database_url(tmp_dir: Path, schema: str = "public") -> str:
    """The URL for a fresh test database; `schema` separates PostgreSQL databases in one server.

    Under pytest-xdist (`pytest -n 2`) each worker process works in schemas of its own, named
    after it (`public_gw0`, `browser_gw1`); SQLite files are apart already, since each worker has
    its own temporary folder.
    """
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_dir / f'{schema}.sqlite'}"
    url = database_url(url, str(tmp_dir))
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        schema = f"{schema}_{worker}"
    if schema == "public":
        return url
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}"


def reset_schema(url: str) -> None:
    """Drop everything in the PostgreSQL schema of `url` (from `test_database_url`), so the
    migrations start from nothing."""
    if not url.startswith("postgresql"):
        return
    schema = _schema(url)
    engine = sa.create_engine(url.split("?")[0])
    with engine.begin() as connection:
        connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    engine.dispose()


def drop_schema(url: str) -> None:
    """Drop the PostgreSQL schema of `url` (from `test_database_url`) and everything in it."""
    if not url.startswith("postgresql"):
        return
    engine = sa.create_engine(url.split("?")[0])
    with engine.begin() as connection:
        connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{_schema(url)}" CASCADE')
    engine.dispose()


def build(app) -> None:
    with app.app_context():
        upgrade()


def copy_database(source_url: str, target_url: str) -> None:
    """Make the database at `target_url` hold exactly what the one at `source_url` holds; both
    are URLs from `test_database_url`, built by the same migrations.

    SQLite: the file is copied, then renamed into place, so that a connection still open on the
    old file never reads a half-copied one. PostgreSQL: every table of the target schema is
    emptied, the source schema's rows are copied in, parents before children, and each sequence
    is set where the source's stands. Generated columns (the lessons' search vector) are left for
    PostgreSQL to compute; the audit trail's triggers refuse updates and deletes, not TRUNCATE.
    """
    if source_url.startswith("sqlite"):
        source, target = (Path(sa.make_url(url).database) for url in (source_url, target_url))
        copying = target.with_name(f"{target.name}.copying")
        shutil.copyfile(source, copying)
        os.replace(copying, target)
        return
    source, target = _schema(source_url), _schema(target_url)
    tables = [table.name for table in db.metadata.sorted_tables]
    engine = sa.create_engine(target_url.split("?")[0])
    with engine.begin() as connection:
        columns = defaultdict(list)
        for table, column in connection.execute(
            sa.text(
                "SELECT table_name, column_name FROM information_schema.columns "
                "WHERE table_schema = :schema AND is_generated = 'NEVER' "
                "ORDER BY table_name, ordinal_position"
            ),
            {"schema": source},
        ):
            columns[table].append(f'"{column}"')
        unknown = set(columns) ^ (set(tables) | {"alembic_version"})
        if unknown:
            raise RuntimeError(f"The models and the {source} schema differ in tables: {unknown}")
        everything = ", ".join(f'"{target}"."{table}"' for table in tables)
        connection.exec_driver_sql(f"TRUNCATE {everything} RESTART IDENTITY")
        for table in tables:
            names = ", ".join(columns[table])
            # Names from the models and the database's own catalogue, not from any input.
            connection.exec_driver_sql(
                f'INSERT INTO "{target}"."{table}" ({names}) '  # noqa: S608
                f'SELECT {names} FROM "{source}"."{table}"'
            )
        for sequence, last_value in connection.execute(
            sa.text(
                "SELECT sequencename, last_value FROM pg_sequences "
                "WHERE schemaname = :schema AND last_value IS NOT NULL"
            ),
            {"schema": source},
        ):
            connection.execute(
                sa.text("SELECT setval(:sequence, :value)"),
                {"sequence": f'"{target}"."{sequence}"', "value": last_value},
            )
    engine.dispose()


def _schema(url: str) -> str:
    """The PostgreSQL schema a URL from `test_database_url` works in."""
    found = re.search(r"search_path%3D(\w+)", url)
    return found[1] if found else "public"
