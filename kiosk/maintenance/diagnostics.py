"""What maintenance mode shows: a frozen snapshot of the kiosk's health, every probe bounded and never raising.

`collect(...)` runs the probes in parallel threads, each with a short deadline, so a stopped server,
a missing printer or a hung PC/SC service shows as such within `timeout_s` instead of freezing.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import requests

from kiosk.config import KioskSettings
from kiosk.maintenance.probes import Bounded
from kiosk.printer.base import TicketPrinter
from kiosk.printer.status import PaperState, PrinterStatus
from kiosk.timecheck import ClockCheck, measure
from kiosk.version import app_version

if TYPE_CHECKING:
    from kiosk.outbox.store import Item


@dataclass(frozen=True)
class ReaderInfo:
    """PC/SC readers attached, and whether the kiosk's reader holds a card."""

    ok: bool
    readers: tuple[str, ...]
    card_present: bool | None
    error: str | None = None


@dataclass(frozen=True)
class ServerInfo:
    """Whether the central API answered /health, and how fast."""

    url: str
    reachable: bool
    rtt_ms: float | None
    error: str | None = None


@dataclass(frozen=True)
class PrinterInfo:
    """The printer's own report (TicketPrinter.status())."""

    backend: str
    online: bool
    paper: str  # ok | near_end | out | unknown
    cover_open: bool
    error: str | None = None


@dataclass(frozen=True)
class DiskInfo:
    """Free space where the kiosk keeps its data."""

    path: str
    free_bytes: int | None
    total_bytes: int | None
    error: str | None = None


@dataclass(frozen=True)
class RefusedItem:
    """One outbox item the server refused for good: what it was, when, and the server's answer."""

    kind: str
    created_at: datetime
    error: str


@dataclass(frozen=True)
class Diagnostics:
    """Everything the diagnostics screen lists, as of `collected_at`."""

    collected_at: datetime
    version: str
    kiosk_id: str
    reader: ReaderInfo
    server: ServerInfo
    printer: PrinterInfo
    disk: DiskInfo
    config: Mapping[str, Mapping[str, Any]]  # secrets masked
    outbox_length: int | None  # None: this kiosk has no outbox
    outbox_error: str | None = None
    # What the server refused for good (kept in the outbox, never resent): staff see it and report it.
    outbox_refused: tuple[RefusedItem, ...] = ()
    # The kiosk's clock against the server's; `clock.within_window` False: warn (signed requests fail).
    clock: ClockCheck | None = None
    clock_error: str | None = None

    @property
    def clock_warning(self) -> str | None:
        """An operator-facing line when the clock is beyond the signature window, else None."""
        if self.clock is None or self.clock.within_window:
            return None
        return (f"clock differs from the server's by {self.clock.skew_s:+.0f} s "
                f"(window {self.clock.window_s} s): check NTP (timedatectl)")


def _pcsc_readers() -> list[str]:
    from kiosk.card.pcsc import list_readers  # imported here: pyscard is only needed when probing

    return list_readers()


def _pcsc_card_present(reader: str) -> bool:
    from kiosk.card.pcsc import wait_for_card  # imported here: pyscard, as above

    return wait_for_card(reader, present=True, timeout=0)


def probe_reader(wanted: str, list_readers: Callable[[], list[str]] = _pcsc_readers,
                 card_present: Callable[[str], bool] = _pcsc_card_present) -> ReaderInfo:
    """Readers attached and card presence in the configured one (the first one when `wanted` is empty)."""
    try:
        names = tuple(list_readers())
    except Exception as error:  # pcscd not running, no PC/SC library: shown, not raised
        return ReaderInfo(False, (), None, str(error) or type(error).__name__)
    chosen = next((n for n in names if wanted in n), None) if names else None
    if chosen is None:
        why = "no reader attached" if not names else f"no reader matching {wanted!r}"
        return ReaderInfo(False, names, None, why)
    try:
        return ReaderInfo(True, names, card_present(chosen))
    except Exception as error:
        return ReaderInfo(True, names, None, str(error) or type(error).__name__)


def probe_server(url: str, timeout_s: float) -> ServerInfo:
    """GET /health with a short timeout; the round trip in milliseconds, or the error."""
    started = time.perf_counter()
    try:
        response = requests.get(url.rstrip("/") + "/health", timeout=timeout_s)
    except requests.RequestException as error:
        return ServerInfo(url, False, None, _short_error(error))
    rtt = round((time.perf_counter() - started) * 1000, 1)
    if response.status_code != 200:
        return ServerInfo(url, False, rtt, f"HTTP {response.status_code}")
    return ServerInfo(url, True, rtt)


def probe_clock(url: str, timeout_s: float) -> ClockCheck:
    """The kiosk's skew against the server's /health/clock time (raises on failure; Bounded catches it)."""
    sent = datetime.now(UTC)
    response = requests.get(url.rstrip("/") + "/health/clock", timeout=timeout_s)
    received = datetime.now(UTC)
    response.raise_for_status()
    body = response.json()
    return measure(sent_at=sent, received_at=received, server_time=datetime.fromisoformat(body["time"]),
                   window_s=int(body["auth_window_s"]))


def printer_info(backend: str, status: PrinterStatus | None, error: str | None) -> PrinterInfo:
    """A PrinterInfo from a status (or from why there is none)."""
    if status is None:
        return PrinterInfo(backend, False, "unknown", False, error or "no printer")
    # An unreachable printer reports nothing about its paper: say "unknown" rather than the default "ok".
    paper = status.paper.value if status.online or status.paper is not PaperState.OK else "unknown"
    return PrinterInfo(backend, status.online, paper, status.cover_open, status.error)


def probe_disk(path: Path) -> DiskInfo:
    """Free and total bytes of the file system holding `path` (its nearest existing parent)."""
    target = path
    while not target.exists() and target != target.parent:
        target = target.parent
    try:
        usage = shutil.disk_usage(target)
    except OSError as error:
        return DiskInfo(str(path), None, None, error.strerror or str(error))
    return DiskInfo(str(path), usage.free, usage.total)


def collect(*, settings: KioskSettings, printer: TicketPrinter | None, data_dir: Path,
            outbox_length: Callable[[], int] | None = None,
            outbox_refused: Callable[[], list[Item]] | None = None, timeout_s: float = 2.0,
            list_readers: Callable[[], list[str]] = _pcsc_readers,
            card_present: Callable[[str], bool] = _pcsc_card_present) -> Diagnostics:
    """Probe reader, server, printer, disk and outbox in parallel; returns within about `timeout_s`."""
    reader = Bounded(lambda: probe_reader(settings.card.reader, list_readers, card_present), timeout_s,
                     name="probe-reader")
    server = Bounded(lambda: probe_server(settings.server.url, timeout_s * 0.9), timeout_s, name="probe-server")
    status = Bounded(printer.status, timeout_s, name="probe-printer") if printer is not None else None
    disk = Bounded(lambda: probe_disk(data_dir), timeout_s, name="probe-disk")
    outbox = Bounded(outbox_length, timeout_s, name="probe-outbox") if outbox_length is not None else None
    refused = Bounded(outbox_refused, timeout_s, name="probe-refused") if outbox_refused is not None else None
    clock = Bounded(lambda: probe_clock(settings.server.url, timeout_s * 0.9), timeout_s, name="probe-clock")

    reader_value, reader_error = reader.result()
    server_value, server_error = server.result()
    status_value, status_error = status.result() if status is not None else (None, "no printer configured")
    disk_value, disk_error = disk.result()
    outbox_value, outbox_error = outbox.result() if outbox is not None else (None, None)
    refused_items, refused_error = refused.result() if refused is not None else ([], None)
    return Diagnostics(
        collected_at=datetime.now(UTC),
        version=app_version(),
        kiosk_id=settings.server.kiosk_id,
        reader=reader_value or ReaderInfo(False, (), None, reader_error),
        server=server_value or ServerInfo(settings.server.url, False, None, server_error),
        printer=printer_info(settings.printer.backend, status_value, status_error),
        disk=disk_value or DiskInfo(str(data_dir), None, None, disk_error),
        config=settings.masked(),
        outbox_length=outbox_value,
        outbox_error=outbox_error or refused_error,
        outbox_refused=tuple(RefusedItem(i.kind, datetime.fromtimestamp(i.created_at, UTC), i.last_error or "")
                             for i in refused_items or ()),
        **_clock_fields(clock.result()),
    )


def _clock_fields(result: tuple[ClockCheck | None, str | None]) -> dict[str, Any]:
    value, error = result
    return {"clock": value, "clock_error": None if value is not None else error}


def _short_error(error: Exception) -> str:
    """"connection refused" rather than a page of urllib3 repr."""
    text = str(error)
    for needle, short in (("Connection refused", "connection refused"), ("timed out", "timed out"),
                          ("Name or service not known", "host name not found"),
                          ("No route to host", "no route to host")):
        if needle in text:
            return short
    return text[:200]
