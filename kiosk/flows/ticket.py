"""整理券の発行: the patron picks a counter service, the server numbers a ticket, the kiosk prints it.

The ticket is the server's: once it is issued it stays issued whatever the printer does, and the
screen then shows the number large so the patron can note it (staff can reprint it). A double tap
cannot make two tickets: taps while a ticket is being issued are ignored, and a retry after a lost
answer reuses the same idempotency key, so the server hands back the same ticket.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from kiosk.api.wire import IssuedTicket
from kiosk.flows.common import FINISHED, Back, Done, EffectFailed, Finished, Retry
from kiosk.states import COMPLETED, FAILED, Cue, Paths, StateInfo

__all__ = [
    "Back", "Choose", "Choosing", "Done", "Finished", "IssueError", "IssueFailed", "IssueFailure", "IssueTicket",
    "Issued", "Issuing", "PrintDone", "PrintError", "PrintFailed", "PrintFailure", "PrintTicket", "Printed",
    "Printing", "Retry", "TicketFlow", "TicketView",
]


class IssueFailure(StrEnum):
    """Why no ticket could be issued."""

    CLOSED = "closed"
    SERVER_UNREACHABLE = "server_unreachable"
    SERVER_ERROR = "server_error"


class PrintFailure(StrEnum):
    """Why the ticket did not come out of the printer."""

    OFFLINE = "offline"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    ERROR = "error"


@dataclass(frozen=True)
class TicketView(IssuedTicket):
    """An issued ticket, as the server numbered it (the wire shape), and why the patron was sent for it."""

    reason: str | None = None
    reference: str | None = None


# -- states ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Choosing:
    """The list of counter services."""


@dataclass(frozen=True)
class Issuing:
    """Waiting for the server to number the ticket."""

    service: str
    idempotency_key: str
    reason: str | None = None
    reference: str | None = None


@dataclass(frozen=True)
class IssueFailed:
    """No ticket; ``opens_at`` says when the counter opens if it is closed."""

    service: str
    idempotency_key: str
    failure: IssueFailure
    opens_at: datetime | None = None
    reason: str | None = None
    reference: str | None = None


@dataclass(frozen=True)
class Printing:
    """The ticket is issued and being printed."""

    ticket: TicketView


@dataclass(frozen=True)
class Printed:
    """The ticket came out of the printer (or was written to a file in demo mode)."""

    ticket: TicketView
    where: str | None = None


@dataclass(frozen=True)
class PrintFailed:
    """The ticket is issued but did not print: show the number large."""

    ticket: TicketView
    failure: PrintFailure


# -- events ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Choose:
    """The patron tapped a service; another flow may send the patron with a reason code and a reference."""

    service: str
    reason: str | None = None
    reference: str | None = None


@dataclass(frozen=True)
class Issued:
    """The server numbered the ticket."""

    ticket: TicketView


@dataclass(frozen=True)
class IssueError:
    """The server could not issue a ticket."""

    failure: IssueFailure
    opens_at: datetime | None = None


@dataclass(frozen=True)
class PrintDone:
    """The printer took the ticket."""

    where: str | None = None


@dataclass(frozen=True)
class PrintError:
    """The printer did not take the ticket."""

    failure: PrintFailure


# -- effects --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class IssueTicket:
    """Ask the server for a ticket (the reason and reference go on it, so the counter need not start over)."""

    service: str
    idempotency_key: str
    reason: str | None = None
    reference: str | None = None


@dataclass(frozen=True)
class PrintTicket:
    """Print an issued ticket."""

    ticket: TicketView


State = Choosing | Issuing | IssueFailed | Printing | Printed | PrintFailed | Finished


class TicketFlow:
    """Issuing and printing one queue ticket."""

    def __init__(self, services: tuple[str, ...], new_key: Callable[[], str] = lambda: str(uuid.uuid4())) -> None:
        self.state: State = Choosing()
        self._services = services
        self._new_key = new_key

    def handle(self, event: object) -> list[object]:
        """Apply ``event``; return the effects to perform. Events that make no sense now are ignored."""
        state = self.state
        if isinstance(event, Done):
            self.state = Finished()
        elif isinstance(state, Choosing) and isinstance(event, Choose) and event.service in self._services:
            self.state = Issuing(event.service, self._new_key(), event.reason, event.reference)
            return [IssueTicket(event.service, self.state.idempotency_key, event.reason, event.reference)]
        elif isinstance(state, Issuing):
            if isinstance(event, Issued):
                self.state = Printing(event.ticket)
                return [PrintTicket(event.ticket)]
            if isinstance(event, IssueError | EffectFailed):
                failure, opens = (event.failure, event.opens_at) if isinstance(event, IssueError) \
                    else (IssueFailure.SERVER_ERROR, None)
                self.state = IssueFailed(state.service, state.idempotency_key, failure, opens,
                                         state.reason, state.reference)
        elif isinstance(state, IssueFailed):
            if isinstance(event, Retry):
                self.state = Issuing(state.service, state.idempotency_key, state.reason, state.reference)
                return [IssueTicket(state.service, state.idempotency_key, state.reason, state.reference)]
            if isinstance(event, Back):
                self.state = Choosing()
        elif isinstance(state, Printing):
            if isinstance(event, PrintDone):
                self.state = Printed(state.ticket, event.where)
            elif isinstance(event, PrintError):
                self.state = PrintFailed(state.ticket, event.failure)
            elif isinstance(event, EffectFailed):
                self.state = PrintFailed(state.ticket, PrintFailure.ERROR)
        return []


# -- what each state is (screens/routes.py, kiosk/a11y/cues.py and kiosk/statistics.py read it) --------------
# The step indicator (kiosk/steps.py): 用件 → 結果 (a ticket another flow asks for starts at its result).
SERVICE = "service"
RESULT = "result"
STEPS: Paths = ((SERVICE, RESULT),)

STATES: dict[type, StateInfo] = {
    Choosing: StateInfo("ticket_service", "choosing", first=True, step=SERVICE),
    Issuing: StateInfo("ticket_result", "issuing", busy=True, step=RESULT),
    IssueFailed: StateInfo("ticket_result", "issue_failed", sign="failed", cue=Cue.ERROR, outcome=lambda s: (
        FAILED, "counter_closed" if s.failure is IssueFailure.CLOSED else s.failure.value), step=RESULT),
    Printing: StateInfo("ticket_result", "printing", busy=True, step=RESULT),
    # Why the patron was sent, when another flow sent them.
    Printed: StateInfo("ticket_result", "printed", sign="done", cue=Cue.OK,
                       outcome=lambda s: (COMPLETED, s.ticket.reason),
                       speaks_number=True, step=RESULT),
    PrintFailed: StateInfo("ticket_result", "print_failed", sign="attention", cue=Cue.ERROR,
                           outcome=lambda s: (FAILED, f"print_{s.failure.value}"), speaks_number=True, step=RESULT),
    Finished: FINISHED,
}
