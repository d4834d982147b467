"""Expiry check, step 1: by library card number, or by My Number card (for a MyKey link)."""

from __future__ import annotations

from kiosk.flows import expiry as flow
from screens.base import KioskScreen


class ExpiryMethodScreen(KioskScreen):
    """Two large buttons."""

    def render(self, state: flow.ChooseMethod) -> None:
        """Nothing changes on this screen."""

    def by_number(self) -> None:
        """Check by library card number."""
        self.app.send(flow.ByNumber())

    def by_card(self) -> None:
        """Check by My Number card."""
        self.app.send(flow.ByCard())
