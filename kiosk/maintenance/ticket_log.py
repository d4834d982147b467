"""The tickets this kiosk printed today (id, number, service, time, status URL; no personal data), for reprints.

The ticket flow calls `TicketLog.add(...)` after each print; maintenance mode lists `today()` and
reprints from it. Entries from earlier days (Asia/Tokyo) are dropped on the next write.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from kiosk.clock import LIBRARY_TZ
from kiosk.printer.ticket_image import TicketPrint
from kiosk.private_files import read_json, write_private

FILE_NAME = "tickets-today.json"


@dataclass(frozen=True)
class PrintedTicket:
    """What a reprint needs, and nothing about the patron."""

    number: str
    service: str
    service_ja: str
    service_en: str
    issued_at: datetime
    status_url: str
    people_ahead: int = 0
    wait_minutes: int | None = None
    # The server's id, so a reprint is counted on the server too; empty in entries written before it was kept.
    ticket_id: str = ""

    def to_print(self) -> TicketPrint:
        """The ticket as the renderer draws it (the waiting figures are those printed the first time)."""
        return TicketPrint(number=self.number, service_ja=self.service_ja, service_en=self.service_en,
                           issued_at=self.issued_at, people_ahead=self.people_ahead,
                           wait_minutes=self.wait_minutes, status_url=self.status_url)


class TicketLog:
    """A small JSON file of today's printed tickets, newest last, at most `keep` of them."""

    def __init__(self, data_dir: Path, *, keep: int = 50,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.path = data_dir / FILE_NAME
        self.keep = keep
        self._now = now

    def add(self, ticket: PrintedTicket) -> None:
        """Remember a printed ticket."""
        entries = [*self.today(), ticket][-self.keep:]
        rows = [{**asdict(t), "issued_at": t.issued_at.isoformat()} for t in entries]
        write_private(self.path, json.dumps(rows, ensure_ascii=False))

    def today(self) -> list[PrintedTicket]:
        """Tickets printed today (library's date), oldest first."""
        today = self._now().astimezone(LIBRARY_TZ).date()
        out = []
        rows = read_json(self.path)
        for row in rows if isinstance(rows, list) else []:
            try:
                ticket = PrintedTicket(**{**row, "issued_at": datetime.fromisoformat(row["issued_at"])})
            except (TypeError, KeyError, ValueError):
                continue
            if ticket.issued_at.astimezone(LIBRARY_TZ).date() == today:
                out.append(ticket)
        return out

    def find(self, number: str) -> PrintedTicket | None:
        """Today's ticket with this number (the latest if printed twice)."""
        matches = [t for t in self.today() if t.number == number]
        return matches[-1] if matches else None
