"""Read-only sessions for the live pages (lobby display, ticket status pages).

On SQLite the server's engine opens every transaction with BEGIN IMMEDIATE (server/db.py), which
takes the database's single write lock even to read. Every live page re-reads its snapshot on
every change, so with a lobby display and a few dozen patrons' phones open, those reads would
queue for the write lock with the kiosks issuing tickets. These sessions use a second engine
whose connections are query-only and never BEGIN IMMEDIATE: in WAL mode they read without
taking or waiting for the write lock. On PostgreSQL, reads never block writers, so the
server's own sessions are used.
"""

from __future__ import annotations

from sqlalchemy import create_engine, event
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry

from server.state import AppState

_READERS: dict[int, sessionmaker[Session]] = {}


def read_sessions(state: AppState) -> sessionmaker[Session]:
    """Sessions for read-only snapshots, one factory per server engine."""
    if state.engine.dialect.name != "sqlite":
        return state.sessions
    factory = _READERS.get(id(state.engine))
    if factory is None:
        engine = create_engine(state.engine.url, connect_args={"check_same_thread": False, "timeout": 15})

        @event.listens_for(engine, "connect")
        def _read_only(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA query_only=ON")  # a mistake here cannot write
            cursor.close()

        factory = sessionmaker(engine, expire_on_commit=False)
        _READERS[id(state.engine)] = factory
    return factory
