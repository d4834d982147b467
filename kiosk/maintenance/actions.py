"""What staff can do in maintenance mode; every action goes to the server's audit log with the staff id.

Safe restart: `request_restart()` writes `<data_dir>/restart-requested.json` and returns
RESTART_EXIT_CODE (75, EX_TEMPFAIL). The screen then stops the app; the entry point exits with that
code and the supervisor (systemd `Restart=on-failure`, or scripts/run_system) starts it again. On the
next start, `take_restart_request()` returns who asked and removes the flag, so it is logged once.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from kiosk.api.errors import ApiError, ServerError, ServerUnreachableError
from kiosk.maintenance.audit import AuditTrail
from kiosk.maintenance.service_mode import ServiceMode, ServiceState
from kiosk.maintenance.ticket_log import TicketLog
from kiosk.printer.base import TicketPrinter
from kiosk.printer.errors import PrinterError
from kiosk.printer.ticket_image import BilingualLine, SlipPrint, TicketRenderer
from kiosk.private_files import read_json, write_private
from kiosk.version import app_version

log = logging.getLogger(__name__)

RESTART_EXIT_CODE = 75
RESTART_FLAG = "restart-requested.json"
TEST_TITLE = BilingualLine("テスト印刷", "Test print")


class UnknownTicketError(LookupError):
    """No ticket with that number was printed here today."""


class MaintenanceActions:
    """Test print, reprint, service switch, restart; each one audited (ok or the error)."""

    def __init__(self, *, kiosk_id: str, printer: TicketPrinter, renderer: TicketRenderer, tickets: TicketLog,
                 service: ServiceMode, audit: AuditTrail, data_dir: Path,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC),
                 mark_reprinted: Callable[[str], object] | None = None) -> None:
        self.kiosk_id = kiosk_id
        # Tells the server a ticket (by its id) was printed again; in the app it queues the mark in the outbox.
        self.mark_reprinted = mark_reprinted
        self.printer = printer
        self.renderer = renderer
        self.tickets = tickets
        self.service = service
        self.audit = audit
        self.data_dir = data_dir
        self._now = now

    def test_print(self, staff_id: str) -> Path | None:
        """Print a bilingual test slip; returns the PNG for the file backend. Raises PrinterError."""
        slip = SlipPrint(
            title=TEST_TITLE,
            lines=[
                BilingualLine(f"端末 {self.kiosk_id}", f"Kiosk {self.kiosk_id}"),
                BilingualLine(f"バージョン {app_version()}", f"Version {app_version()}"),
                BilingualLine("日本語の確認: 佐賀県立図書館 あいうえお アイウエオ", "Latin check: 0123456789 ABC abc"),
                BilingualLine(f"職員 {staff_id}", f"Staff {staff_id}"),
            ],
            issued_at=self._now(),
            qr_url=f"test-print:{self.kiosk_id}",
            qr_caption=BilingualLine("QRコードの確認", "QR code check"),
        )
        return self._print(staff_id, "print.test", lambda: self.printer.print_image(
            self.renderer.render_slip(slip), label="test-print"))

    def reprint(self, staff_id: str, number: str) -> Path | None:
        """Print today's ticket `number` again from the local record. Raises UnknownTicketError, PrinterError."""
        ticket = self.tickets.find(number)
        if ticket is None:
            self.audit.record(staff_id, "ticket.reprint", "unknown_ticket", number=number)
            raise UnknownTicketError(number)
        path = self._print(staff_id, "ticket.reprint", lambda: self.printer.print_image(
            self.renderer.render_ticket(ticket.to_print()), label=ticket.number), number=number)
        if self.mark_reprinted is not None and ticket.ticket_id:
            try:
                self.mark_reprinted(ticket.ticket_id)
            except (sqlite3.Error, OSError, ApiError, ServerError, ServerUnreachableError) as error:
                # Bookkeeping: the reprint is in the staff member's hand either way.
                log.error("could not queue the reprint mark of ticket %s: %s", ticket.number, error)
        return path

    def set_in_service(self, staff_id: str, in_service: bool) -> ServiceState:
        """Switch between in service and out of service (persisted)."""
        state = self.service.set(in_service, staff_id=staff_id, now=self._now())
        self.audit.record(staff_id, "service.in" if in_service else "service.out")
        return state

    def viewed_diagnostics(self, staff_id: str) -> None:
        """Note that staff looked at the diagnostics (they include the config in effect)."""
        self.audit.record(staff_id, "diagnostics.view")

    def signed_out(self, staff_id: str, *, idle: bool) -> None:
        """Maintenance mode closed, by staff or after the idle minutes."""
        self.audit.record(staff_id, "signout", "idle" if idle else "ok")

    def request_restart(self, staff_id: str) -> int:
        """Ask for a restart: writes the flag and returns the exit code the entry point must exit with."""
        at = self._now()
        write_private(self.data_dir / RESTART_FLAG, json.dumps({"staff_id": staff_id, "at": at.isoformat()}))
        self.audit.record(staff_id, "app.restart")
        return RESTART_EXIT_CODE

    def _print(self, staff_id: str, action: str, job: Callable[[], Path | None], **detail: str) -> Path | None:
        try:
            path = job()
        except PrinterError as error:
            self.audit.record(staff_id, action, type(error).__name__, **detail, error=str(error)[:200])
            raise
        self.audit.record(staff_id, action, **detail)
        return path


def take_restart_request(data_dir: Path) -> dict[str, str] | None:
    """At start-up: who asked for the restart and when (and forget it), or None after a normal start."""
    path = data_dir / RESTART_FLAG
    document = read_json(path)
    path.unlink(missing_ok=True)
    return document if isinstance(document, dict) else None
