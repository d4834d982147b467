"""Card inserted/removed events from the core's reader watch, handed to the app on the Kivy thread.

The watch (kiosk/card/watch.py) keeps events coming across a pcscd restart: it notices the service
leaving and coming back and builds a fresh monitor each time.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from kivy.clock import Clock

log = logging.getLogger(__name__)
_watch = None


def start(on_card: Callable[[bool], None]) -> None:
    """Watch the readers from a background thread; ``on_card(inserted)`` runs on the Kivy thread."""
    threading.Thread(target=_start, args=(on_card,), name="reader-watch-start", daemon=True).start()


def _start(on_card: Callable[[bool], None]) -> None:
    global _watch
    from kiosk.card.monitor import CardEvent, EventKind
    from kiosk.card.watch import ReaderWatch, ServiceChanged

    def forward(event: object) -> None:
        # The watch calls us on its own threads: hop to Kivy's before touching the app.
        if isinstance(event, ServiceChanged):
            log.warning("PC/SC service %s", "available" if event.available else "NOT available")
        elif isinstance(event, CardEvent) and event.kind in (EventKind.CARD_INSERTED, EventKind.CARD_REMOVED):
            inserted = event.kind is EventKind.CARD_INSERTED
            Clock.schedule_once(lambda _dt: on_card(inserted), 0)

    _watch = ReaderWatch(forward).start()


def stop() -> None:
    """Stop watching."""
    global _watch
    if _watch is not None:
        _watch.stop()
        _watch = None
