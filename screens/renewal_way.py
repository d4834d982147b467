"""Renewal request, first step: renewal is open; with the My Number card now, or what to bring without it."""

from __future__ import annotations

from kivy.properties import StringProperty

from kiosk.flows import renewal as flow
from screens.base import KioskScreen


class RenewalWayScreen(KioskScreen):
    """Says where the card stands and what the kiosk would read and send; two ways on."""

    status_text = StringProperty("")

    def render(self, state: flow.ChooseWay) -> None:
        """Show the card's status."""
        self.status_text = self.app.tr(f"renewal.way.status.{state.status}", self.app.lang)

    def with_card(self) -> None:
        """The patron has the My Number card."""
        self.app.send(flow.WithCard())

    def without_card(self) -> None:
        """The patron has not."""
        self.app.send(flow.WithoutCard())
