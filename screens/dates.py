"""Dates as patrons read them: 和暦 with the ISO date in Japanese, day month year in English, the Western
year in やさしい日本語 (its guideline avoids era names), Chinese and Korean."""

from __future__ import annotations

from datetime import date, datetime

from kiosk.wareki import to_wareki


def short_date(day: date, language: str) -> str:
    """``day`` in the words of ``language``, without the ISO date."""
    if language == "ja":
        return to_wareki(day)
    if language in ("ja-easy", "zh"):
        return f"{day.year}年{day.month}月{day.day}日"
    if language == "ko":
        return f"{day.year}년 {day.month}월 {day.day}일"
    return f"{day.day} {day.strftime('%B %Y')}"


def long_date(day: date, language: str) -> str:
    """``day`` for a patron reading ``language``: the ISO date beside 和暦 or English month names."""
    if language == "ja":
        return f"{to_wareki(day)}（{day.isoformat()}）"
    if language in ("ja-easy", "zh", "ko"):
        return short_date(day, language)  # numbers already: the ISO date would only repeat them
    return f"{short_date(day, language)} ({day.isoformat()})"


def year_month(day: date, language: str) -> str:
    """The year and month of ``day`` only (an expiry told to the month: its day would be a birthday)."""
    if language == "ja":
        wareki = to_wareki(day)
        return f"{wareki[:wareki.rindex('月') + 1]}（{day.strftime('%Y-%m')}）"
    if language in ("ja-easy", "zh"):
        return f"{day.year}年{day.month}月"
    if language == "ko":
        return f"{day.year}년 {day.month}월"
    return day.strftime("%B %Y")


def day_and_time(moment: datetime, language: str) -> str:
    """A day of this year and a time of day, e.g. when the counter opens again."""
    hm = moment.strftime("%H:%M")
    if language == "ja":
        return moment.strftime("%m月%d日 ") + hm
    if language in ("ja-easy", "zh"):
        return f"{moment.month}月{moment.day}日 {hm}"
    if language == "ko":
        return f"{moment.month}월 {moment.day}일 {hm}"
    return moment.strftime("%d %b ") + hm
