"""`flask backup` and `flask restore`: a backup of the demo data restores into a fresh database
with the same rows, an intact audit trail and published PDFs that still match their SHA-256.

These run the commands on real databases of their own (SQLite files; PostgreSQL databases made
and dropped on the server of TEST_DATABASE_URL, when it is set), not in the suite's rolled-back
transaction: a backup reads only what was committed.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from flask import Flask
from flask_migrate import upgrade

from panel import create_app
from panel.backup import pdf_mismatches
from panel.config import database_url
from panel.core import unit_of_work
from panel.demo import load_demo_data
from panel.extensions import db
from panel.minutes.models import MinutesVersion

SECRET_KEY = f"backup-test-secret-{uuid.uuid4().hex}"
AUDIT_CHAIN_KEY = f"backup-test-chain-{uuid.uuid4().hex}"
DATA_KEY = Fernet.generate_key().decode()


def _app(url: str) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": SECRET_KEY,
            "AUDIT_CHAIN_KEY": AUDIT_CHAIN_KEY,
            "DATA_ENCRYPTION_KEYS": [DATA_KEY],
            "ARGON2_PROFILE": "CHEAPEST",
        }
    )


def _dispose(app: Flask) -> None:
    with app.app_context():
        db.engine.dispose()


class PostgresServer:
    """Databases made and dropped on the server of TEST_DATABASE_URL."""

    def __init__(self, url: str) -> None:
        self.url = sa.make_url(database_url(url.split("?")[0], "."))
        self.engine = sa.create_engine(self.url, isolation_level="AUTOCOMMIT")
        self.made: list[str] = []

    def database(self) -> str:
        name = f"backup_{uuid.uuid4().hex[:12]}"
        with self.engine.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        self.made.append(name)
        return self.url.set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        with self.engine.connect() as connection:
            for name in self.made:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.engine.dispose()


KINDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


@pytest.fixture(scope="module", params=KINDS)
def fresh_database(request, tmp_path_factory) -> Iterator:
    """A maker of empty databases of one kind, as URLs."""
    if request.param == "sqlite":
        folder = tmp_path_factory.mktemp("backup-sqlite")
        yield lambda: f"sqlite:///{folder / f'{uuid.uuid4().hex}.sqlite'}"
        return
    server = PostgresServer(os.environ["TEST_DATABASE_URL"])
    yield server.database
    server.drop_all()


@pytest.fixture(scope="module")
def source(fresh_database) -> Iterator[Flask]:
    """The demo data, committed in a migrated database of its own."""
    app = _app(fresh_database())
    with app.app_context():
        upgrade()
        load_demo_data()
        unit_of_work.commit()
        published = db.session.scalar(
            sa.select(sa.func.count()).where(MinutesVersion.published_pdf.is_not(None))
        )
        assert published, "the demo data publishes minutes with their PDF"
    yield app
    _dispose(app)


@pytest.fixture(scope="module")
def backup(source, tmp_path_factory) -> Path:
    result = source.test_cli_runner().invoke(
        args=["backup", str(tmp_path_factory.mktemp("backups"))]
    )
    assert result.exit_code == 0, result.output
    return Path(result.output.strip().rsplit(" to ", 1)[1].rstrip("."))


def _restore(url: str, folder: Path):
    app = _app(url)
    try:
        return app.test_cli_runner().invoke(args=["restore", str(folder)])
    finally:
        _dispose(app)


def test_a_backup_restores_with_its_rows_audit_trail_and_published_pdfs(
    backup, fresh_database, source
):
    result = _restore(fresh_database(), backup)

    assert result.exit_code == 0, result.output
    assert "all match" in result.output
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["audit_chain_verified"] is True
    assert manifest["audit_chain_head"]["sequence"] > 0
    assert manifest["row_counts"]["minutes_version"] > 0
    assert manifest["alembic_revision"]


def test_a_backup_is_readable_by_its_owner_only(backup):
    assert stat.S_IMODE(backup.stat().st_mode) == 0o700
    for path in backup.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name


def test_a_backup_holds_no_key(backup):
    for path in backup.iterdir():
        content = path.read_bytes()
        for key in (SECRET_KEY, AUDIT_CHAIN_KEY, DATA_KEY):
            assert key.encode() not in content, path.name


def test_restore_refuses_a_database_that_is_not_empty(backup, source):
    result = source.test_cli_runner().invoke(args=["restore", str(backup)])

    assert result.exit_code == 1
    assert "The database is not empty" in result.output


def test_restore_refuses_a_changed_dump(backup, fresh_database, tmp_path):
    tampered = tmp_path / backup.name
    shutil.copytree(backup, tampered)
    manifest = json.loads((tampered / "manifest.json").read_text())
    dump = tampered / manifest["dump"]
    content = bytearray(dump.read_bytes())
    content[len(content) // 2] ^= 0xFF
    dump.write_bytes(bytes(content))
    url = fresh_database()

    result = _restore(url, tampered)

    assert result.exit_code == 1
    assert "does not have the SHA-256 the manifest records" in result.output
    app = _app(url)
    with app.app_context(), db.engine.connect() as connection:
        assert not sa.inspect(connection).get_table_names()
    _dispose(app)


def test_restore_reports_a_published_pdf_that_no_longer_matches(backup, fresh_database, tmp_path):
    url = fresh_database()
    app = _app(url)
    assert _restore(url, backup).exit_code == 0
    with app.app_context():
        version = db.session.scalars(
            sa.select(MinutesVersion).where(MinutesVersion.published_pdf.is_not(None))
        ).first()
        version.published_sha256 = "0" * 64
        db.session.commit()
        assert pdf_mismatches() == [
            f"minutes version {version.id}: published_pdf does not match published_sha256"
        ]
    _dispose(app)


def test_a_backup_of_a_trail_that_does_not_verify_is_taken_and_says_so(source, tmp_path):
    # Another key makes the trail fail verification, as a tampered one would.
    app = _app(source.config["SQLALCHEMY_DATABASE_URI"])
    app.config["AUDIT_CHAIN_KEY"] = f"another-chain-key-{uuid.uuid4().hex}"

    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path)])
    _dispose(app)

    assert result.exit_code == 0, result.output
    assert "Warning: the audit trail does not verify" in result.output
    (folder,) = tmp_path.iterdir()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["audit_chain_verified"] is False
    assert manifest["audit_chain_problem"]
