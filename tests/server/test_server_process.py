"""The server process itself: first start creates and migrates a SQLite file, SIGTERM stops it cleanly;
in production mode it needs public_base_url, and the ticket URL comes from it alone."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import requests

from tests.support.server_proc import REPO_ROOT, start_server
from tests.support.tickets import ALWAYS_OPEN, issue, kiosk_session


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


def _production_env(database: Path, **settings: str) -> dict[str, str]:
    """The environment of an installed server (SERVER_MODE=production), on a port of its own choosing."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("SERVER_")}
    env.update(SERVER_MODE="production", SERVER_DATABASE_URL=f"sqlite:///{database}", SERVER_HOST="127.0.0.1",
               SERVER_PORT="0", **settings)
    return env


def test_production_refuses_to_start_without_public_base_url(sqlite_dir: Path) -> None:
    # Without it a ticket's QR code would carry whatever Host header the kiosk's request came with.
    for unset in ({}, {"SERVER_PUBLIC_BASE_URL": ""}, {"SERVER_PUBLIC_BASE_URL": "queue.library.example"}):
        done = subprocess.run([sys.executable, "-m", "server", "serve"], cwd=REPO_ROOT, capture_output=True,
                              text=True, timeout=120, env=_production_env(sqlite_dir / "production.db", **unset))
        assert done.returncode != 0, done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and "'public_base_url'" in lines[0] and "SERVER_PUBLIC_BASE_URL" in lines[0], lines
    assert "production" in lines[0] or "http(s)" in lines[0]
    assert not (sqlite_dir / "production.db").exists()  # refused before anything was touched


def test_in_production_a_forged_host_does_not_change_the_ticket_url(sqlite_dir: Path) -> None:
    public = "https://queue.library.example"
    server = start_server(database_url=f"sqlite:///{sqlite_dir / ('prod_' + uuid.uuid4().hex[:8] + '.db')}",
                          settings={**ALWAYS_OPEN, "SERVER_MODE": "production", "SERVER_PUBLIC_BASE_URL": public,
                                    "FORWARDED_ALLOW_IPS": "127.0.0.1"})
    try:
        kiosk = kiosk_session(server)
        for forged in ({}, {"Host": "evil.example"}, {"Host": "evil.example", "X-Forwarded-Proto": "http",
                                                      "X-Forwarded-Host": "evil.example"}):
            ticket = issue(kiosk, server, "mynumber", headers=forged)
            assert ticket["status_url"].startswith(public + "/t/"), (forged, ticket["status_url"])
    finally:
        server.stop()
