"""Fixtures for the kiosk maintenance core: settings on a temporary data directory, a staff cache,
and the real server process (SQLite) for the tests that need one."""

from __future__ import annotations

import dataclasses
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from kiosk import config
from kiosk.maintenance.staff_cache import StaffCache, StaffCredential
from tests.support.server_proc import ServerProcess, start_server

PIN = "2580"


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def pin_hash() -> str:
    """An argon2id hash of PIN, as the server stores it."""
    return PasswordHasher().hash(PIN)


@pytest.fixture
def cache(tmp_path: Path, pin_hash: str) -> StaffCache:
    """A staff cache with one admin and one counter account, both with PIN."""
    staff_cache = StaffCache(tmp_path / "kiosk" / "staff-cache.json")
    staff_cache.replace([StaffCredential("admin-1", "admin", pin_hash),
                         StaffCredential("counter-1", "counter", pin_hash)])
    return staff_cache


def settings_for(server_url: str, kiosk_id: str = "kiosk-demo-01", secret: str = "x" * 24,
                 **printer: object) -> config.KioskSettings:
    """The shipped settings pointed at `server_url` (and, given keywords, another printer table)."""
    settings = config.load(environ={"KIOSK_SERVER_URL": server_url, "KIOSK_SERVER_KIOSK_ID": kiosk_id,
                                    "KIOSK_SERVER_SECRET": secret})
    if printer:
        settings = dataclasses.replace(settings, printer=dataclasses.replace(settings.printer, **printer))
    return settings


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    """The real server (`python -m server serve --demo`) on a fresh SQLite file."""
    directory = Path(tempfile.mkdtemp(prefix="saga-maint-"))
    process = start_server(database_url=f"sqlite:///{directory / 'server.db'}")
    try:
        yield process
    finally:
        process.stop()
        shutil.rmtree(directory, ignore_errors=True)
