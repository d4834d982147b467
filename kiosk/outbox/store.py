"""The outbox's SQLite file: items waiting for the server, and items the server refused for good."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    created_at REAL NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    state TEXT NOT NULL DEFAULT 'pending'
);
CREATE INDEX IF NOT EXISTS items_state ON items (state, id);
"""
PENDING = "pending"
DEAD = "dead"  # refused for good (a 4xx that no retry can change): kept for staff, never resent


@dataclass(frozen=True)
class Item:
    """One request to finish later."""

    id: int
    kind: str
    payload: dict[str, Any]
    idempotency_key: str
    created_at: float
    attempts: int = 0
    last_error: str | None = None
    state: str = PENDING


class OutboxStore:
    """Thread-safe access to one outbox file; every write is committed (fsync'd) before it returns."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        existed = path.exists()
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10)
        if not existed:
            os.chmod(path, 0o600)  # staff ids and ticket ids: the kiosk user's business only
        self._db.execute("PRAGMA journal_mode=WAL")
        # FULL: a put() that returned survives a power cut, not only a process crash.
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._db.close()

    def add(self, kind: str, payload: dict[str, Any], key: str, now: float, *, coalesce: bool) -> Item:
        """Store an item (or return the one stored under `key`); `coalesce` drops older pending ones of its kind."""
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True)
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                if coalesce:
                    self._db.execute("DELETE FROM items WHERE kind = ? AND state = ? AND idempotency_key != ?",
                                     (kind, PENDING, key))
                self._db.execute(
                    "INSERT OR IGNORE INTO items (kind, payload, idempotency_key, created_at) VALUES (?, ?, ?, ?)",
                    (kind, body, key, now))
                row = self._db.execute("SELECT * FROM items WHERE idempotency_key = ?",
                                       (key,)).fetchone()
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return _item(row)

    def items(self, state: str = PENDING, kind: str | None = None) -> list[Item]:
        """Items in this state, oldest first."""
        with self._lock:
            rows = self._db.execute("SELECT * FROM items "
                                    "WHERE state = ? AND (? IS NULL OR kind = ?) ORDER BY id",
                                    (state, kind, kind)).fetchall()
        return [_item(r) for r in rows]

    def first(self) -> Item | None:
        """The oldest pending item."""
        with self._lock:
            row = self._db.execute("SELECT * FROM items WHERE state = ? ORDER BY id LIMIT 1",
                                   (PENDING,)).fetchone()
        return _item(row) if row else None

    def count(self, state: str = PENDING, kind: str | None = None) -> int:
        """How many items are in this state."""
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM items WHERE state = ? AND (? IS NULL OR kind = ?)",
                                        (state, kind, kind)).fetchone()[0])

    def delivered(self, item_id: int) -> None:
        """The server accepted it: forget it."""
        with self._lock:
            self._db.execute("DELETE FROM items WHERE id = ?", (item_id,))

    def failed(self, item_id: int, error: str, *, dead: bool) -> None:
        """Count a failed attempt; `dead` moves it aside for good."""
        with self._lock:
            self._db.execute("UPDATE items SET attempts = attempts + 1, last_error = ?, state = ? WHERE id = ?",
                             (error[:500], DEAD if dead else PENDING, item_id))



def _item(row: tuple) -> Item:
    # SELECT * gives the columns in the order of _SCHEMA.
    return Item(id=row[0], kind=row[1], payload=json.loads(row[2]), idempotency_key=row[3], created_at=row[4],
                attempts=row[5], last_error=row[6], state=row[7])
