"""Card inserted/removed events from the core's monitor, handed to the app on the Kivy thread.

The monitor starts once the PC/SC service answers; until then we look again every few seconds
(pyscard's monitor threads would die on a missing service and never come back).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from kivy.clock import Clock

log = logging.getLogger(__name__)
RETRY_S = 5.0
_monitor = None
_retry = None


def start(on_card: Callable[[bool], None]) -> None:
    """Watch the readers; ``on_card(inserted)`` runs on the Kivy thread."""
    global _retry
    if not _try_start(on_card):
        log.warning("PC/SC service not available; card flows will say the reader is unavailable")
        # Returning False from the callback unschedules it: once started, stop looking.
        _retry = Clock.schedule_interval(lambda _dt: not _try_start(on_card), RETRY_S)


def _try_start(on_card: Callable[[bool], None]) -> bool:
    global _monitor
    from kiosk.card.errors import TransportError
    from kiosk.card.monitor import CardEventMonitor, EventKind
    from kiosk.card.pcsc import list_readers

    try:
        list_readers()
    except TransportError:
        return False

    def forward(event: object) -> None:
        # pyscard calls us on its monitor thread: hop to Kivy's before touching the app.
        if event.kind in (EventKind.CARD_INSERTED, EventKind.CARD_REMOVED):
            inserted = event.kind is EventKind.CARD_INSERTED
            Clock.schedule_once(lambda _dt: on_card(inserted), 0)

    monitor = CardEventMonitor()
    monitor.subscribe(forward)
    _monitor = monitor.start()
    log.info("card monitor started")
    return True


def stop() -> None:
    """Stop watching."""
    global _monitor, _retry
    if _retry is not None:
        _retry.cancel()
        _retry = None
    if _monitor is not None:
        _monitor.stop()
        _monitor = None
