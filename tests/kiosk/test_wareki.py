"""Dates in the Japanese calendar style."""

from __future__ import annotations

from datetime import date

import pytest

from kiosk.wareki import to_wareki


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (date(2027, 12, 1), "令和9年12月1日"),
        (date(2019, 5, 1), "令和元年5月1日"),
        (date(2019, 4, 30), "平成31年4月30日"),
        (date(1989, 1, 8), "平成元年1月8日"),
        (date(1989, 1, 7), "昭和64年1月7日"),
    ],
)
def test_era_boundaries(day: date, text: str) -> None:
    assert to_wareki(day) == text
