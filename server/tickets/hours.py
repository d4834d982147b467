"""Opening hours of the counter, on the library's wall clock (Asia/Tokyo) whatever the server's zone.

A day is closed when its weekday is in `closed_weekdays` (even if it is a public holiday), when
it is in `closed_dates` ("MM-DD" every year, "YYYY-MM-DD" once), or when it is a public holiday
(jpholiday) and `open_on_public_holidays` is false. Saturdays, Sundays and public holidays use
the weekend hours, other days the weekday hours. "24:00" closes at midnight.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import jpholiday

from server.clock import LIBRARY_TZ
from server.config import Settings

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# How far ahead to look for the next opening (the year-end closure is six days).
_LOOKAHEAD_DAYS = 31


def _minutes(text: str) -> int:
    """Minutes after midnight of "HH:MM" (00:00 to 24:00)."""
    hours, _, minutes = text.partition(":")
    value = int(hours) * 60 + int(minutes or 0)
    if not 0 <= value <= 24 * 60:
        raise ValueError(f"not a time of day: {text!r}")
    return value


@dataclass(frozen=True)
class OpeningState:
    """Whether the counter is open at one instant, and the next change."""

    open: bool
    opens_at: datetime | None  # next opening (Asia/Tokyo), when closed
    closes_at: datetime | None  # today's closing (Asia/Tokyo), when open


@dataclass(frozen=True)
class OpeningHours:
    """The configured hours and closed days."""

    weekday: tuple[int, int]
    weekend: tuple[int, int]
    closed_weekdays: frozenset[int]
    closed_dates: frozenset[str]
    open_on_public_holidays: bool

    @classmethod
    def from_settings(cls, settings: Settings) -> OpeningHours:
        """Parse the hours settings (a bad time raises ValueError naming it)."""
        return cls(
            weekday=(_minutes(settings.counter_hours_weekday[0]), _minutes(settings.counter_hours_weekday[1])),
            weekend=(_minutes(settings.counter_hours_weekend[0]), _minutes(settings.counter_hours_weekend[1])),
            closed_weekdays=frozenset(WEEKDAYS.index(name) for name in settings.closed_weekdays),
            closed_dates=frozenset(settings.closed_dates),
            open_on_public_holidays=settings.open_on_public_holidays,
        )

    def hours_on(self, day: date) -> tuple[int, int] | None:
        """(opens, closes) in minutes after midnight on `day`, or None when closed all day."""
        holiday = jpholiday.is_holiday(day)
        if day.weekday() in self.closed_weekdays:
            return None
        if day.strftime("%m-%d") in self.closed_dates or day.isoformat() in self.closed_dates:
            return None
        if holiday and not self.open_on_public_holidays:
            return None
        opens, closes = self.weekend if holiday or day.weekday() >= 5 else self.weekday
        return (opens, closes) if opens < closes else None

    def state(self, *, now: datetime, today: date) -> OpeningState:
        """Open or closed at `now`; `today` is the library's date (the clock's, so tests can pin it)."""
        local = now.astimezone(LIBRARY_TZ)
        minute = local.hour * 60 + local.minute + local.second / 60
        hours = self.hours_on(today)
        if hours is not None and hours[0] <= minute < hours[1]:
            return OpeningState(open=True, opens_at=None, closes_at=_at(today, hours[1]))
        for offset in range(_LOOKAHEAD_DAYS + 1):
            day = today + timedelta(days=offset)
            hours = self.hours_on(day)
            if hours is not None and (offset > 0 or minute < hours[0]):
                return OpeningState(open=False, opens_at=_at(day, hours[0]), closes_at=None)
        return OpeningState(open=False, opens_at=None, closes_at=None)


def _at(day: date, minutes: int) -> datetime:
    """The instant `minutes` after midnight of `day`, Asia/Tokyo."""
    return datetime(day.year, day.month, day.day, tzinfo=LIBRARY_TZ) + timedelta(minutes=minutes)
