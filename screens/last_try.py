"""The last-try warning: nothing is sent to the card until the patron confirms here."""

from __future__ import annotations

from kiosk.flows import migration as flow
from screens.base import KioskScreen


class LastTryScreen(KioskScreen):
    """Full-screen warning with an explicit confirmation."""

    def render(self, state: flow.LastTryWarning) -> None:
        """Nothing changes on this screen."""

    def confirm(self) -> None:
        """The patron confirms the last try."""
        self.app.send(flow.ConfirmLastTry())
