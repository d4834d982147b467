"""Fault-injection fixtures: a real server of the test's own (SQLite, counter always open) and kiosk settings for it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from kiosk.config import KioskSettings, load
from tests.faults.servers import ALWAYS_OPEN
from tests.support.server_proc import ServerProcess, start_server

TODAY = date(2026, 6, 15)  # the server's "today", as in the UI tests


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    """The real server on a fresh SQLite file; a test may kill it and restart it (tests/faults/servers.py)."""
    started = start_server(database_url=f"sqlite:///{tmp_path / 'server.db'}",
                           settings={"SERVER_TODAY": TODAY.isoformat(), **ALWAYS_OPEN})
    yield started
    started.stop()


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One real server for a module's tests that change nothing a later test reads."""
    directory = tmp_path_factory.mktemp("faults-server")
    started = start_server(database_url=f"sqlite:///{directory / 'server.db'}",
                           settings={"SERVER_TODAY": TODAY.isoformat(), **ALWAYS_OPEN})
    yield started
    started.stop()


def kiosk_settings(server: ServerProcess, tmp_path: Path, **env: str) -> KioskSettings:
    """Kiosk settings pointing at `server`, printing to files and queueing in tmp_path (KIOSK_* overrides in env)."""
    return load(environ={
        "KIOSK_SERVER_URL": server.base_url, "KIOSK_SERVER_KIOSK_ID": server.kiosk_id,
        "KIOSK_SERVER_SECRET": server.kiosk_secret, "KIOSK_SERVER_TIMEOUT_S": "2",
        "KIOSK_PRINTER_DIRECTORY": str(tmp_path / "printed"), "KIOSK_OUTBOX_PATH": str(tmp_path / "outbox.sqlite3"),
        "KIOSK_OUTBOX_RETRY_BASE_S": "0.2", "KIOSK_OUTBOX_RETRY_MAX_S": "1", **env,
    })
