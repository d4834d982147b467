"""The bases of the screens a flow ends on: every such screen offers Done and the counter ticket its state
calls for; a flow's result screen adds its status sign, headline, next step and Retry."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from kivy.properties import BooleanProperty, StringProperty

from kiosk.flows import common
from kiosk.result_sign import result_sign
from screens.base import KioskScreen


class FlowEndScreen(KioskScreen):
    """A screen a flow can end on: forwards the taps on the counter ticket and Done.

    A subclass names its flow's ``counter_ticket_for`` (the ticket a state offers, if any) and keeps the
    state it renders in ``_state``."""

    counter_ticket_for: ClassVar[Callable[[Any], tuple[Any, ...] | None]]
    _state: object

    def counter_ticket(self) -> None:
        """A ticket for the counter that carries why the patron comes (and the reference, where there is one)."""
        offer = self.counter_ticket_for(self._state)
        if offer is not None:
            self.app.counter_ticket(*offer)

    def done(self) -> None:
        """The patron has finished."""
        self.app.send(common.Done())


class ResultScreen(FlowEndScreen):
    """A flow's result: shows its state's sign and whether it offers a ticket, and forwards Retry.

    A subclass calls ``show`` first in its ``render``."""

    #: done / attention / failed: the core's (kiosk/result_sign.py).
    sign = StringProperty("")
    title_text = StringProperty("")
    next_text = StringProperty("")
    can_retry = BooleanProperty(False)
    can_ticket = BooleanProperty(False)

    def show(self, state: object) -> None:
        """Take the state: its sign, and whether it offers a counter ticket."""
        self._state = state
        self.sign = result_sign(state) or ""
        self.can_ticket = self.counter_ticket_for(state) is not None

    def retry(self) -> None:
        """Try the failed step again (the flow knows which: the PIN for a new challenge, or the server call)."""
        self.app.send(common.Retry())
