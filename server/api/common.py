"""Small helpers shared by routes."""

from __future__ import annotations

import base64
import binascii
from datetime import date

from server.domain.cards import is_valid_card_number
from server.domain.expiry import LIBRARY_RULE_JA, Expiry
from server.errors import ApiError
from server.schemas import ExpiryPublic


def decode_base64(text: str, *, error_code: str) -> bytes:
    """Strict base64 (whitespace allowed), else ApiError(error_code)."""
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(error_code) from None


def expiry_public(*, card_number: str, expiry: Expiry, today: date) -> ExpiryPublic:
    """The API shape of an Expiry."""
    return ExpiryPublic(
        card_number=card_number,
        valid_until=expiry.valid_until,
        renewable_from=expiry.renewable_from,
        days_left=expiry.days_left,
        status=expiry.status.value,
        today=today,
        rule_ja=LIBRARY_RULE_JA,
    )


def month_only(public: ExpiryPublic) -> ExpiryPublic:
    """The same answer told to the month: the expiry day (the birthday) and the days left are left out."""
    return public.model_copy(update={"valid_until": public.valid_until.replace(day=1),
                                     "renewable_from": public.renewable_from.replace(day=1),
                                     "days_left": None, "precision": "month"})


def audit_card(number: str) -> str | None:
    """A card number fit for the audit column, or None for garbage input."""
    return number if is_valid_card_number(number) else None
