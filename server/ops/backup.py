"""Backup and restore of the server's database: pg_dump / pg_restore for PostgreSQL, the online backup API for SQLite.

Both take a consistent snapshot while servers keep running. A restore goes only into an EMPTY database
(a fresh `createdb`, or a SQLite path that does not exist yet): it never merges into live data.
The PostgreSQL programs are Debian's (/usr/lib/postgresql/<version>/bin); the password, if the URL has
one, goes through PGPASSWORD so it is never on a command line. Run them as the service user whose
role the URL names (peer authentication on the local socket), e.g. `runuser -u saga -- ...`.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import URL, make_url

from server.db import make_engine

# Tables compared after a restore (and reported by backup): the data the library cannot lose.
KEY_TABLES = ("patrons", "linkages", "kiosks", "staff_members", "audit_log", "tickets", "migration_requests")


class BackupError(Exception):
    """A backup or restore could not be done; the message says why."""


@dataclass(frozen=True)
class TableDigest:
    """Row count and a SHA-256 over a table's rows in primary-key order."""

    table: str
    rows: int
    sha256: str


def pg_bin(configured: str = "") -> Path:
    """The directory of pg_dump/pg_restore: the setting, else the newest /usr/lib/postgresql/*/bin."""
    if configured:
        return Path(configured)
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_dump"), key=lambda p: int(p.parts[-3]))
    if not versions:
        raise BackupError("pg_dump not found: install Debian's postgresql-client package")
    return versions[-1].parent


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq connection URI without the password, and the environment that carries it."""
    parsed: URL = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = parsed.password
    uri = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return uri, env


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(database)


def backup(*, database_url: str, target: Path, pg_bin_dir: str = "") -> None:
    """Write a consistent snapshot of the database to `target` (mode 0600; it holds personal data)."""
    if target.exists():
        raise BackupError(f"{target} exists already: choose a new file name (backups are never overwritten)")
    target.parent.mkdir(parents=True, exist_ok=True)
    if database_url.startswith("sqlite"):
        source = sqlite3.connect(f"file:{_sqlite_path(database_url)}?mode=ro", uri=True)
        target.touch(mode=0o600)
        destination = sqlite3.connect(target)
        try:
            with destination:
                source.backup(destination)  # the online backup API: consistent while others write
        finally:
            destination.close()
            source.close()
        return
    uri, env = _libpq(database_url)
    target.touch(mode=0o600)
    result = subprocess.run([str(pg_bin(pg_bin_dir) / "pg_dump"), "--format=custom", "--no-owner", "--no-acl",
                             f"--file={target}", f"--dbname={uri}"], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        target.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")


def _is_empty(engine: Engine) -> bool:
    return not inspect(engine).get_table_names()


def restore(*, database_url: str, source: Path, pg_bin_dir: str = "") -> None:
    """Restore `source` into an EMPTY database (refused otherwise), in one transaction."""
    if not source.is_file():
        raise BackupError(f"{source} is not a file")
    if database_url.startswith("sqlite"):
        path = _sqlite_path(database_url)
        if path.exists() and path.stat().st_size > 0:
            raise BackupError(f"{path} exists: restore into a new, empty database file")
        path.parent.mkdir(parents=True, exist_ok=True)
        origin = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        destination = sqlite3.connect(path)
        try:
            origin.backup(destination)
        finally:
            destination.close()
            origin.close()
        os.chmod(path, 0o600)
        return
    engine = make_engine(database_url)
    try:
        if not _is_empty(engine):
            raise BackupError("the target database is not empty: restore into a fresh one (createdb)")
    finally:
        engine.dispose()
    uri, env = _libpq(database_url)
    result = subprocess.run([str(pg_bin(pg_bin_dir) / "pg_restore"), "--no-owner", "--no-acl", "--exit-on-error",
                             "--single-transaction", f"--dbname={uri}", str(source)],
                            env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")


def digests(engine: Engine, tables: tuple[str, ...] = KEY_TABLES) -> list[TableDigest]:
    """Row count and checksum of each table, to compare a restored database with its origin."""
    out = []
    with engine.connect() as connection:
        inspector = inspect(connection)  # the same connection: a second one would wait for SQLite's write lock
        for table in tables:
            keys = inspector.get_pk_constraint(table)["constrained_columns"]
            rows = connection.execute(text(f'SELECT * FROM "{table}" ORDER BY '  # noqa: S608 - fixed names
                                           + ", ".join(f'"{k}"' for k in keys)))
            digest, count = hashlib.sha256(), 0
            for row in rows:
                digest.update(repr(tuple(row)).encode("utf-8"))
                count += 1
            out.append(TableDigest(table, count, digest.hexdigest()))
    return out
