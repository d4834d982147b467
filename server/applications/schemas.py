"""Bodies of the registration application routes. *Create: what a client sends; *Public: what it gets back.

The kiosk's answer (ApplicationReceipt) holds no personal data: the idempotency layer stores it for retries.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from server.api.schemas import StoredTime
from server.cards.schemas import CardResponse

# Printable text only: no control characters reach the database or the counter page.
_TEXT = r"^[^\x00-\x1f\x7f]+$"
# ISO 5218 as the 券面事項入力補助AP writes it: 1 male, 2 female, 9 not applicable.
Sex = Literal["1", "2", "9"]
State = Literal["waiting", "completed", "withdrawn", "expired"]


class ApplicationCreate(CardResponse):
    """A registration application: the card's signature over a fresh challenge (the card is present), what the
    card's 券面事項入力補助AP holds (never the 個人番号), and a phone number and/or an e-mail address.

    Phone and e-mail are checked by the service, so that each has its own error (invalid_phone,
    invalid_email, registration_contact_required when neither is given).
    """

    name: str = Field(min_length=1, max_length=200, pattern=_TEXT)
    # Only when the card holds it (a card generation with フリガナ); the kiosk does not ask for it.
    name_kana: str | None = Field(default=None, min_length=1, max_length=200, pattern=_TEXT)
    address: str = Field(min_length=1, max_length=400, pattern=_TEXT)
    birth_date: date
    sex: Sex
    phone: str | None = Field(default=None, min_length=1, max_length=32, pattern=_TEXT)
    email: str | None = Field(default=None, min_length=1, max_length=320, pattern=_TEXT)


class ApplicationReceipt(BaseModel):
    """The stored application's reference for the counter (printed on the patron's ticket)."""

    reference_code: str
    status: State
    created_at: datetime


class ApplicationPublic(BaseModel):
    """A waiting application as the counter sees it, to check against the card face to face."""

    reference_code: str
    kiosk_id: str
    created_at: StoredTime
    status: State
    name: str
    name_kana: str | None
    address: str
    birth_date: date
    sex: Sex
    phone: str | None
    email: str | None


class ApplicationComplete(BaseModel):
    """The counter's one confirmation; the new library card's number when staff enter it (recorded in the audit
    log, checked for its check digit)."""

    model_config = ConfigDict(extra="forbid")

    library_card_number: str | None = Field(default=None, max_length=32)


class ApplicationDonePublic(BaseModel):
    """What became of an application (completed or withdrawn): nothing personal is left of it."""

    reference_code: str
    status: State
    decided_at: StoredTime
    library_card_number: str | None = None


class AcceptedIdPublic(BaseModel):
    """One document: a stable key for the kiosk's catalogues, and the library's wording in Japanese and English."""

    id: str
    name_ja: str
    name_en: str


class AcceptedIdsPublic(BaseModel):
    """What to bring to the counter to register without a My Number card (config/server.toml registration_ids)."""

    ids: list[AcceptedIdPublic] = Field(description="Each shows the current address, name and birth date")
    address_proofs: list[AcceptedIdPublic] = Field(
        description="Brought as well when the ID does not show the current address")
    not_accepted: list[AcceptedIdPublic] = Field(description="Not accepted as proof (e.g. the 通知カード)")
