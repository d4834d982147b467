"""What the server needs from the MyKey platform, and the factory choosing an implementation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from server.clock import Clock
    from server.config import Settings


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


def make_connector(*, settings: Settings, main_engine: Engine, clock: Clock) -> MyKeyConnector:
    """The connector chosen by settings.mykey_connector."""
    from server.db import make_engine
    from server.mykey.simulator import MyKeySimulator

    engine = make_engine(settings.mykey_database_url) if settings.mykey_database_url else main_engine
    return MyKeySimulator(engine=engine, clock=clock, challenge_ttl_seconds=settings.challenge_ttl_seconds)
