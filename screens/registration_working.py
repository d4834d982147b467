"""Registration application: the server or the card is working (the IDs, the facts, the signature, sending)."""

from __future__ import annotations

from kivy.properties import StringProperty

from kiosk.flows import registration as flow
from kiosk.flows.card_steps import ReadingFacts
from screens.base import KioskScreen

_KEYS = {flow.LoadingIds: "registration.working.ids", ReadingFacts: "registration.working.read",
         flow.Signing: "registration.working.read", flow.Sending: "registration.working.send"}


class RegistrationWorkingScreen(KioskScreen):
    """No buttons while the card is read or the server answers (Back waits for the answer)."""

    body_text = StringProperty("")

    def render(self, state: flow.LoadingIds | ReadingFacts | flow.Signing | flow.Sending) -> None:
        """Say what is being done."""
        self.busy = True
        self.body_text = self.app.tr(_KEYS[type(state)], self.app.lang)
