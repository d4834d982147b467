"""Dates as patrons read them: 和暦 with the ISO date in Japanese, day month year in English."""

from __future__ import annotations

from datetime import date

from kiosk.wareki import to_wareki


def long_date(day: date, language: str) -> str:
    """``day`` for a patron reading ``language``."""
    if language == "ja":
        return f"{to_wareki(day)}（{day.isoformat()}）"
    return f"{day.day} {day.strftime('%B %Y')} ({day.isoformat()})"
