"""The kiosk's workers (server client, card sessions, printer) built once, off the start-up path.

Their imports (requests, cryptography, Pillow, qrcode) cost a few hundred milliseconds; the attract
screen does not need them, so they load in the background after the first frame, or on first use,
whichever comes first.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from kiosk.config import KioskSettings

if TYPE_CHECKING:
    from kiosk.actions import PatronActions
    from kiosk.effects import Performer


class KioskServices:
    """Builds the Performer and the PatronActions on first use, once, from any thread."""

    def __init__(self, settings: KioskSettings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self._performer: Performer | None = None
        self._actions: PatronActions | None = None

    def _build(self) -> None:
        with self._lock:
            if self._performer is None:
                from kiosk.actions import PatronActions
                from kiosk.effects import Performer

                performer = Performer(self.settings)
                self._actions = PatronActions(performer.api, performer.printer, performer.renderer)
                self._performer = performer

    @property
    def performer(self) -> Performer:
        """Does the flows' card, server and printer work."""
        self._build()
        assert self._performer is not None
        return self._performer

    @property
    def actions(self) -> PatronActions:
        """Call staff, print a receipt."""
        self._build()
        assert self._actions is not None
        return self._actions

    def warm_up(self) -> threading.Thread:
        """Build in the background now (call once the first frame is on screen)."""
        thread = threading.Thread(target=self._build, name="warm-up", daemon=True)
        thread.start()
        return thread
