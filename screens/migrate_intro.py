"""Migration, step 1: what will happen and what the patron needs."""

from __future__ import annotations

from kiosk.flows import migration as flow
from screens.base import KioskScreen


class MigrateIntroScreen(KioskScreen):
    """Explains the switch to the MyKey scheme, lists what to have at hand, shows where the card goes."""

    def render(self, state: flow.Intro) -> None:
        """Nothing changes on this screen."""

    def next(self) -> None:
        """On to the consent notice."""
        self.app.send(flow.Next())
