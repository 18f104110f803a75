"""`flask backup` and `flask restore`: a consistent copy of the database that is known to restore.

A backup is a folder, `panel-YYYYmmdd-HHMMSS/`, holding the database (SQLite's online backup
API, or `pg_dump --format=custom` for PostgreSQL) and `manifest.json`: when it was taken, the
migration head, the rows in each table, the audit chain's head and the dump's SHA-256. The keys
(SECRET_KEY, DATA_ENCRYPTION_KEY, AUDIT_CHAIN_KEY) are never written into it: a backup that
carried them would carry the means to read the personal data and to rewrite the audit trail.

A backup of a database whose audit trail does not verify is still taken (it is evidence), but the
manifest and the command say so. `flask restore` refuses a dump whose SHA-256 differs from the
manifest's and a database that is not empty; after restoring it checks the rows, the migration
head, the audit chain and every stored published PDF against its SHA-256, and exits 1 on any
difference.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from panel.core.audit import AuditChainHead, verify_chain
from panel.core.database import utcnow
from panel.extensions import db

MANIFEST = "manifest.json"
DUMPS = {"sqlite": "database.sqlite", "postgresql": "database.pgdump"}


class BackupError(click.ClickException):
    """A backup or restore that cannot go on, with the reason for whoever runs it."""


def _kind() -> str:
    return db.engine.dialect.name


def _create_private(path: Path) -> None:
    """An empty file only its owner can read, made before anything is written into it."""
    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _counts(connection: sa.Connection) -> dict[str, int]:
    """Rows in every table but Alembic's, by name."""
    names = sorted(set(sa.inspect(connection).get_table_names()) - {"alembic_version"})
    # Names from the database's own catalogue, quoted by SQLAlchemy as identifiers.
    return {
        name: connection.execute(
            sa.select(sa.func.count()).select_from(sa.table(name))
        ).scalar_one()
        for name in names
    }


def _revision(connection: sa.Connection) -> str | None:
    if not sa.inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def _chain_head(connection: sa.Connection) -> dict[str, Any]:
    row = connection.execute(
        sa.select(AuditChainHead.last_sequence, AuditChainHead.last_hash).where(
            AuditChainHead.id == 1
        )
    ).first()
    return {"sequence": row[0] if row else 0, "hash": row[1] if row else None}


# PostgreSQL: the client tools take the connection from the environment, so the password never
# appears in the process list.
def _pg_environment(url: sa.URL) -> dict[str, str]:
    environment = dict(os.environ)
    for variable, value in (
        ("PGHOST", url.host),
        ("PGPORT", url.port),
        ("PGUSER", url.username),
        ("PGPASSWORD", url.password),
        ("PGDATABASE", url.database),
    ):
        if value is not None:
            environment[variable] = str(value)
    options = url.query.get("options")
    if options:
        environment["PGOPTIONS"] = options if isinstance(options, str) else " ".join(options)
    return environment


def _pg_tool(name: str, connection: sa.Connection) -> str:
    """The path of `pg_dump` or `pg_restore`, refused if older than the server."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed: install the PostgreSQL client tools.")
    output = subprocess.run([path, "--version"], capture_output=True, text=True, check=True)  # noqa: S603
    found = re.search(r"(\d+)(?:\.\d+)?", output.stdout)
    tool_major = int(found[1]) if found else 0
    server_major = int(connection.execute(sa.text("SHOW server_version_num")).scalar_one()) // 10000
    if tool_major < server_major:
        raise BackupError(
            f"{name} is version {tool_major} but the server is {server_major}: install client "
            f"tools of version {server_major} or later."
        )
    return path


def _run(arguments: list[str], environment: dict[str, str], afterwards: str = "") -> None:
    result = subprocess.run(arguments, capture_output=True, text=True, env=environment)  # noqa: S603
    if result.returncode:
        raise BackupError(f"{Path(arguments[0]).name} failed: {result.stderr.strip()}{afterwards}")


def take_backup(directory: Path) -> Path:
    """Write a backup folder into `directory` and return its path. A backup that fails part of
    the way leaves no folder behind, so that every folder found is a whole backup."""
    kind = _kind()
    if kind not in DUMPS:
        raise BackupError(f"Backups of {kind} databases are not supported.")
    taken_at = utcnow()
    folder = directory / f"panel-{taken_at:%Y%m%d-%H%M%S}"
    directory.mkdir(parents=True, exist_ok=True)
    try:
        folder.mkdir(mode=0o700)
    except FileExistsError:
        raise BackupError(f"{folder} exists already: wait a second and try again.") from None
    try:
        _write(folder, kind, taken_at)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder


def _write(folder: Path, kind: str, taken_at: datetime) -> None:
    dump = folder / DUMPS[kind]
    _create_private(dump)
    if kind == "sqlite":
        source = sqlite3.connect(db.engine.url.database)
        target = sqlite3.connect(dump)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        # The figures are read from the copy itself: they describe exactly what was backed up.
        engine = sa.create_engine(f"sqlite:///{dump}")
        with engine.connect() as connection:
            counts, revision, head = (
                _counts(connection),
                _revision(connection),
                _chain_head(connection),
            )
        engine.dispose()
    else:
        # One snapshot for the figures and the dump, so that they describe the same moment.
        with db.engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
            snapshot = connection.execute(sa.text("SELECT pg_export_snapshot()")).scalar_one()
            counts, revision, head = (
                _counts(connection),
                _revision(connection),
                _chain_head(connection),
            )
            pg_dump = _pg_tool("pg_dump", connection)
            _run(
                [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={dump}"],
                _pg_environment(db.engine.url),
            )
            connection.rollback()
    report = verify_chain()
    manifest = {
        "created_at": taken_at.isoformat(),
        "database": kind,
        "dump": dump.name,
        "dump_sha256": _sha256(dump),
        "alembic_revision": revision,
        "row_counts": counts,
        "audit_chain_head": head,
        "audit_chain_verified": report.intact,
        "audit_chain_problem": report.problem,
    }
    manifest_path = folder / MANIFEST
    _create_private(manifest_path)
    manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


def _refuse_unless_empty(connection: sa.Connection) -> None:
    if sa.inspect(connection).has_table("alembic_version"):
        raise BackupError(
            "The database is not empty (it has been migrated): restore only into a new, empty "
            "database."
        )
    filled = [name for name, rows in _counts(connection).items() if rows]
    if filled:
        raise BackupError(
            f"The database is not empty ({', '.join(filled)} have rows): restore only into a new, "
            "empty database."
        )


def pdf_mismatches() -> list[str]:
    """Every stored published PDF whose bytes no longer have the SHA-256 stored with them."""
    from panel.insight.models import AnnualReport
    from panel.minutes.key_messages.models import KeyMessagesPublication
    from panel.minutes.models import MinutesVersion

    checks = [
        (MinutesVersion, "minutes version", "published_pdf", "published_sha256"),
        (MinutesVersion, "minutes version", "full_pdf", "full_sha256"),
        (AnnualReport, "annual report", "full_pdf", "full_sha256"),
        (AnnualReport, "annual report", "reader_pdf", "reader_sha256"),
        (KeyMessagesPublication, "key messages publication", "pdf", "sha256"),
    ]
    wrong = []
    for model, label, pdf, digest in checks:
        column = getattr(model, pdf)
        rows = db.session.execute(
            sa.select(model.id, column, getattr(model, digest)).where(column.is_not(None))
        )
        for id_, content, stored in rows:
            if hashlib.sha256(content).hexdigest() != stored:
                wrong.append(f"{label} {id_}: {pdf} does not match {digest}")
    return wrong


def restore_backup(folder: Path) -> list[str]:
    """Restore the backup in `folder` into the configured, empty database; return what differs
    from the manifest afterwards (nothing, when the restore is faithful)."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupError(f"{folder} has no readable {MANIFEST}: {error}") from None
    kind = _kind()
    if manifest["database"] != kind:
        raise BackupError(
            f"This is a backup of a {manifest['database']} database; the configured database is "
            f"{kind}."
        )
    dump = folder / manifest["dump"]
    if not dump.is_file() or _sha256(dump) != manifest["dump_sha256"]:
        raise BackupError(
            f"{dump} does not have the SHA-256 the manifest records: it is damaged or was changed."
        )
    with db.engine.connect() as connection:
        _refuse_unless_empty(connection)
        if kind == "postgresql":
            pg_restore = _pg_tool("pg_restore", connection)
    db.session.remove()
    db.engine.dispose()
    if kind == "sqlite":
        source = sqlite3.connect(dump)
        target = sqlite3.connect(db.engine.url.database)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
    else:
        _run(
            [
                pg_restore,
                "--no-owner",
                "--exit-on-error",
                f"--dbname={db.engine.url.database}",
                str(dump),
            ],
            _pg_environment(db.engine.url),
            " The database may be partly restored: drop it and create it again before retrying.",
        )
    differences = []
    with db.engine.connect() as connection:
        counts, revision = _counts(connection), _revision(connection)
    if revision != manifest["alembic_revision"]:
        differences.append(
            f"migration head is {revision}, the manifest says {manifest['alembic_revision']}"
        )
    for table in sorted(set(counts) | set(manifest["row_counts"])):
        expected, found = manifest["row_counts"].get(table), counts.get(table)
        if expected != found:
            differences.append(f"{table} has {found} rows, the manifest says {expected}")
    report = verify_chain()
    if not report.intact:
        differences.append(f"the audit trail is broken: {report.problem}")
    elif report.checked != manifest["audit_chain_head"]["sequence"]:
        differences.append(
            f"the audit trail has {report.checked} events, the manifest says "
            f"{manifest['audit_chain_head']['sequence']}"
        )
    differences.extend(pdf_mismatches())
    return differences


@click.command("backup")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def backup_command(directory: Path) -> None:
    """Write a consistent backup of the database, with its manifest, into a new folder in
    DIRECTORY. The keys are not in it: keep them elsewhere."""
    folder = take_backup(directory)
    manifest = json.loads((folder / MANIFEST).read_text())
    click.echo(
        f"Backed up {sum(manifest['row_counts'].values())} rows in "
        f"{len(manifest['row_counts'])} tables to {folder}."
    )
    if not manifest["audit_chain_verified"]:
        click.echo(
            f"Warning: the audit trail does not verify ({manifest['audit_chain_problem']}); the "
            "backup was taken all the same and its manifest says so.",
            err=True,
        )


@click.command("restore")
@click.argument("backup_dir", type=click.Path(file_okay=False, exists=True, path_type=Path))
@with_appcontext
def restore_command(backup_dir: Path) -> None:
    """Restore the backup in BACKUP_DIR into the configured database, which must be empty, then
    check it against the manifest, the audit chain and the stored PDFs' SHA-256."""
    differences = restore_backup(backup_dir)
    if differences:
        raise BackupError(
            "The restored database differs from the backup:\n  " + "\n  ".join(differences)
        )
    manifest = json.loads((backup_dir / MANIFEST).read_text())
    click.echo(
        f"Restored {sum(manifest['row_counts'].values())} rows taken at "
        f"{manifest['created_at']}: the rows, migration head, audit trail "
        f"({manifest['audit_chain_head']['sequence']} events) and published PDFs all match."
    )
