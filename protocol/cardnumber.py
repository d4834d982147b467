"""Library card numbers, as kiosk and server must both read them: 10 digits, the last a Luhn check digit.

The library publishes no check-digit scheme; Luhn (mod 10) is our choice: it catches every single-digit
typo and most swaps of neighbouring digits, so a patron's typo is caught on the kiosk before any request.
"""

from __future__ import annotations

import re

LENGTH = 10
_DIGITS = re.compile(r"^[0-9]{10}$")


def check_digit(payload: str) -> str:
    """Luhn check digit for the first nine digits."""
    total = 0
    # Double every second digit, starting from the rightmost digit of the payload.
    for position, char in enumerate(reversed(payload)):
        digit = int(char)
        if position % 2 == 0:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return str((10 - total % 10) % 10)


def is_valid(number: str) -> bool:
    """True when ``number`` is 10 ASCII digits with a correct check digit."""
    return bool(_DIGITS.match(number)) and check_digit(number[:-1]) == number[-1]


def make(payload: int | str) -> str:
    """A full card number from nine payload digits (admin tools, seeds, tests)."""
    text = f"{int(payload):09d}"
    if len(text) != LENGTH - 1:
        raise ValueError("a card number payload has nine digits")
    return text + check_digit(text)
