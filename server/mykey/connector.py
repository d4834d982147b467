"""What the server needs from the MyKey platform, and the factory choosing an implementation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
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


def simulator_database_url(settings: Settings) -> str:
    """The simulator's own store: its setting, else a sibling SQLite file, else the main PostgreSQL database.

    A separate SQLite file because the platform is called inside the server's write
    transaction, and SQLite allows one writer per file.
    """
    if settings.mykey_database_url:
        return settings.mykey_database_url
    url = settings.database_url
    if url.startswith("sqlite:///") and url.endswith(".db"):
        return url[: -len(".db")] + "-mykeysim.db"
    return url


def make_connector(*, settings: Settings, clock: Clock) -> MyKeyConnector:
    """The connector chosen by settings.mykey_connector."""
    from server.db import make_engine
    from server.mykey.simulator import MyKeySimulator

    engine = make_engine(simulator_database_url(settings))

    return MyKeySimulator(engine=engine, clock=clock, challenge_ttl_seconds=settings.challenge_ttl_seconds)
