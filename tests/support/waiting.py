"""Waiting on a condition, with one generous deadline for every test.

A test waits for what it needs to see (a state, a file, an answer), never for a stretch of time that
it hopes is long enough: on a busy 2-core CI machine everything is 5-10x slower than on a quiet one.
The deadline only bounds a real failure; a condition met early returns at once. TEST_WAIT_S changes it.
The browser tests (tests/support/browser.py) and the kiosk UI tests (tests/support/kiosk_app.py) use
the same deadline.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

WAIT_S = float(os.environ.get("TEST_WAIT_S", "60"))


def eventually(check: Callable[[], T], what: str, timeout: float = WAIT_S, interval: float = 0.05) -> T:
    """Call ``check`` until it returns something true and return that; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not (result := check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {timeout:.0f} s")
        time.sleep(interval)
    return result
