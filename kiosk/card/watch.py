"""Keeps card events coming across a PC/SC service restart: the reader watch.

pyscard's monitor threads end for good when pcscd goes away (SCARD_E_NO_SERVICE), and the monitors are
process-wide singletons. This watch looks for the service every `poll_s` (one SCardListReaders call),
reports it gone or back, and builds a fresh CardEventMonitor each time it comes back, so card inserted
and removed events resume without restarting the kiosk.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.card.errors import TransportError
from kiosk.card.monitor import CardEvent, CardEventMonitor, forget_dead_monitor

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServiceChanged:
    """The PC/SC service (pcscd) answered again, or stopped answering; `readers` as listed then."""

    available: bool
    readers: tuple[str, ...] = ()


WatchEvent = CardEvent | ServiceChanged


class ReaderWatch:
    """Calls `on_event` with ServiceChanged and CardEvents (on background threads) between start() and stop()."""

    def __init__(self, on_event: Callable[[WatchEvent], None], *, poll_s: float = 2.0,
                 list_readers: Callable[[], list[str]] | None = None) -> None:
        self._on_event = on_event
        self._poll_s = poll_s
        self._list_readers = list_readers
        self._monitor: CardEventMonitor | None = None
        self.available: bool | None = None  # None until the first look
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> ReaderWatch:
        """Look now (synchronously, so `available` is known on return), then every poll_s in the background."""
        self.check()
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="reader-watch", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop looking and stop the card monitor."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._drop_monitor()

    def check(self) -> bool:
        """One look at the service: start or drop the card monitor and report a change; True when it answers."""
        try:
            readers = tuple(self._readers())
        except TransportError as exc:
            if self.available is not False:
                log.warning("PC/SC service gone: %s", exc)
                self._drop_monitor()
                self.available = False
                self._emit(ServiceChanged(False))
            return False
        if self._monitor is None:
            monitor = CardEventMonitor()
            monitor.subscribe(self._emit)
            self._monitor = monitor.start()
        if self.available is not True:
            log.info("PC/SC service available: %s", ", ".join(readers) or "no reader")
            self.available = True
            self._emit(ServiceChanged(True, readers))
        return True

    def _readers(self) -> list[str]:
        if self._list_readers is not None:
            return self._list_readers()
        from kiosk.card.pcsc import list_readers  # imported late: pyscard only where a card is used

        return list_readers()

    def _drop_monitor(self) -> None:
        monitor, self._monitor = self._monitor, None
        if monitor is None:
            return
        monitor.stop()
        forget_dead_monitor()  # pyscard would otherwise keep the dead thread (monitor.py says why)

    def _emit(self, event: WatchEvent) -> None:
        try:
            self._on_event(event)
        except Exception:
            log.exception("reader watch subscriber failed on %s", event)

    def _run(self) -> None:
        while not self._stop.wait(self._poll_s):
            self.check()
