"""The default patron source: the server's own patrons table (filled by the ILS's CSV imports)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from sqlalchemy.orm import Session

from server.ils.base import SourceStatus, Standing
from server.patrons.service import get_patron, patron_expiry


class DatabasePatronSource:
    """Card lookups in the server's own database: today's behaviour."""

    kind: Literal["database", "sip2"] = "database"

    def standing(self, *, session: Session, card_number: str, today: date) -> Standing:
        patron = get_patron(session=session, card_number=card_number)
        return Standing(card_number=patron.card_number, expiry=patron_expiry(patron=patron, today=today),
                        blocked=patron.status != "active")

    def status(self) -> SourceStatus:
        return SourceStatus(kind="database", state="ok")  # its reachability is /health's "database"

    def close(self) -> None:
        pass
