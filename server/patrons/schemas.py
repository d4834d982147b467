"""Patron bodies: a card's expiry, a patron and their linkages as staff see them."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

from server.api.schemas import StoredTime
from server.patrons.expiry import LIBRARY_RULE_JA, Expiry


# Properties to return for a card's expiry; the rule text is included so screens can quote it.
class ExpiryPublic(BaseModel):
    """A card's expiry as seen on the library's today (Asia/Tokyo)."""

    card_number: str
    valid_until: date
    renewable_from: date
    days_left: int | None
    status: Literal["valid", "renewable", "expired"]
    today: date
    rule_ja: str
    # "month" (a typed card number, typed_number_expiry_precision): valid_until and renewable_from are the
    # first day of their month and days_left is null, since the expiry day is the patron's birthday.
    precision: Literal["day", "month"] = "day"


class LinkagePublic(BaseModel):
    """One linkage row (active or history)."""

    model_config = ConfigDict(from_attributes=True)

    scheme: str
    cert_serial: str | None
    cert_issuer: str | None
    mykey_id: str | None
    active: bool
    created_at: StoredTime
    ended_at: StoredTime | None
    ended_reason: str | None


class PatronPublic(BaseModel):
    """A patron as staff see it."""

    card_number: str
    name: str
    birth_date: date
    registered_on: date
    status: str
    expiry: ExpiryPublic
    linkages: list[LinkagePublic]
    address: str | None = None  # the address on record (a kiosk renewal request may have updated it)


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
