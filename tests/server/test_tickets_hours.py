"""Opening hours with the date and time injected: weekdays, weekends, Mondays, public holidays
(jpholiday), the year-end closure, and the counter_closed error the kiosk gets with opens_at."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from server.clock import FixedClock
from server.config import load_settings
from server.db import transaction
from server.errors import ApiError
from server.state import AppState
from server.tickets import service
from server.tickets.catalog import Catalog
from server.tickets.hours import OpeningHours

TOKYO = ZoneInfo("Asia/Tokyo")
HOURS = OpeningHours.from_settings(load_settings())  # config/server.toml: 9-20, weekends 9-18, Mondays closed


def at(y: int, m: int, d: int, hh: int, mm: int = 0) -> tuple[datetime, date]:
    """(now, today) for a Tokyo wall-clock time, the instant given in UTC as the clock gives it."""
    local = datetime(y, m, d, hh, mm, tzinfo=TOKYO)
    return local.astimezone(UTC), local.date()


@pytest.mark.parametrize(
    ("when", "is_open", "change"),
    [
        # Tuesday 17 Nov 2026: weekday hours 9:00-20:00.
        (at(2026, 11, 17, 8, 59), False, datetime(2026, 11, 17, 9, 0, tzinfo=TOKYO)),
        (at(2026, 11, 17, 9, 0), True, datetime(2026, 11, 17, 20, 0, tzinfo=TOKYO)),
        (at(2026, 11, 17, 20, 0), False, datetime(2026, 11, 18, 9, 0, tzinfo=TOKYO)),
        # Saturday 21 Nov: weekend hours 9:00-18:00; Sunday opens at 9:00.
        (at(2026, 11, 21, 18, 30), False, datetime(2026, 11, 22, 9, 0, tzinfo=TOKYO)),
        # Sunday evening: Monday 23 Nov is closed (a Monday, and 勤労感謝の日 does not open it).
        (at(2026, 11, 22, 19, 0), False, datetime(2026, 11, 24, 9, 0, tzinfo=TOKYO)),
        (at(2026, 11, 23, 11, 0), False, datetime(2026, 11, 24, 9, 0, tzinfo=TOKYO)),
        # Tuesday 3 Nov 2026, 文化の日: a public holiday keeps weekend hours, closing at 18:00.
        (at(2026, 11, 3, 17, 59), True, datetime(2026, 11, 3, 18, 0, tzinfo=TOKYO)),
        (at(2026, 11, 3, 18, 30), False, datetime(2026, 11, 4, 9, 0, tzinfo=TOKYO)),
        # Year-end closure 29 Dec - 3 Jan; 4 Jan 2027 is a Monday, so it opens on Tuesday 5 Jan.
        (at(2026, 12, 28, 21, 0), False, datetime(2027, 1, 5, 9, 0, tzinfo=TOKYO)),
    ],
)
def test_opening_state(when: tuple[datetime, date], is_open: bool, change: datetime) -> None:
    now, today = when
    opening = HOURS.state(now=now, today=today)
    assert opening.open is is_open
    assert (opening.closes_at if is_open else opening.opens_at) == change


def test_holidays_can_be_closed_and_closed_days_configured() -> None:
    settings = load_settings(open_on_public_holidays=False, closed_weekdays=["monday", "tuesday"],
                             closed_dates=["2026-11-26"])
    hours = OpeningHours.from_settings(settings)
    now, today = at(2026, 11, 3, 10)  # 文化の日 (Tuesday)
    assert hours.state(now=now, today=today).opens_at == datetime(2026, 11, 4, 9, 0, tzinfo=TOKYO)
    now, today = at(2026, 11, 25, 20, 30)  # Wednesday evening: Thursday 26th closed once
    assert hours.state(now=now, today=today).opens_at == datetime(2026, 11, 27, 9, 0, tzinfo=TOKYO)


def test_the_day_comes_from_the_clock_not_the_host() -> None:
    # 23:30 UTC on a Monday is 8:30 on Tuesday in Tokyo: closed until 9:00 on Tuesday, not "Monday".
    now = datetime(2026, 11, 16, 23, 30, tzinfo=UTC)
    clock = FixedClock(now)
    opening = HOURS.state(now=clock.now(), today=clock.today())
    assert (opening.open, opening.opens_at) == (False, datetime(2026, 11, 17, 9, 0, tzinfo=TOKYO))


def test_issuing_outside_hours_is_counter_closed_with_opens_at(state: AppState) -> None:
    now, today = at(2026, 11, 23, 10)  # Monday
    with pytest.raises(ApiError) as info, transaction(state.sessions) as session:
        service.issue_ticket(session=session, catalog=Catalog.from_settings(state.settings), hours=HOURS,
                             service_id="mynumber", kiosk_id="kiosk-demo-01", now=now, today=today)
    error = info.value
    assert (error.code, error.status) == ("counter_closed", 503)
    body = error.body()["error"]
    assert body["details"] == {"opens_at": "2026-11-24T09:00:00+09:00"}
    assert body["message_ja"] and body["message_en"]
