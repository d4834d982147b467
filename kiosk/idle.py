"""Idle timeout of a patron session: a warning first, then the session is wiped.

WCAG 2.2.1 (Timing Adjustable): the patron is warned and gets at least 20 seconds to extend the
session with one tap. Time comes from an injected monotonic clock so tests need not wait.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import StrEnum


class IdlePhase(StrEnum):
    """Where an idle session stands."""

    ACTIVE = "active"
    WARNING = "warning"
    EXPIRED = "expired"


class IdleTimer:
    """Tracks the last touch of a session; ``phase()`` says whether to warn or to wipe."""

    def __init__(self, timeout_s: float, warning_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        if warning_s < 20:
            raise ValueError("the warning must give at least 20 seconds (WCAG 2.2.1)")
        self.timeout_s = timeout_s
        self.warning_s = warning_s
        self._clock = clock
        self._last = clock()

    def touched(self) -> None:
        """The patron did something: the session lives on."""
        self._last = self._clock()

    def phase(self) -> IdlePhase:
        """ACTIVE until ``timeout_s`` without a touch, then WARNING for ``warning_s``, then EXPIRED."""
        idle = self._clock() - self._last
        if idle < self.timeout_s:
            return IdlePhase.ACTIVE
        if idle < self.timeout_s + self.warning_s:
            return IdlePhase.WARNING
        return IdlePhase.EXPIRED

    def seconds_left(self) -> int:
        """Whole seconds before the session is wiped (for the warning's countdown)."""
        left = self.timeout_s + self.warning_s - (self._clock() - self._last)
        return max(0, int(left + 0.999))
