"""When a library card expires and when it can be renewed: the library's rule, in one place.

Decisions where the library's sentence is silent (documented here and in the tests):
- "3年後のお誕生日" is the birthday in the calendar year (registration or renewal year + 3),
  even when that birthday falls less than three full years after registration (someone
  registered on 2024-06-01 and born on 1 March is valid until 2027-03-01), and a patron
  registered on their birthday is valid until the same date three years later.
- The card is valid through that birthday itself ("まで" includes the day).
- A 29 February birthday in a non-leap expiry year counts as 28 February: the card must
  never outlive the birthday the rule names.
- "1ヶ月前" is the same day of the previous month; when that month has no such day it is
  the last day of that month (as 民法第143条 counts months): valid until 03-31 → renewable
  from 02-28 (02-29 in a leap year); valid until 2028-02-29 → renewable from 2028-01-29.
- Renewal is possible from that date on, including after expiry; the new period counts
  from the renewal date, so renewing on the last valid day or after expiry both give
  the birthday three calendar years after the renewal year.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

# The library's own words (佐賀県立図書館「利用者カードの登録・更新について」).
LIBRARY_RULE_JA = (
    "有効期限は登録・更新から3年後のお誕生日までです。"
    "有効期限の更新は、お誕生日の1ヶ月前から受け付けています。"
)
VALIDITY_YEARS = 3
RENEWAL_MONTHS_BEFORE = 1


class CardStatus(StrEnum):
    """Where a card stands on a given day."""

    VALID = "valid"
    RENEWABLE = "renewable"
    EXPIRED = "expired"


@dataclass(frozen=True)
class Expiry:
    """A card's expiry as seen on one day."""

    valid_until: date
    renewable_from: date
    status: CardStatus
    days_left: int  # 0 on the last valid day, negative once expired


def _birthday_in(year: int, birth_date: date) -> date:
    """The birthday in a given year; 29 February becomes 28 February in common years."""
    if birth_date.month == 2 and birth_date.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return birth_date.replace(year=year)


def _months_before(day: date, months: int) -> date:
    """Same day `months` earlier, clamped to that month's last day."""
    month_index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(month_index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def card_expiry(*, birth_date: date, registered_on: date, today: date) -> Expiry:
    """Expiry of a card registered or last renewed on `registered_on`, as seen on `today`.

    有効期限は登録・更新から3年後のお誕生日まで; 更新はお誕生日の1ヶ月前から.
    """
    return expiry_on(valid_until=_birthday_in(registered_on.year + VALIDITY_YEARS, birth_date), today=today)


def expiry_on(*, valid_until: date, today: date) -> Expiry:
    """A card valid through `valid_until` (as the ILS tells it), seen on `today`: renewal opens a month before."""
    renewable_from = _months_before(valid_until, RENEWAL_MONTHS_BEFORE)
    if today > valid_until:
        status = CardStatus.EXPIRED
    elif today >= renewable_from:
        status = CardStatus.RENEWABLE
    else:
        status = CardStatus.VALID
    return Expiry(
        valid_until=valid_until,
        renewable_from=renewable_from,
        status=status,
        days_left=(valid_until - today).days,
    )
