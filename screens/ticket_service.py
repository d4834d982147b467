"""Queue ticket, step 1: which counter service the patron needs."""

from __future__ import annotations

from kiosk.flows import ticket as flow
from screens.base import KioskScreen


class TicketServiceScreen(KioskScreen):
    """One large button per counter service; a double tap still makes one ticket (the flow ignores it)."""

    def render(self, state: flow.Choosing) -> None:
        """Nothing changes on this screen."""

    def choose(self, service: str) -> None:
        """Ask for a ticket for ``service``."""
        self.app.send(flow.Choose(service))
