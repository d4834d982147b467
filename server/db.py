"""Engine and session factory, the declarative Base every domain's tables join, and the schema upgrade
(Alembic, run from code). The database is chosen by URL (SQLite or PostgreSQL)."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Connection,
    CursorResult,
    DateTime,
    Engine,
    MetaData,
    Result,
    Table,
    create_engine,
    event,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import DBAPIConnection, DBAPICursor
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry, NullPool

from server.config import DEFAULT_DATA_DIR, SettingError

if TYPE_CHECKING:
    from alembic.config import Config

# How long a SQLite writer waits for another's lock before giving up (answered as database_unavailable).
SQLITE_BUSY_TIMEOUT_S = 15
# Kiosk write transactions one process runs at once on PostgreSQL (WriteGate).
POSTGRESQL_WRITERS = 8
# How long start-up waits for PostgreSQL to accept a connection before naming the setting.
CONNECT_CHECK_TIMEOUT_S = 10

# Stable constraint names, so Alembic migrations can refer to them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with the naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Timestamps are stored timezone-aware in UTC; the library's "today" is derived in Asia/Tokyo.
Timestamp = DateTime(timezone=True)

# The schema's history (Alembic revisions); upgrade() applies it.
ALEMBIC_DIR = Path(__file__).resolve().parent / "alembic"


def _switch_to_wal(cursor: DBAPICursor) -> None:
    """WAL mode, waiting for the lock it takes as the busy timeout would.

    Switching a new file to WAL takes an exclusive lock that SQLite does not wait for (no busy handler):
    server processes opening a fresh file at once got "database is locked" at connect. The mode is kept in
    the file, so only the first connections ever wait here.
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_S
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def make_engine(url: str) -> Engine:
    """An engine with the per-dialect settings this service relies on."""
    if url.startswith("sqlite"):
        path = url.removeprefix("sqlite:///")
        if path and path != ":memory:" and Path(path).parent == DEFAULT_DATA_DIR:
            # Only the default data directory is made on first start; any other must exist (config.py).
            DEFAULT_DATA_DIR.mkdir(exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
            # Foreign keys are off by default in SQLite; WAL lets several server
            # processes read while one writes.
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
            _switch_to_wal(cursor)
            cursor.close()
            # Let SQLAlchemy, not the driver, open transactions (see _begin_immediate).
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin_immediate(connection: Connection) -> None:
            # Take the write lock up front: a deferred transaction that reads and then
            # writes fails at once with "database is locked" when another process
            # writes in between, whatever the busy timeout.
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True)


def check_database(url: str, *, setting: str = "database_url") -> None:
    """SettingError naming `setting` unless the database can be used: PostgreSQL answers, SQLite is writable.

    Run before anything else touches the database, so an unreachable server, a missing database or a
    refused login is one line at start-up rather than a traceback from deep inside a migration.
    A SQLite file is not opened here (that would create it, and restore wants none).
    """
    parsed = make_url(url)
    shown = parsed.render_as_string(hide_password=True)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            return
        path = Path(parsed.database)
        try:
            if path.parent == DEFAULT_DATA_DIR:
                DEFAULT_DATA_DIR.mkdir(exist_ok=True)
        except OSError as error:
            raise SettingError(f"{setting}: cannot create {DEFAULT_DATA_DIR}: {error.strerror}") from None
        # The directory too: SQLite writes its -wal and -shm files beside the database.
        for target in (path.parent, path) if path.exists() else (path.parent,):
            if not os.access(target, os.R_OK | os.W_OK):
                raise SettingError(f"{setting}: {target} is not writable by this user")
        return
    engine = create_engine(url, connect_args={"connect_timeout": CONNECT_CHECK_TIMEOUT_S}, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except DBAPIError as error:
        reason = " ".join(str(error.orig or error).split())
        raise SettingError(f"{setting}: cannot use {shown}: {reason}") from None
    finally:
        engine.dispose()


def insert_for(dialect_name: str) -> Callable[[Any], Any]:
    """The dialect's INSERT construct, which has ON CONFLICT (the same on SQLite and PostgreSQL)."""
    return postgresql.insert if dialect_name == "postgresql" else sqlite.insert


def table_of(model: type[DeclarativeBase]) -> Table:
    """A mapped class's Table (SQLAlchemy types `__table__` as any FromClause; ours are all plain tables)."""
    table = model.__table__
    assert isinstance(table, Table), model
    return table


def rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE run through Session.execute touched (typed as a plain Result there)."""
    assert isinstance(result, CursorResult), type(result)
    return result.rowcount


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that do not expire objects on commit (responses are built after commit)."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with factory() as session, session.begin():
        yield session


class DatabaseBusyError(Exception):
    """No write slot freed within the lock timeout (answered like a locked database: 503, retry)."""


class WriteGate:
    """How many of this process's threads may run a kiosk write transaction at once.

    SQLite lets one writer in at a time (BEGIN IMMEDIATE) and makes the others poll with sleeps that
    grow to 100 ms, so many threads of one process queueing there wait far longer than the writes take:
    here they queue on a lock instead and are let in as soon as it frees. PostgreSQL writers of
    different services run side by side, a few at a time (more only fight over the same cores).
    Another process is still serialised by the database itself, so this is never needed for correctness.
    """

    def __init__(self, slots: int, timeout_seconds: float) -> None:
        self._slots = threading.BoundedSemaphore(slots)
        self._timeout = timeout_seconds

    @contextmanager
    def enter(self) -> Iterator[None]:
        """Hold a slot; DatabaseBusyError when none frees within the database's own lock timeout."""
        if not self._slots.acquire(timeout=self._timeout):
            raise DatabaseBusyError("no database write slot")
        try:
            yield
        finally:
            self._slots.release()


def make_write_gate(engine: Engine) -> WriteGate:
    """One slot on SQLite (one writer at a time anyway), a few on PostgreSQL."""
    if engine.dialect.name == "sqlite":
        return WriteGate(1, SQLITE_BUSY_TIMEOUT_S)
    return WriteGate(POSTGRESQL_WRITERS, SQLITE_BUSY_TIMEOUT_S)


def alembic_config(*, database_url: str) -> Config:
    """An Alembic configuration for one database, without an alembic.ini file."""
    from alembic.config import Config  # imported here: importing Alembic logs, and only migrating needs it

    config = Config()
    config.set_main_option("script_location", str(ALEMBIC_DIR))
    config.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(slug)s")
    config.attributes["database_url"] = database_url
    return config


def upgrade(*, database_url: str, revision: str = "heads") -> None:
    """Bring the database schema up to `revision` (every head: independent features branch off)."""
    from alembic import command  # imported here: importing Alembic logs, and only migrating needs it

    command.upgrade(alembic_config(database_url=database_url), revision)
