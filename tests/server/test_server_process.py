"""The server process itself: first start creates and migrates a SQLite file, SIGTERM stops it cleanly."""

from __future__ import annotations

import signal
import sqlite3
from pathlib import Path

import requests

from tests.support.server_proc import start_server


def test_first_start_creates_the_database_and_sigterm_stops_cleanly(sqlite_dir: Path) -> None:
    path = sqlite_dir / "fresh" / "server.db"
    assert not path.exists()
    server = start_server(database_url=f"sqlite:///{path}")
    try:
        assert requests.get(server.base_url + "/health", timeout=5).json() == {"status": "ok", "database": "ok"}
        assert requests.get(server.base_url + "/docs", timeout=5).status_code == 200
    finally:
        status = server.stop()
    # uvicorn shuts down gracefully, then re-raises the signal so the exit status names it;
    # a hang would have ended in SIGKILL (-9) from stop().
    assert status in (0, -signal.SIGTERM)
    with sqlite3.connect(path) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"patrons", "linkages", "audit_log", "alembic_version"} <= tables
