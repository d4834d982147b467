"""The library's expiry rule (有効期限は登録・更新から3年後のお誕生日まで; 更新はお誕生日の1ヶ月前から)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.patrons.expiry import LIBRARY_RULE_JA, CardStatus, card_expiry


def expiry(born: str, registered: str, today: str = "2025-01-01"):  # type: ignore[no-untyped-def]
    return card_expiry(
        birth_date=date.fromisoformat(born), registered_on=date.fromisoformat(registered),
        today=date.fromisoformat(today),
    )


def test_rule_text_is_the_librarys_sentence() -> None:
    assert "3年後のお誕生日まで" in LIBRARY_RULE_JA and "1ヶ月前から" in LIBRARY_RULE_JA


@pytest.mark.parametrize(
    ("born", "registered", "valid_until", "renewable_from"),
    [
        # The two examples: the birthday in the calendar year three years on.
        ("1980-12-01", "2024-06-01", "2027-12-01", "2027-11-01"),
        ("1980-03-01", "2024-06-01", "2027-03-01", "2027-02-01"),
        # Registered on their birthday: exactly three years.
        ("1990-12-01", "2024-12-01", "2027-12-01", "2027-11-01"),
        # Registered the day after the birthday: still that calendar year + 3.
        ("1990-12-01", "2024-12-02", "2027-12-01", "2027-11-01"),
        # 29 February in a common year counts as 28 February (never outlive the birthday).
        ("2000-02-29", "2024-06-01", "2027-02-28", "2027-01-28"),
        # 29 February when the expiry year is a leap year stays 29 February.
        ("2000-02-29", "2025-06-01", "2028-02-29", "2028-01-29"),
        # Month ends: one month before a 31st is the last day of the shorter month.
        ("1970-03-31", "2024-04-01", "2027-03-31", "2027-02-28"),
        ("1970-03-31", "2025-04-01", "2028-03-31", "2028-02-29"),
        ("1970-05-31", "2024-04-01", "2027-05-31", "2027-04-30"),
        ("1970-12-31", "2024-04-01", "2027-12-31", "2027-11-30"),
        ("1970-03-30", "2024-04-01", "2027-03-30", "2027-02-28"),
        # January birthday: the window opens in December of the previous year.
        ("1970-01-15", "2024-04-01", "2027-01-15", "2026-12-15"),
    ],
)
def test_valid_until_and_renewable_from(born: str, registered: str, valid_until: str, renewable_from: str) -> None:
    result = expiry(born, registered)
    assert result.valid_until == date.fromisoformat(valid_until)
    assert result.renewable_from == date.fromisoformat(renewable_from)


@pytest.mark.parametrize(
    ("today", "status", "days_left"),
    [
        ("2027-10-31", CardStatus.VALID, 31),  # the day before the window opens
        ("2027-11-01", CardStatus.RENEWABLE, 30),  # the window opens
        ("2027-12-01", CardStatus.RENEWABLE, 0),  # the last valid day ("まで" includes it)
        ("2027-12-02", CardStatus.EXPIRED, -1),  # the day after
        ("2030-01-01", CardStatus.EXPIRED, -(date(2030, 1, 1) - date(2027, 12, 1)).days),
    ],
)
def test_status_on_each_side_of_the_dates(today: str, status: CardStatus, days_left: int) -> None:
    result = expiry("1980-12-01", "2024-06-01", today)
    assert result.status is status
    assert result.days_left == days_left


def test_renewal_on_the_last_valid_day_counts_from_that_year() -> None:
    before = expiry("1980-12-01", "2024-06-01", "2027-12-01")
    assert before.status is CardStatus.RENEWABLE
    after = expiry("1980-12-01", "2027-12-01", "2027-12-01")
    assert after.valid_until == date(2030, 12, 1)
    assert after.status is CardStatus.VALID


def test_renewal_early_in_the_window_keeps_the_next_birthday_three_years_on() -> None:
    after = expiry("1980-12-01", "2027-11-05", "2027-11-05")
    assert after.valid_until == date(2030, 12, 1)


def test_renewal_after_expiry_counts_from_the_renewal_year() -> None:
    assert expiry("1980-12-01", "2024-06-01", "2028-01-10").status is CardStatus.EXPIRED
    after = expiry("1980-12-01", "2028-01-10", "2028-01-10")
    assert after.valid_until == date(2031, 12, 1)
    assert after.status is CardStatus.VALID


@given(
    born=st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31)),
    registered=st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)),
)
def test_properties_for_any_dates(born: date, registered: date) -> None:
    result = card_expiry(birth_date=born, registered_on=registered, today=registered)
    assert result.valid_until.year == registered.year + 3
    if (born.month, born.day) != (2, 29):
        assert (result.valid_until.month, result.valid_until.day) == (born.month, born.day)
    else:
        assert result.valid_until.month == 2 and result.valid_until.day in (28, 29)
    # One month before: 28 to 31 days earlier, never after the expiry date.
    assert timedelta(days=28) <= result.valid_until - result.renewable_from <= timedelta(days=31)
    # Never expired on the day of registration.
    assert result.status is not CardStatus.EXPIRED
