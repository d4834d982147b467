"""The patron-source port: what the server's card lookups ask about a library card, whoever answers it.

The server's own database answers by default; the library's ILS over SIP2 when configured
(settings.patron_source; the adapters are in server/ils/). Only lookups go through here: migrations,
linkages, tickets and the audit trail stay in the server's own database, and nothing is written to the ILS.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, Protocol

from sqlalchemy.orm import Session

from server.patrons.expiry import Expiry


@dataclass(frozen=True)
class Standing:
    """A library card as its source sees it today."""

    card_number: str
    expiry: Expiry  # valid / renewable / expired, and the dates
    blocked: bool  # the library has stopped the card's use (suspended; charge privileges denied)
    # The expiry day is the patron's birthday (the library's rule): a typed number is then told the month only.
    day_is_birthday: bool = True


@dataclass(frozen=True)
class SourceStatus:
    """The connector's state for the status and fleet pages (reason texts are short, never a host or secret)."""

    kind: Literal["database", "sip2"]
    state: Literal["ok", "unreachable", "unknown"]  # unknown: not asked yet since the process started
    last_success_at: datetime | None = None
    last_error_at: datetime | None = None
    last_error: str | None = None


class PatronSource(Protocol):
    """Answers card lookups; raises ApiError (unknown_patron, patron_inactive, ils_unreachable, ...)."""

    kind: Literal["database", "sip2"]

    def standing(self, *, session: Session, card_number: str, today: date) -> Standing:
        """The card's expiry and block as of `today` (malformed_card_number / unknown_patron otherwise)."""
        ...

    def status(self) -> SourceStatus:
        """The connector's last success and last failure in this process."""
        ...

    def close(self) -> None:
        """Let go of connections."""
        ...
