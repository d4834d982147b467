"""Printer status and how ESC/POS real-time status bytes (DLE EOT n) map onto it."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from kiosk.printer.errors import CoverOpenError, PaperOutError, PrinterOfflineError

# DLE EOT n: real-time status requests, answered by one byte even while the printer is busy.
DLE_EOT = b"\x10\x04"
QUERY_PRINTER = DLE_EOT + b"\x01"
QUERY_OFFLINE_CAUSE = DLE_EOT + b"\x02"
QUERY_ERROR_CAUSE = DLE_EOT + b"\x03"
QUERY_PAPER = DLE_EOT + b"\x04"

# Every status byte has bit 1 and bit 4 set and bits 0 and 7 clear; anything else is not a reply.
_FIXED_MASK = 0x93
_FIXED_BITS = 0x12


class PaperState(enum.Enum):
    """Roll paper sensor reading."""

    OK = "ok"
    NEAR_END = "near_end"
    OUT = "out"


@dataclass(frozen=True)
class PrinterStatus:
    """What the printer reports; `error` is a short operator-facing text, None when all is well."""

    online: bool
    paper: PaperState = PaperState.OK
    cover_open: bool = False
    error: str | None = None

    @property
    def ready(self) -> bool:
        """True when a ticket can be printed now."""
        return self.online and self.paper is not PaperState.OUT and not self.cover_open

    def raise_if_not_ready(self) -> None:
        """Raise the typed error that best explains why printing cannot happen now."""
        if self.cover_open:
            raise CoverOpenError(self.error or "printer cover is open")
        if self.paper is PaperState.OUT:
            raise PaperOutError(self.error or "printer is out of paper")
        if not self.online:
            raise PrinterOfflineError(self.error or "printer is offline")


def check_status_byte(reply: bytes, query: bytes) -> int:
    """Return the status byte of a reply, or raise PrinterOfflineError if there is none or it is garbled."""
    if not reply:
        raise PrinterOfflineError(f"no reply to status query {query.hex(' ')}")
    # The last byte is the freshest: a printer may have queued an earlier reply.
    byte = reply[-1]
    if byte & _FIXED_MASK != _FIXED_BITS:
        raise PrinterOfflineError(f"unexpected reply {reply.hex(' ')} to status query {query.hex(' ')}")
    return byte


def status_from_bytes(printer: int, offline_cause: int, error_cause: int, paper: int) -> PrinterStatus:
    """Combine the four DLE EOT 1..4 status bytes into a PrinterStatus."""
    offline = bool(printer & 0x08)
    cover_open = bool(offline_cause & 0x04)
    if paper & 0x60:
        paper_state = PaperState.OUT
    elif paper & 0x0C:
        paper_state = PaperState.NEAR_END
    else:
        paper_state = PaperState.OK
    problems = []
    if cover_open:
        problems.append("cover open")
    if paper_state is PaperState.OUT or offline_cause & 0x20:
        paper_state = PaperState.OUT
        problems.append("paper out")
    if error_cause & 0x08:
        problems.append("auto-cutter error")
    if error_cause & 0x20:
        problems.append("unrecoverable error")
    if error_cause & 0x40:
        problems.append("head temperature or voltage error")
    if offline and not problems:
        problems.append("offline")
    return PrinterStatus(
        online=not offline and not problems,
        paper=paper_state,
        cover_open=cover_open,
        error=", ".join(problems) or None,
    )


def offline_status(reason: str) -> PrinterStatus:
    """Status for a printer that cannot be reached at all."""
    return PrinterStatus(online=False, error=reason)

