"""Fixtures of the security tests: one real server process on SQLite, counter always open."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.server_proc import ServerProcess, start_server

# Ticket routes answer 503 counter_closed outside opening hours; the control requests of these
# tests must succeed whatever time CI runs.
ALWAYS_OPEN = {
    "SERVER_COUNTER_HOURS_WEEKDAY": '["00:00", "24:00"]',
    "SERVER_COUNTER_HOURS_WEEKEND": '["00:00", "24:00"]',
    "SERVER_CLOSED_WEEKDAYS": "[]",
    "SERVER_CLOSED_DATES": "[]",
    "SERVER_OPEN_ON_PUBLIC_HOLIDAYS": "true",
}


@pytest.fixture(scope="session")
def security_server() -> Iterator[ServerProcess]:
    """`python -m server serve --demo` on a private SQLite file (auth window: the default 120 s)."""
    directory = Path(tempfile.mkdtemp(prefix="saga-security-"))
    server = start_server(database_url=f"sqlite:///{directory / 'security.db'}", settings=ALWAYS_OPEN)
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)
