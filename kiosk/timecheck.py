"""The kiosk's clock against the server's: signed requests outside the server's window are refused.

The server's time is read from /health/clock (exact) or a heartbeat's answer; half the round trip is
allowed for, so the skew is known to within that half.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from datetime import datetime

log = logging.getLogger(__name__)
DEFAULT_WINDOW_S = 120  # the server's default auth_window_seconds, until /health says otherwise


@dataclass(frozen=True)
class ClockCheck:
    """One comparison: positive skew means the kiosk is ahead of the server."""

    skew_s: float
    uncertainty_s: float
    window_s: int
    checked_at: datetime

    @property
    def within_window(self) -> bool:
        """False when signed requests will be refused as stale (or nearly so)."""
        return abs(self.skew_s) + self.uncertainty_s <= self.window_s


def measure(*, sent_at: datetime, received_at: datetime, server_time: datetime, window_s: int) -> ClockCheck:
    """The kiosk's skew: its clock at mid-request minus the server's time then."""
    midpoint = sent_at + (received_at - sent_at) / 2
    return ClockCheck(skew_s=round((midpoint - server_time).total_seconds(), 3),
                      uncertainty_s=round((received_at - sent_at).total_seconds() / 2, 3),
                      window_s=window_s, checked_at=received_at)


class ClockWatch:
    """The latest ClockCheck (thread-safe); a skew beyond the window is logged as a warning."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latest: ClockCheck | None = None
        self.window_s = DEFAULT_WINDOW_S

    def update(self, check: ClockCheck) -> None:
        """Keep a new comparison."""
        with self._lock:
            self._latest = check
            self.window_s = check.window_s
        if not check.within_window:
            log.warning("kiosk clock differs from the server's by %.1f s (window %d s): signed requests will fail",
                        check.skew_s, check.window_s)

    def observe(self, *, sent_at: datetime, received_at: datetime, server_time: datetime,
                window_s: int | None = None) -> ClockCheck:
        """Measure and keep the skew from one answer that carried the server's time (the window stays as last
        told unless the answer says)."""
        check = measure(sent_at=sent_at, received_at=received_at, server_time=server_time,
                        window_s=window_s or self.window_s)
        self.update(check)
        return check

    @property
    def latest(self) -> ClockCheck | None:
        """The latest comparison, or None before the first."""
        with self._lock:
            return self._latest
