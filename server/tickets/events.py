"""Change events, fanned out through the database so pages on any server process see them.

Every state change appends a `queue_events` row in its own transaction. On PostgreSQL it also
sends NOTIFY (delivered at commit, to every listening process); on SQLite each process polls the
table's highest id every POLL_SECONDS. Each process runs one `EventBroker` thread that watches the
database and wakes that process's Server-Sent Event streams, which then re-read their snapshot
from the database: the database is the only shared state, never one process's memory.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import Engine, Executable, Text, bindparam, cast, delete, func, insert, select
from sqlalchemy.orm import Session

from server.db import table_of
from server.tickets.models import QueueEvent

log = logging.getLogger("server.tickets.events")

CHANNEL = "saga_queue"
POLL_SECONDS = 0.25
# Events are only a wake-up signal; old ones are dropped now and then.
_KEEP = timedelta(days=2)
_PRUNE_EVERY = 512


@cache
def _insert_event(dialect_name: str) -> Executable:
    """INSERT the event RETURNING its id; on PostgreSQL with its NOTIFY in the same round trip."""
    events = table_of(QueueEvent)
    row = insert(events).values(at=bindparam("b_at"), kind=bindparam("b_kind"), detail=bindparam("b_detail")
                                ).returning(events.c.id)
    if dialect_name != "postgresql":
        return row
    event = row.cte("event")
    return select(event.c.id, func.pg_notify(CHANNEL, cast(event.c.id, Text)))


def publish(*, session: Session, kind: str, at: datetime, detail: dict | None = None) -> None:
    """Record a change in the caller's transaction (and NOTIFY on PostgreSQL, sent at commit)."""
    connection = session.connection()
    event_id = connection.execute(_insert_event(connection.dialect.name),
                                  {"b_at": at, "b_kind": kind, "b_detail": detail or {}}).scalar_one()
    prune_now_and_then(session=session, event_id=event_id, at=at)


_INSERT_EVENTS = insert(table_of(QueueEvent)).returning(table_of(QueueEvent).c.id)
_NOTIFY = select(func.pg_notify(CHANNEL, bindparam("b_payload", type_=Text)))


def publish_many(*, session: Session, kind: str, at: datetime, details: list[dict]) -> None:
    """Record several changes of one kind with one INSERT in the caller's transaction, and on PostgreSQL
    one NOTIFY of the highest id (sent at commit: listeners only need the newest id to wake)."""
    if not details:
        return
    connection = session.connection()
    ids = connection.execute(_INSERT_EVENTS, [{"at": at, "kind": kind, "detail": d} for d in details]).scalars().all()
    if connection.dialect.name == "postgresql":
        connection.execute(_NOTIFY, {"b_payload": str(max(ids))})
    due = [event_id for event_id in ids if event_id % _PRUNE_EVERY == 0]
    if due:  # one prune for the group, however many of its ids are due
        prune_now_and_then(session=session, event_id=due[0], at=at)


def prune_now_and_then(*, session: Session, event_id: int, at: datetime) -> None:
    """After every _PRUNE_EVERY-th event, drop the events older than _KEEP (they are only wake-up calls)."""
    if event_id % _PRUNE_EVERY == 0:
        session.execute(delete(QueueEvent).where(QueueEvent.at < at - _KEEP))


class EventBroker:
    """One per process: watches the database for new events and wakes waiting streams."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.version = 0  # highest event id seen
        self._loop: asyncio.AbstractEventLoop | None = None
        self._changed = asyncio.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def ensure_started(self) -> None:
        """Start the watcher thread on first use, bound to the running event loop."""
        with self._lock:
            if self._thread is not None:
                return
            # No database call here: this runs on the event loop, and a blocking read there could
            # wait on a lock whose holder needs the loop to finish. The thread reads the version.
            self._loop = asyncio.get_running_loop()
            target = self._listen if self.engine.dialect.name == "postgresql" else self._poll
            self._thread = threading.Thread(target=target, name="ticket-events", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """Ask the watcher thread to end (it is a daemon: process exit does not wait for it)."""
        self._stop.set()

    async def wait_for_change(self, seen: int, *, timeout: float) -> int:
        """Return once an event newer than `seen` exists, or after `timeout` seconds; the version."""
        if self.version > seen:
            return self.version
        changed = self._changed
        try:
            await asyncio.wait_for(changed.wait(), timeout)
        except TimeoutError:
            pass
        return self.version

    def _bump(self, version: int) -> None:
        """Called in the event loop: record the version and wake every waiter."""
        if version > self.version:
            self.version = version
            changed, self._changed = self._changed, asyncio.Event()
            changed.set()

    def _signal(self, version: int) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._bump, version)

    def _poll(self) -> None:
        """SQLite: a plain read every POLL_SECONDS on a connection of our own (no write lock taken)."""
        path = self.engine.url.database or ""
        while not self._stop.is_set():
            try:
                with sqlite3.connect(path, timeout=5, isolation_level=None) as connection:
                    while not self._stop.is_set():
                        row = connection.execute("SELECT max(id) FROM queue_events").fetchone()
                        version = int(row[0] or 0)
                        if version > self.version:
                            self._signal(version)
                        self._stop.wait(POLL_SECONDS)
            except sqlite3.Error:
                log.warning("event poll failed; retrying", exc_info=True)
                self._stop.wait(1)

    def _listen(self) -> None:
        """PostgreSQL: LISTEN on a dedicated autocommit connection; reconnect after errors."""
        import psycopg  # imported late: only the PostgreSQL backend uses the driver directly

        conninfo = self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        while not self._stop.is_set():
            try:
                with psycopg.connect(conninfo, autocommit=True) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    # Anything committed before LISTEN took effect would otherwise be missed.
                    row = connection.execute("SELECT max(id) FROM queue_events").fetchone()
                    self._signal(int(row[0] or 0) if row else 0)
                    while not self._stop.is_set():
                        for notice in connection.notifies(timeout=1.0):
                            if notice.payload.isdigit():
                                self._signal(int(notice.payload))
            except psycopg.Error:
                log.warning("event listener lost its connection; reconnecting", exc_info=True)
                self._stop.wait(1)
