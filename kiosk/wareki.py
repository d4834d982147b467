"""Dates in the Japanese calendar style the library uses on its notices (令和9年12月1日)."""

from __future__ import annotations

from datetime import date

# Era name and first day, newest first (only eras a living patron's card can fall in).
ERAS = (("令和", date(2019, 5, 1)), ("平成", date(1989, 1, 8)), ("昭和", date(1926, 12, 25)))


def to_wareki(day: date) -> str:
    """``day`` as 令和N年M月D日; the first year of an era is written 元年."""
    for name, start in ERAS:
        if day >= start:
            year = day.year - start.year + 1
            year_text = "元" if year == 1 else str(year)
            return f"{name}{year_text}年{day.month}月{day.day}日"
    raise ValueError(f"{day} is before the eras this kiosk knows")
