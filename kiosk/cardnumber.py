"""Reading a library card number from a barcode scan or the on-screen number pad.

A keyboard-wedge scanner "types" the barcode and then Enter. Library barcodes are usually NW-7
(Codabar), with start and stop letters around the digits, so what counts as a card barcode is a
pattern from config (``barcode.pattern``) whose first group is the number. The number itself is
checked with the shared rule (10 digits, Luhn check digit) before anything is sent to the server.
"""

from __future__ import annotations

import re
from enum import StrEnum

from protocol import cardnumber

#: A scan longer than this is garbage (a scanner set to the wrong symbology, a stuck key).
MAX_SCAN_LENGTH = 64


class Problem(StrEnum):
    """Why an input is not a library card number; each has its own message for the patron."""

    EMPTY = "empty"
    NOT_A_LIBRARY_BARCODE = "not_a_library_barcode"
    WRONG_LENGTH = "wrong_length"
    CHECK_DIGIT = "check_digit"


class CardNumberError(ValueError):
    """The input is not a valid library card number."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def from_keypad(digits: str) -> str:
    """Validate digits typed on the on-screen pad."""
    if not digits:
        raise CardNumberError(Problem.EMPTY)
    if len(digits) != cardnumber.LENGTH or not digits.isascii() or not digits.isdigit():
        raise CardNumberError(Problem.WRONG_LENGTH)
    if not cardnumber.is_valid(digits):
        raise CardNumberError(Problem.CHECK_DIGIT)
    return digits


def from_scan(text: str, pattern: str | re.Pattern[str]) -> str:
    """Validate what a barcode scanner typed (without its Enter)."""
    text = text.strip()
    if not text:
        raise CardNumberError(Problem.EMPTY)
    if len(text) > MAX_SCAN_LENGTH:
        raise CardNumberError(Problem.NOT_A_LIBRARY_BARCODE)
    # ASCII: \d must not match full-width or other scripts' digits.
    compiled = re.compile(pattern, re.ASCII) if isinstance(pattern, str) else pattern
    match = compiled.fullmatch(text)
    if match is None:
        raise CardNumberError(Problem.NOT_A_LIBRARY_BARCODE)
    return from_keypad(match.group(1))


class ScanBuffer:
    """Collects the characters a wedge scanner types until Enter; bounded so garbage cannot grow it."""

    def __init__(self) -> None:
        self._chars: list[str] = []

    def feed(self, char: str) -> None:
        """One typed character; control characters are ignored, and past the limit nothing is kept.

        One character beyond MAX_SCAN_LENGTH is kept so that ``from_scan`` reports the scan as garbage.
        """
        if char.isprintable() and len(self._chars) <= MAX_SCAN_LENGTH:
            self._chars.append(char)

    def take(self) -> str:
        """What was typed since the last Enter, and start afresh."""
        text = "".join(self._chars)
        self._chars.clear()
        return text
