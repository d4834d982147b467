"""UI tests drive the real kiosk app (main.py) on a private Xvfb display."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.kiosk_app import ARTIFACTS, KioskProcess, kiosk_env
from scripts.xvfb import xvfb


@pytest.fixture(scope="session")
def display() -> Iterator[str]:
    """A virtual display shared by the UI tests of this run."""
    with xvfb() as value:
        print(f"\nUI screenshots are written to {ARTIFACTS / 'screens'}")
        yield value


@pytest.fixture
def kiosk(display: str, tmp_path: Path) -> Iterator[KioskProcess]:
    """The kiosk app, started fresh for one test."""
    app = KioskProcess(kiosk_env(display, tmp_path / "kivy"), tmp_path / "kiosk.log")
    try:
        yield app
    finally:
        app.stop()
