"""Tell the server how this kiosk is, every `interval_s`, from a background thread (POST /v1/kiosk/heartbeat).

The thread sleeps on an Event between beats (no busy loop) and `stop()` wakes and joins it. A failed
beat is logged and kept as `last_send_error`; the next one simply tries again.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from kiosk.api.client import KioskApiClient
from kiosk.api.wire import KioskState
from kiosk.config import KioskSettings
from kiosk.maintenance.diagnostics import printer_info, probe_reader
from kiosk.maintenance.probes import Bounded
from kiosk.maintenance.service_mode import ServiceMode
from kiosk.outbox import Item, Outbox
from kiosk.printer.base import TicketPrinter
from kiosk.version import app_version

log = logging.getLogger(__name__)

HEARTBEAT_KIND = "heartbeat"  # the outbox kind of a beat; only the latest matters (coalesced)
MAX_TEXT = 300  # the server's limit for each text of a beat


def put_heartbeat(outbox: Outbox, state: KioskState) -> Item:
    """Queue the kiosk's state, replacing any beat not yet delivered."""
    return outbox.put(HEARTBEAT_KIND, state.to_json(), f"beat-{uuid.uuid4()}", coalesce=True)


def send_heartbeat(client: KioskApiClient, item: Item) -> None:
    """The outbox's sender for HEARTBEAT_KIND."""
    client.send_heartbeat(KioskState.from_json(item.payload))


class LastError:
    """The latest error the app wants staff to see on the fleet page (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._value: tuple[str, datetime] | None = None

    def set(self, message: str) -> None:
        """Remember an error (short, operator-facing, no personal data)."""
        with self._lock:
            self._value = (message[:MAX_TEXT], datetime.now(UTC))

    def get(self) -> tuple[str | None, datetime | None]:
        """(message, when), or (None, None)."""
        with self._lock:
            return self._value or (None, None)


def _operator_text(text: str | None) -> str | None:
    """One line of at most MAX_TEXT characters: libraries' error texts carry newlines (python-escpos's do),
    and the server refuses control characters; a refused beat would hide the kiosk just when it has a fault."""
    if text is None:
        return None
    return " ".join(text.split())[:MAX_TEXT]


def current_state(*, settings: KioskSettings, printer: TicketPrinter | None, service: ServiceMode,
                  last_error: LastError, outbox_length: Callable[[], int] | None = None,
                  list_readers: Callable[[], list[str]] | None = None, timeout_s: float = 2.0) -> KioskState:
    """Probe reader and printer (bounded, never raising) and describe the kiosk."""
    reader_kwargs = {"list_readers": list_readers} if list_readers is not None else {}
    reader = Bounded(lambda: probe_reader(settings.card.reader, card_present=lambda _r: False, **reader_kwargs),
                     timeout_s, name="beat-reader")
    status = Bounded(printer.status, timeout_s, name="beat-printer") if printer is not None else None
    outbox = Bounded(outbox_length, timeout_s, name="beat-outbox") if outbox_length is not None else None
    reader_value, reader_error = reader.result()
    status_value, status_error = status.result() if status is not None else (None, "no printer configured")
    printer_now = printer_info(settings.printer.backend, status_value, status_error)
    outbox_value, _ = outbox.result() if outbox is not None else (None, None)
    message, at = last_error.get()
    return KioskState(
        version=app_version(),
        kiosk_time=datetime.now(UTC),
        interval_s=settings.maintenance.heartbeat_interval_s,
        in_service=service.in_service,
        reader=_operator_text(", ".join(reader_value.readers) if reader_value and reader_value.readers else None),
        reader_error=_operator_text(reader_value.error if reader_value else reader_error),
        printer_online=printer_now.online,
        printer_paper=printer_now.paper,
        printer_error=_operator_text(printer_now.error),
        outbox_length=outbox_value,
        last_error=_operator_text(message),
        last_error_at=at,
    )


class HeartbeatSender:
    """Calls `send(state())` now and then every `interval_s` seconds until `stop()`."""

    def __init__(self, *, send: Callable[[KioskState], object], state: Callable[[], KioskState],
                 interval_s: float) -> None:
        if interval_s <= 0:
            raise ValueError("interval_s must be positive")
        self._send = send
        self._state = state
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.sent = 0
        self.last_send_error: str | None = None

    def start(self) -> None:
        """Start beating (idempotent)."""
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop and join the thread (a beat in flight finishes first, bounded by the client's timeout)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def beat(self) -> bool:
        """Send one heartbeat now; False (and `last_send_error`) when it did not get through."""
        try:
            self._send(self._state())
        except Exception as error:  # the server down must not end the thread
            self.last_send_error = str(error)[:300] or type(error).__name__
            log.warning("heartbeat not sent: %s", self.last_send_error)
            return False
        self.sent += 1
        self.last_send_error = None
        return True

    def _run(self) -> None:
        while not self._stop.is_set():
            self.beat()
            self._stop.wait(self.interval_s)
