"""Renewal request: the server or the card is working (renewal open?, the facts, the comparison, sending)."""

from __future__ import annotations

from kivy.properties import StringProperty

from kiosk.flows import renewal as flow
from kiosk.flows.card_steps import Proving, ReadingFacts
from screens.base import KioskScreen

_KEYS = {flow.Checking: "renewal.working.check", ReadingFacts: "renewal.working.read",
         Proving: "renewal.working.read", flow.Comparing: "renewal.working.compare",
         flow.Sending: "renewal.working.send"}


class RenewalWorkingScreen(KioskScreen):
    """No buttons while the card is read or the server answers (Back waits for the answer)."""

    body_text = StringProperty("")

    def render(self, state: flow.Checking | ReadingFacts | Proving | flow.Comparing | flow.Sending) -> None:
        """Say what is being done."""
        self.busy = True
        self.body_text = self.app.tr(_KEYS[type(state)], self.app.lang)
