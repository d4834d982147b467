"""The calendar decides what the kiosk is told, through the real server and kiosk client with the
library's date injected (SERVER_TODAY): 年末年始, a public holiday on a closed Monday, and a
国民の休日 that jpholiday knows without a hand-written list."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import jpholiday
import pytest

from kiosk.api import ApiError, KioskApiClient
from server.config import load_settings
from server.tickets.hours import OpeningHours
from tests.support.server_proc import start_server

TOKYO = ZoneInfo("Asia/Tokyo")


@pytest.mark.parametrize(("today", "opens_at"), [
    (date(2026, 12, 30), datetime(2027, 1, 5, 9, 0, tzinfo=TOKYO)),   # 年末年始; 4 Jan 2027 is a Monday
    (date(2027, 1, 11), datetime(2027, 1, 12, 9, 0, tzinfo=TOKYO)),   # 成人の日 on a Monday: stays closed
])
def test_kiosk_is_told_the_counter_is_closed_and_when_it_opens(today: date, opens_at: datetime,
                                                               sqlite_dir: Path) -> None:
    server = start_server(database_url=f"sqlite:///{sqlite_dir / ('cal_' + uuid.uuid4().hex[:8] + '.db')}",
                          settings={"SERVER_TODAY": today.isoformat()})
    try:
        client = KioskApiClient(server.base_url, server.kiosk_id, server.kiosk_secret)
        services = client.ticket_services()
        assert services.open is False and services.opens_at == opens_at
        assert all(not s.open for s in services.services)
        with pytest.raises(ApiError) as closed:
            client.issue_ticket("mynumber", idempotency_key=uuid.uuid4().hex)
        assert closed.value.code == "counter_closed" and closed.value.opens_at == opens_at
        assert closed.value.message_ja and closed.value.message_en
    finally:
        server.stop()


def test_a_kokumin_no_kyujitsu_opens_with_weekend_hours() -> None:
    # Tuesday 22 Sep 2026 lies between 敬老の日 and 秋分の日: a 国民の休日 by rule, not by any list of ours.
    day = date(2026, 9, 22)
    assert jpholiday.is_holiday(day)
    hours = OpeningHours.from_settings(load_settings())
    at = datetime(2026, 9, 22, 17, 30, tzinfo=TOKYO).astimezone(UTC)
    opening = hours.state(now=at, today=day)
    assert opening.open and opening.closes_at == datetime(2026, 9, 22, 18, 0, tzinfo=TOKYO)
    # The day before, 敬老の日, is a Monday: closed; the next opening is the holiday's 9:00.
    opening = hours.state(now=datetime(2026, 9, 21, 12, 0, tzinfo=TOKYO).astimezone(UTC), today=date(2026, 9, 21))
    assert not opening.open and opening.opens_at == datetime(2026, 9, 22, 9, 0, tzinfo=TOKYO)
