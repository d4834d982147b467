"""DLE EOT status bytes map onto PrinterStatus, and a not-ready status raises the right typed error."""

from __future__ import annotations

import pytest

from kiosk.printer import CoverOpenError, PaperOutError, PaperState, PrinterOfflineError, PrinterStatus
from kiosk.printer.status import QUERY_PAPER, check_status_byte, status_from_bytes

OK = 0x12  # fixed bits only: nothing to report


@pytest.mark.parametrize(
    ("printer", "offline_cause", "error_cause", "paper", "expected"),
    [
        (OK, OK, OK, OK, PrinterStatus(online=True)),
        (OK, OK, OK, OK | 0x0C, PrinterStatus(online=True, paper=PaperState.NEAR_END)),
        (OK | 0x08, OK | 0x20, OK, OK | 0x6C,
         PrinterStatus(online=False, paper=PaperState.OUT, error="paper out")),
        (OK | 0x08, OK | 0x04, OK, OK,
         PrinterStatus(online=False, cover_open=True, error="cover open")),
        (OK | 0x08, OK | 0x40, OK | 0x08, OK,
         PrinterStatus(online=False, error="auto-cutter error")),
        (OK | 0x08, OK, OK, OK, PrinterStatus(online=False, error="offline")),
    ],
)
def test_status_bytes_map_to_status(printer: int, offline_cause: int, error_cause: int, paper: int,
                                    expected: PrinterStatus) -> None:
    assert status_from_bytes(printer, offline_cause, error_cause, paper) == expected


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (PrinterStatus(online=False, paper=PaperState.OUT), PaperOutError),
        (PrinterStatus(online=False, cover_open=True, paper=PaperState.OUT), CoverOpenError),
        (PrinterStatus(online=False, error="offline"), PrinterOfflineError),
    ],
)
def test_not_ready_raises_the_typed_error(status: PrinterStatus, error: type[Exception]) -> None:
    assert not status.ready
    with pytest.raises(error):
        status.raise_if_not_ready()


def test_near_end_still_prints() -> None:
    status = PrinterStatus(online=True, paper=PaperState.NEAR_END)
    assert status.ready
    status.raise_if_not_ready()


@pytest.mark.parametrize("reply", [b"", b"\x00", b"\xff", b"abc"])
def test_missing_or_garbled_reply_means_offline(reply: bytes) -> None:
    with pytest.raises(PrinterOfflineError):
        check_status_byte(reply, QUERY_PAPER)


def test_latest_reply_byte_is_used() -> None:
    assert check_status_byte(b"\x12\x1e", QUERY_PAPER) == 0x1E
