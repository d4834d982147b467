"""Renewal bodies: the kiosk's proof, compare and request; a request and its outcome as the counter sees them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from server.cards.schemas import CardResponse
from server.renewals import service as renewal

# Printable text only: no control characters reach the database or the counter page.
_TEXT = r"^[^\x00-\x1f\x7f]+$"
Same = Literal["same", "different"]


class RenewalCreate(BaseModel):
    """The library card number and three of the card's basic four facts (never the 個人番号, not the sex)."""

    model_config = ConfigDict(extra="forbid")

    card_number: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=200, pattern=_TEXT)
    address: str = Field(min_length=1, max_length=400, pattern=_TEXT)
    birth_date: date
    # The token of POST /v1/renewals/proofs for this card number (required: refused without it).
    proof: str | None = Field(default=None, max_length=128)

    def facts(self) -> renewal.CardFacts:
        return renewal.CardFacts(name=self.name, address=self.address, birth_date=self.birth_date)


class ProofCreate(CardResponse):
    """The card's signature over a challenge, and the library card number the proof is for."""

    card_number: str = Field(min_length=1, max_length=32)


class ProofPublic(BaseModel):
    """An opaque token for compares and one request, for this card number at this kiosk, until ``expires_in``."""

    card_number: str
    proof: str
    expires_in: int


class ComparisonPublic(BaseModel):
    """Field by field, the card against the record; nothing of the record itself."""

    card_number: str
    status: Literal["renewable", "expired"]
    name: Same
    birth_date: Same
    address: Same


class RenewalPublic(ComparisonPublic):
    """The stored request and its code for the counter."""

    reference_code: str


class RenewalRequestPublic(BaseModel):
    """A request as the counter sees it (staff may see the record)."""

    reference_code: str
    card_number: str
    patron_name: str
    status: str
    kiosk_id: str
    created_at: datetime
    address_changed: bool
    address_on_record: str | None
    new_address: str | None
    valid_until: date
    expiry_status: str


class RenewalDonePublic(BaseModel):
    """The outcome of the counter's confirmation (or cancellation)."""

    reference_code: str
    card_number: str
    status: str
    valid_until: date
    address_changed: bool
