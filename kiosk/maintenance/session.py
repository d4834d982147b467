"""A signed-in maintenance session that ends by itself after some idle minutes."""

from __future__ import annotations

import time
from collections.abc import Callable


class MaintenanceSession:
    """Who is signed in, and whether the mode should close for lack of touches."""

    def __init__(self, staff_id: str, role: str, idle_exit_s: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.staff_id = staff_id
        self.role = role
        self.idle_exit_s = idle_exit_s
        self._clock = clock
        self._last = clock()

    def touched(self) -> None:
        """Staff did something: the mode stays open."""
        self._last = self._clock()

    def remaining_s(self) -> float:
        """Seconds until the mode closes by itself."""
        return max(0.0, self.idle_exit_s - (self._clock() - self._last))

    def expired(self) -> bool:
        """True once `idle_exit_s` passed without a touch: leave maintenance mode."""
        return self.remaining_s() <= 0
