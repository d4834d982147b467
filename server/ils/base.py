"""What the patron-source adapters share: the port they implement (server/patrons/source.py,
where the domain that calls it owns it) and the connector's last success and failure."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Literal

from server.patrons.source import PatronSource, SourceStatus, Standing

__all__ = ["PatronSource", "SourceStatus", "Standing", "StatusTracker"]


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
