"""Test databases: a SQLite file per test session, or PostgreSQL when TEST_DATABASE_URL is set.

Each is emptied and built through the migrations (never `create_all`), as production is.
"""

from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade

from panel.config import database_url


def test_database_url(tmp_dir: Path, schema: str = "public") -> str:
    """The URL for a fresh test database; `schema` separates PostgreSQL databases in one server."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_dir / f'{schema}.sqlite'}"
    url = database_url(url, str(tmp_dir))
    if schema == "public":
        return url
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}"


def reset_schema(url: str, schema: str = "public") -> None:
    """Drop everything in a PostgreSQL schema so the migrations start from nothing."""
    if not url.startswith("postgresql"):
        return
    engine = sa.create_engine(url.split("?")[0])
    with engine.begin() as connection:
        connection.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    engine.dispose()


def build(app) -> None:
    with app.app_context():
        upgrade()
