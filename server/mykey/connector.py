"""What the server needs from the MyKey platform (factory.py chooses the implementation)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol


@dataclass(frozen=True)
class Challenge:
    """A single-use challenge for the card's 利用者証明用 key."""

    challenge_id: str
    data: bytes
    expires_at: datetime


class MyKeyConnector(Protocol):
    """The MyKey platform as the server sees it. Errors are ApiError codes (challenge_*, bad_signature,
    mykey_unavailable)."""

    def issue_challenge(self) -> Challenge:
        """A fresh single-use challenge."""
        ...

    def verify_response(self, *, challenge_id: str, certificate_der: bytes, signature: bytes) -> None:
        """Consume the challenge and check the card's signature over it."""
        ...

    def obtain_mykey_id(self, *, certificate_der: bytes, birth_date: date | None) -> str:
        """The person's マイキーID (created on first use); registers the birth date with the link."""
        ...

    def lookup_mykey_id(self, *, certificate_der: bytes) -> str | None:
        """The person's マイキーID if the platform knows them, without creating one."""
        ...

