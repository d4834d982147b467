"""Reader attached/removed and card inserted/removed events, from pyscard's monitors, as plain callbacks.

pyscard's CardMonitor waits inside pcscd (SCardGetStatusChange) and its
ReaderMonitor re-lists readers once per `reader_period`; we add no loop of our
own. Callbacks run on pyscard's monitor threads: a Kivy subscriber must hop to
its own thread (Clock.schedule_once) before touching widgets.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from smartcard.CardMonitoring import CardMonitor, CardMonitoringThread, CardObserver
from smartcard.ReaderMonitoring import ReaderMonitor, ReaderObserver
from smartcard.scard import SCardCancel

log = logging.getLogger(__name__)


class EventKind(Enum):
    """What happened."""

    READER_ADDED = "reader_added"
    READER_REMOVED = "reader_removed"
    CARD_INSERTED = "card_inserted"
    CARD_REMOVED = "card_removed"


@dataclass(frozen=True)
class CardEvent:
    """One reader or card event; `atr` is set for card events."""

    kind: EventKind
    reader: str
    atr: bytes | None = None


Subscriber = Callable[[CardEvent], None]


class _ReaderObserver(ReaderObserver):
    def __init__(self, emit: Callable[[CardEvent], None]) -> None:
        super().__init__()
        self._emit = emit

    def update(self, observable: object, handlers: tuple[list, list]) -> None:
        added, removed = handlers
        for reader in added:
            self._emit(CardEvent(EventKind.READER_ADDED, str(reader)))
        for reader in removed:
            self._emit(CardEvent(EventKind.READER_REMOVED, str(reader)))


class _CardObserver(CardObserver):
    def __init__(self, emit: Callable[[CardEvent], None]) -> None:
        super().__init__()
        self._emit = emit

    def update(self, observable: object, handlers: tuple[list, list]) -> None:
        added, removed = handlers
        for card in added:
            self._emit(CardEvent(EventKind.CARD_INSERTED, str(card.reader), bytes(card.atr)))
        for card in removed:
            self._emit(CardEvent(EventKind.CARD_REMOVED, str(card.reader), bytes(card.atr)))


class CardEventMonitor:
    """Delivers CardEvents to subscribed callbacks between start() and stop()."""

    def __init__(self, reader_period: float = 1.0) -> None:
        self._subscribers: list[Subscriber] = []
        self._lock = threading.Lock()
        self._reader_period = reader_period
        self._reader_monitor: ReaderMonitor | None = None
        self._card_monitor: CardMonitor | None = None
        self._reader_observer = _ReaderObserver(self._emit)
        self._card_observer = _CardObserver(self._emit)

    def subscribe(self, callback: Subscriber) -> None:
        """Call `callback(event)` for every later event."""
        with self._lock:
            self._subscribers.append(callback)

    def unsubscribe(self, callback: Subscriber) -> None:
        """Stop calling `callback`."""
        with self._lock:
            self._subscribers.remove(callback)

    def _emit(self, event: CardEvent) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for callback in subscribers:
            try:
                callback(event)
            except Exception:
                # A faulty subscriber must not kill pyscard's monitor thread.
                log.exception("card event subscriber failed on %s", event.kind.value)

    def start(self) -> CardEventMonitor:
        """Start watching; current readers and cards are reported as added/inserted."""
        self._reader_monitor = ReaderMonitor(period=self._reader_period)
        self._reader_monitor.addObserver(self._reader_observer)
        self._card_monitor = CardMonitor()
        self._card_monitor.addObserver(self._card_observer)
        return self

    def stop(self) -> None:
        """Stop watching (the monitors' threads end once they have no observer)."""
        if self._card_monitor is not None:
            self._card_monitor.deleteObserver(self._card_observer)
            self._card_monitor = None
        if self._reader_monitor is not None:
            self._reader_monitor.deleteObserver(self._reader_observer)
            self._reader_monitor = None

    def __enter__(self) -> CardEventMonitor:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def stop_monitor_threads(timeout: float = 5.0) -> None:
    """End pyscard's card-monitor thread (a process-wide singleton that outlives its observers).

    Call at shutdown, before pcscd stops: the thread waits inside pcscd, so we
    cancel that wait (SCardCancel) rather than leave it to fail noisily later.
    """
    thread = CardMonitoringThread.instance
    if thread is None:
        return
    thread.stop()
    request = getattr(getattr(thread, "cardrequest", None), "pcsccardrequest", None)
    context = getattr(request, "hcontext", None)
    if context is not None:
        SCardCancel(context)
    thread.join(timeout)
    if not thread.is_alive():
        CardMonitoringThread.instance = None


def forget_dead_monitor() -> None:
    """After the PC/SC service went away: end pyscard's card-monitor thread and forget its singletons.

    CardMonitor is a singleton that made its one CardMonitoringThread when first built and never makes
    another; once that thread died with the service it would hand every new observer the dead thread's
    stale card list. Forgetting both lets the next CardEventMonitor start a new thread on a new context.
    """
    stop_monitor_threads()
    with CardMonitoringThread.lock:
        CardMonitoringThread.instance = None
    with CardMonitor.lock:
        CardMonitor.instance = None
