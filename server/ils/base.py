"""The patron-source seam: what the server asks about a library card, whoever answers it.

The server's own database answers by default; the library's ILS over SIP2 when configured
(settings.patron_source). Either way only lookups go through here: migrations, linkages, tickets and
the audit trail stay in the server's own database, and nothing is ever written to the ILS.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, Protocol

from sqlalchemy.orm import Session

from server.domain.expiry import Expiry


@dataclass(frozen=True)
class Standing:
    """A library card as its source sees it today."""

    card_number: str
    expiry: Expiry  # valid / renewable / expired, and the dates
    blocked: bool  # the library has stopped the card's use (suspended; charge privileges denied)


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


class StatusTracker:
    """Last success and last failure, shared by the request threads of one process."""

    def __init__(self, kind: Literal["database", "sip2"]) -> None:
        self.kind = kind
        self._lock = threading.Lock()
        self._last_ok: datetime | None = None
        self._last_error_at: datetime | None = None
        self._last_error: str | None = None
        self._failing = False

    def succeeded(self, at: datetime) -> None:
        with self._lock:
            self._last_ok, self._failing = at, False

    def failed(self, at: datetime, reason: str) -> None:
        with self._lock:
            self._last_error_at, self._last_error, self._failing = at, reason, True

    def snapshot(self) -> SourceStatus:
        with self._lock:
            if self._failing:
                state: Literal["ok", "unreachable", "unknown"] = "unreachable"
            else:
                state = "ok" if self._last_ok is not None else "unknown"
            return SourceStatus(kind=self.kind, state=state, last_success_at=self._last_ok,
                                last_error_at=self._last_error_at, last_error=self._last_error)
