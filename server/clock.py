"""Time sources. The library's "today" is the date in Asia/Tokyo, never the host's local date."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

LIBRARY_TZ = ZoneInfo("Asia/Tokyo")


class Clock:
    """The real clock, optionally with the library's date pinned (tests and demos)."""

    def __init__(self, *, pinned_today: date | None = None) -> None:
        self.pinned_today = pinned_today

    def now(self) -> datetime:
        """Current instant, timezone-aware UTC (auth windows, challenges, certificate validity)."""
        return datetime.now(UTC)

    def today(self) -> date:
        """The library's date: today in Asia/Tokyo unless pinned."""
        if self.pinned_today is not None:
            return self.pinned_today
        return self.now().astimezone(LIBRARY_TZ).date()


class FixedClock(Clock):
    """A clock set by hand (tests); `advance()` moves it."""

    def __init__(self, now: datetime, *, pinned_today: date | None = None) -> None:
        super().__init__(pinned_today=pinned_today)
        self._now = now

    def now(self) -> datetime:
        """The set instant."""
        return self._now

    def advance(self, seconds: float) -> None:
        """Move the clock forward."""
        self._now += timedelta(seconds=seconds)
