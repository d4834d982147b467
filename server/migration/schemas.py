"""Migration bodies: the kiosk's request and its outcome, and a held migration as staff see it."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from server.api.schemas import StoredTime
from server.cards.schemas import CardResponse


class MigrationCreate(CardResponse):
    """Switch a library card from the old scheme to the MyKey scheme."""

    card_number: str = Field(min_length=1, max_length=32)
    # From the 券面事項入力補助AP; passed to the MyKey platform, not stored by the library.
    birth_date: date | None = None


class MigrationPublic(BaseModel):
    """Outcome of a migration at the kiosk."""

    status: Literal["completed", "pending"]
    card_number: str
    reference_code: str | None = None


class MigrationRequestPublic(BaseModel):
    """A migration held for staff, or its decision."""

    reference_code: str
    card_number: str
    patron_name: str
    status: str
    kiosk_id: str
    created_at: StoredTime
    decided_at: StoredTime | None
    decided_by: str | None
