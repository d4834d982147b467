"""What a patron can ask for on any step besides the flow's own steps: call staff, print a receipt.

The work runs off the UI thread (kiosk/actions.py); a toast says how it went.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from kivy.clock import Clock

from kiosk.a11y.cues import Cue
from screens.toast import Toast

if TYPE_CHECKING:  # the ledger loads with the API client, after the first frame
    from kiosk.disclosure import Disclosures


class SideActions:
    """Bound to the app; screens and kv call ``app.side.<action>()``."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def call_staff(self) -> None:
        """Alert the counter console; only the step is sent, never what the patron entered."""
        app = self.app
        where = f"{app.flow_name or 'attract'}.{app.manager.current}"[:32]  # a short code the console shows
        self._in_background(lambda: app.services.actions.call_staff(where),
                            "toast.staff_called", "toast.staff_not_called",
                            said=("voice.staff_called", "voice.staff_not_called"))

    def print_receipt(self, card_number: str, on: date) -> None:
        """The migration's receipt slip."""
        self._in_background(lambda: self.app.services.actions.print_migration_receipt(card_number, on),
                            "toast.receipt_printed", "toast.receipt_failed")

    def print_disclosures(self, sent: Disclosures, reference: str) -> None:
        """The privacy slip: what this session sent and what it did not."""
        self._in_background(lambda: self.app.services.actions.print_disclosures(sent, reference),
                            "toast.receipt_printed", "toast.privacy_failed")

    def _in_background(self, work: Callable[[], bool], ok_key: str, failed_key: str,
                       said: tuple[str, str] | None = None) -> None:
        """``said``: the prompts (done, not done) audio guidance speaks with the toast."""

        def run() -> None:
            ok = work()
            spoken = said[0 if ok else 1] if said is not None else None
            Clock.schedule_once(lambda _dt: self._done(ok, ok_key if ok else failed_key, spoken), 0)

        threading.Thread(target=run, name="side-action", daemon=True).start()

    def _done(self, ok: bool, key: str, spoken: str | None) -> None:
        self.app.a11y.play_cue(Cue.OK if ok else Cue.ERROR)  # heard too: staff called, or not
        if spoken is not None:
            self.app.a11y.announce(spoken)  # and, in audio guidance, said: a patron who cannot see the toast
        self.toast(self.app.tr(key, self.app.lang))

    @staticmethod
    def toast(text: str) -> None:
        """A short message over the current screen."""
        Toast(text=text).open()
