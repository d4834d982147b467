"""Run a check in its own thread with a deadline; a check that hangs or raises becomes a plain result."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Bounded(Generic[T]):
    """`fn()` started at once in a daemon thread; `result()` waits at most until the deadline."""

    def __init__(self, fn: Callable[[], T], timeout_s: float, *, name: str = "probe") -> None:
        self._fn = fn
        self._deadline = time.monotonic() + timeout_s
        self._value: T | None = None
        self._error: BaseException | None = None
        self._done = threading.Event()
        # Daemon: a probe stuck in a driver call must not keep the app from exiting.
        threading.Thread(target=self._run, name=name, daemon=True).start()

    def _run(self) -> None:
        try:
            self._value = self._fn()
        except BaseException as error:  # reported by result(), never raised into the caller's thread
            self._error = error
        finally:
            self._done.set()

    def result(self) -> tuple[T | None, str | None]:
        """(value, None), or (None, why not): the exception's text, or "timed out"."""
        if not self._done.wait(max(0.0, self._deadline - time.monotonic())):
            return None, "timed out"
        if self._error is not None:
            return None, f"{type(self._error).__name__}: {self._error}" if str(self._error) else type(
                self._error).__name__
        return self._value, None
