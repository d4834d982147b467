"""Library card numbers on the server. The rule itself (10 digits, Luhn check digit) lives once,
in protocol.cardnumber, shared with the kiosk; this module only turns a bad number into the
API's error."""

from __future__ import annotations

from protocol import cardnumber
from server.errors import ApiError

CARD_NUMBER_LENGTH = cardnumber.LENGTH
check_digit = cardnumber.check_digit
is_valid_card_number = cardnumber.is_valid
make_card_number = cardnumber.make


def parse_card_number(number: str) -> str:
    """The card number if valid, else ApiError("malformed_card_number")."""
    if not cardnumber.is_valid(number):
        raise ApiError("malformed_card_number")
    return number


def audit_card(number: str) -> str | None:
    """A card number fit for the audit column, or None for garbage input."""
    return number if is_valid_card_number(number) else None
