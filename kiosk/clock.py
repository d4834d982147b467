"""The library's clock: its days are Asia/Tokyo days, whatever the kiosk's own zone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

LIBRARY_TZ = ZoneInfo("Asia/Tokyo")


def library_today() -> date:
    """Today at the library."""
    return datetime.now(LIBRARY_TZ).date()
