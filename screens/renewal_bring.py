"""Renewal without the My Number card: what to bring to the counter, and a renewal ticket in one tap."""

from __future__ import annotations

from kiosk.flows import renewal as flow
from screens.result_screen import FlowEndScreen


class RenewalBringScreen(FlowEndScreen):
    """The library's list of IDs (通知カード not accepted); nothing here depends on the patron."""

    counter_ticket_for = staticmethod(flow.counter_ticket_for)

    def render(self, state: flow.WhatToBring) -> None:
        """Remember the state for the ticket button."""
        self._state = state
