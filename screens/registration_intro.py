"""Registration application, first step: what is read from the My Number card, or the way without it."""

from __future__ import annotations

from kiosk.flows import registration as flow
from screens.base import KioskScreen


class RegistrationIntroScreen(KioskScreen):
    """Nothing here depends on the patron."""

    def render(self, state: flow.Intro) -> None:
        """Nothing to show but the kv's texts."""

    def with_card(self) -> None:
        """The patron has the My Number card."""
        self.app.send(flow.WithCard())

    def without_card(self) -> None:
        """The patron does not: what to bring, and a ticket."""
        self.app.send(flow.WithoutCard())
