"""The last-try warning: nothing is sent to the card until the patron confirms here."""

from __future__ import annotations

from kiosk.flows import card_steps as cs
from screens.base import KioskScreen


class LastTryScreen(KioskScreen):
    """Full-screen warning with an explicit confirmation."""

    def render(self, state: cs.LastTryWarning) -> None:
        """Nothing changes on this screen."""

    def confirm(self) -> None:
        """The patron confirms the last try."""
        self.app.send(cs.ConfirmLastTry())
