"""Queue tickets: ask the server for a number, print it; a printer fault never takes the ticket away."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import asdict
from typing import TYPE_CHECKING

from kiosk import i18n
from kiosk.api.client import KioskApiClient
from kiosk.api.errors import ApiError, ServerError, ServerUnreachableError
from kiosk.api.wire import IssuedTicket
from kiosk.flows import ticket
from kiosk.print_marks import put_ticket_printed
from kiosk.printer import (
    BilingualLine,
    CoverOpenError,
    PaperOutError,
    PrinterError,
    PrinterOfflineError,
    TicketPrint,
    TicketPrinter,
    TicketRenderer,
)

if TYPE_CHECKING:
    from kiosk.outbox import Outbox

log = logging.getLogger(__name__)


class TicketWork:
    """Answers IssueTicket and PrintTicket."""

    def __init__(self, api: KioskApiClient, printer: TicketPrinter, renderer: TicketRenderer,
                 on_printed: Callable[[ticket.TicketView], None] | None = None, outbox: Outbox | None = None
                 ) -> None:
        self.api = api
        self.printer = printer
        self.renderer = renderer
        # Maintenance mode keeps today's printed tickets for reprints (kiosk/maintenance/ticket_log.py).
        self.on_printed = on_printed
        # Where the printed mark goes (kiosk/outbox): delivered later if the server is down now.
        self.outbox = outbox

    def issue(self, effect: ticket.IssueTicket) -> object:
        """A numbered ticket from the server (the same one again for the same idempotency key)."""
        try:
            issued = self.api.issue_ticket(effect.service, idempotency_key=effect.idempotency_key,
                                           reason=effect.reason, reference=effect.reference)
        except ApiError as exc:
            if exc.code == "counter_closed":
                return ticket.IssueError(ticket.IssueFailure.CLOSED, exc.opens_at)
            log.warning("ticket refused: %s", exc.code)
            return ticket.IssueError(ticket.IssueFailure.SERVER_ERROR)
        except ServerUnreachableError:
            return ticket.IssueError(ticket.IssueFailure.SERVER_UNREACHABLE)
        except ServerError:
            return ticket.IssueError(ticket.IssueFailure.SERVER_ERROR)
        return ticket.Issued(_view(issued, effect))

    def print(self, effect: ticket.PrintTicket) -> object:
        """Print the ticket, then tell the server it was printed."""
        t = effect.ticket
        reason = reason_line(t.reason) if t.reason else None
        image = self.renderer.render_ticket(TicketPrint(
            number=t.number, service_ja=t.service_ja, service_en=t.service_en, issued_at=t.issued_at,
            people_ahead=t.people_ahead, wait_minutes=t.wait_minutes, status_url=t.status_url,
            reason=reason, reference=t.reference,
        ))
        try:
            where = self.printer.print_image(image, label=t.number)
        except PrinterError as exc:
            log.warning("ticket %s issued but not printed: %s", t.number, exc)
            return ticket.PrintError(_print_failure(exc))
        if where is not None:
            log.info("ticket %s written to %s", t.number, where)
        if self.on_printed is not None:
            self.on_printed(t)
        if self.outbox is not None:
            # Only a ticket that came out of the printer is marked; a later delivery carries the same key,
            # so the server counts it once.
            try:
                put_ticket_printed(self.outbox, t.ticket_id)
            except (sqlite3.Error, OSError) as exc:
                # A full or broken disk must not turn a printed ticket into an error for the patron.
                log.error("could not queue ticket %s's print mark: %s", t.number, exc)
            return ticket.PrintDone(str(where) if where else None)
        try:
            self.api.mark_ticket_printed(t.ticket_id, idempotency_key=f"printed-{t.ticket_id}")
        except (ApiError, ServerError, ServerUnreachableError) as exc:
            # The print mark is bookkeeping: the patron holds the ticket either way.
            log.warning("could not mark ticket %s printed: %s", t.number, type(exc).__name__)
        return ticket.PrintDone(str(where) if where else None)


# Printed for a reason code no catalogue has text for (a newer kiosk's code, or one sent by another client).
REASON_OTHER = "ticket.reason.other"


def reason_line(code: str) -> BilingualLine:
    """The ticket's ご用件 / Purpose line for a reason code: its text, or a generic line, never the key."""
    key = f"ticket.reason.{code}"
    if i18n.missing_keys([key], "ja") or i18n.missing_keys([key], "en"):
        log.warning("ticket reason %r has no text in the catalogues; the generic line is printed", code)
        key = REASON_OTHER
    return BilingualLine(i18n.translate(key, "ja"), i18n.translate(key, "en"))


def _view(issued: IssuedTicket, effect: ticket.IssueTicket) -> ticket.TicketView:
    return ticket.TicketView(**asdict(issued), reason=effect.reason, reference=effect.reference)


def _print_failure(exc: PrinterError) -> ticket.PrintFailure:
    if isinstance(exc, PaperOutError):
        return ticket.PrintFailure.PAPER_OUT
    if isinstance(exc, CoverOpenError):
        return ticket.PrintFailure.COVER_OPEN
    if isinstance(exc, PrinterOfflineError):
        return ticket.PrintFailure.OFFLINE
    return ticket.PrintFailure.ERROR
