"""The check-up's answer."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from server.patrons.schemas import ExpiryPublic


class CheckupPublic(BaseModel):
    """A card check-up: the link scheme, the linked library card's expiry, and a reference for the counter."""

    link: Literal["old", "mykey", "none"]
    card: ExpiryPublic | None  # None when the My Number card is not linked
    migration_reference: str | None  # a switch held for staff confirmation at the counter
    reference: str
