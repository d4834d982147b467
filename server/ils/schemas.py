"""The patron source's state as /health and the fleet page show it."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from server.ils.base import SourceStatus


class PatronSourcePublic(BaseModel):
    """Where card lookups go and how the last ones went in this server process."""

    kind: Literal["database", "sip2"]
    state: Literal["ok", "unreachable", "unknown"]
    last_success_at: datetime | None
    last_error_at: datetime | None
    last_error: str | None  # short: "timeout", "connection refused", "bad checksum", ...

    @classmethod
    def of(cls, status: SourceStatus) -> PatronSourcePublic:
        return cls(kind=status.kind, state=status.state, last_success_at=status.last_success_at,
                   last_error_at=status.last_error_at, last_error=status.last_error)
