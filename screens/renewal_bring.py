"""Renewal without the My Number card: what to bring to the counter, and a renewal ticket in one tap."""

from __future__ import annotations

from kiosk.flows import common
from kiosk.flows import renewal as flow
from screens.base import KioskScreen


class RenewalBringScreen(KioskScreen):
    """The library's list of IDs (通知カード not accepted); nothing here depends on the patron."""

    def render(self, state: flow.WhatToBring) -> None:
        """Remember the state for the ticket button."""
        self._state = state

    def counter_ticket(self) -> None:
        """A ticket for the counter with the renewal reason."""
        offer = flow.counter_ticket_for(self._state)
        if offer is not None:
            self.app.counter_ticket(*offer)

    def done(self) -> None:
        """The patron has finished."""
        self.app.send(common.Done())
