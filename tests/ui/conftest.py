"""UI tests drive the real kiosk app (main.py) on a private Xvfb display, against the real server."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest

from scripts.xvfb import xvfb
from tests.support.disk_audio import DiskAudio
from tests.support.kiosk_app import ARTIFACTS, KioskProcess, kiosk_env
from tests.support.server_proc import ServerProcess, start_server
from tests.support.sip2_ils import sip2_settings

# The library's "today" for the server the kiosk talks to, so expiry answers are exact.
TODAY = date(2026, 6, 15)
# The counter open at any hour, so ticket tests do not depend on when they run.
ALWAYS_OPEN = {
    "SERVER_COUNTER_HOURS_WEEKDAY": json.dumps(["00:00", "23:59"]),
    "SERVER_COUNTER_HOURS_WEEKEND": json.dumps(["00:00", "23:59"]),
    "SERVER_CLOSED_WEEKDAYS": "[]",
    "SERVER_CLOSED_DATES": "[]",
}


@pytest.fixture(scope="session")
def display() -> Iterator[str]:
    """A virtual display shared by the UI tests of this run."""
    with xvfb() as value:
        print(f"\nUI screenshots are written to {ARTIFACTS / 'screens'}")
        yield value


@pytest.fixture(scope="session")
def ui_server() -> Iterator[ServerProcess]:
    """The real central server with the demo data set, on SQLite."""
    directory = Path(tempfile.mkdtemp(prefix="saga-ui-"))
    server = start_server(database_url=f"sqlite:///{directory / 'ui.db'}",
                          settings={"SERVER_TODAY": TODAY.isoformat(), **ALWAYS_OPEN})
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)


def server_env(server: ServerProcess) -> dict[str, str]:
    """Kiosk settings that point at ``server`` with its demo credentials."""
    return {
        "KIOSK_SERVER_URL": server.base_url,
        "KIOSK_SERVER_KIOSK_ID": server.kiosk_id,
        "KIOSK_SERVER_SECRET": server.kiosk_secret,
    }


@pytest.fixture
def kiosk(display: str, ui_server: ServerProcess, tmp_path: Path) -> Iterator[KioskProcess]:
    """The kiosk app, started fresh for one test, talking to the real server; it prints into tmp_path/printed."""
    env = kiosk_env(display, tmp_path / "kivy", **server_env(ui_server),
                    KIOSK_PRINTER_DIRECTORY=str(tmp_path / "printed"))
    app = KioskProcess(env, tmp_path / "kiosk.log")
    app.printed = tmp_path / "printed"  # type: ignore[attr-defined]
    try:
        yield app
    finally:
        app.stop()


def start_audio_kiosk(display: str, server: ServerProcess, tmp_path: Path, **settings: str) -> KioskProcess:
    """The kiosk with SDL's disk audio driver writing into tmp_path/audio.raw (``audio``), its voice cache in
    tmp_path/voice (``voice``); it prints into tmp_path/printed (``printed``)."""
    env = kiosk_env(display, tmp_path / "kivy", **server_env(server),
                    KIOSK_PRINTER_DIRECTORY=str(tmp_path / "printed"),
                    KIOSK_ACCESSIBILITY_SOUNDS_DIR=str(tmp_path / "sounds"),
                    KIOSK_ACCESSIBILITY_VOICE_CACHE_DIR=str(tmp_path / "voice"),
                    SDL_AUDIODRIVER="disk", SDL_DISKAUDIOFILE=str(tmp_path / "audio.raw"), **settings)
    app = KioskProcess(env, tmp_path / "kiosk.log")
    app.audio = DiskAudio(tmp_path / "audio.raw")  # type: ignore[attr-defined]
    app.voice = tmp_path / "voice"  # type: ignore[attr-defined]
    app.printed = tmp_path / "printed"  # type: ignore[attr-defined]
    return app


@pytest.fixture
def audio_kiosk(display: str, ui_server: ServerProcess, tmp_path: Path) -> Iterator[KioskProcess]:
    """The kiosk with SDL's disk audio driver, talking to the shared server."""
    with start_audio_kiosk(display, ui_server, tmp_path) as app:
        yield app


@pytest.fixture
def fresh_server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A server of its own for a test that changes linkages (each persona starts from the demo data)."""
    server = start_server(database_url=f"sqlite:///{tmp_path / 'server.db'}",
                          settings={"SERVER_TODAY": TODAY.isoformat(), **ALWAYS_OPEN})
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def sip2_server(directory: Path, ils_port: int, **settings: str) -> Iterator[ServerProcess]:
    """A server of its own whose patron source is the ILS over SIP2 on ``ils_port`` (tests/support/sip2_ils.py),
    telling a typed number's expiry to the day: the date on the screen is then exactly the ILS's."""
    server = start_server(database_url=f"sqlite:///{directory / 'sip2.db'}", settings={
        "SERVER_TODAY": TODAY.isoformat(), "SERVER_TYPED_NUMBER_EXPIRY_PRECISION": "day", **ALWAYS_OPEN,
        **sip2_settings(ils_port, **settings)})
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def kiosk_on(display: str, tmp_path: Path) -> Iterator[Callable[[ServerProcess], KioskProcess]]:
    """``kiosk_on(server)``: the kiosk app, started fresh for one test, talking to ``server`` (a server the test
    configured itself); it has the private pcscd's reader when the test asked for ``private_pcscd``."""
    started: list[KioskProcess] = []

    def start(server: ServerProcess) -> KioskProcess:
        env = kiosk_env(display, tmp_path / "kivy", **server_env(server),
                        KIOSK_PRINTER_DIRECTORY=str(tmp_path / "printed"))
        app = KioskProcess(env, tmp_path / "kiosk.log")
        started.append(app)
        return app

    try:
        yield start
    finally:
        for app in started:
            app.stop()


@pytest.fixture
def card_kiosk(display: str, fresh_server: ServerProcess, private_pcscd: object,
               tmp_path: Path) -> Iterator[KioskProcess]:
    """The kiosk app with the private pcscd's virtual reader and a fresh server; it prints into tmp_path/printed."""
    env = kiosk_env(display, tmp_path / "kivy", **server_env(fresh_server),
                    KIOSK_PRINTER_DIRECTORY=str(tmp_path / "printed"))
    app = KioskProcess(env, tmp_path / "kiosk.log")
    app.server = fresh_server  # type: ignore[attr-defined]
    app.printed = tmp_path / "printed"  # type: ignore[attr-defined]
    try:
        yield app
    finally:
        app.stop()
