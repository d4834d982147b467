"""The base of every flow's result screen: its status sign, headline and next step, and the buttons that every
result has (try again, a ticket for the counter, done)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from kivy.properties import BooleanProperty, StringProperty

from kiosk.flows import common
from kiosk.result_sign import result_sign
from screens.base import KioskScreen


class ResultScreen(KioskScreen):
    """A flow's result: shows its state and forwards the taps on Retry, the counter ticket and Done.

    A subclass names its flow's ``counter_ticket_for`` (the ticket a result offers, if any) and calls
    ``show`` first in its ``render``."""

    #: done / attention / failed: the core's (kiosk/result_sign.py).
    sign = StringProperty("")
    title_text = StringProperty("")
    next_text = StringProperty("")
    can_retry = BooleanProperty(False)
    can_ticket = BooleanProperty(False)

    counter_ticket_for: ClassVar[Callable[[Any], tuple[Any, ...] | None]]

    def show(self, state: object) -> None:
        """Take the state: its sign, and whether it offers a counter ticket."""
        self._state = state
        self.sign = result_sign(state) or ""
        self.can_ticket = self.counter_ticket_for(state) is not None

    def retry(self) -> None:
        """Try the failed step again (the flow knows which: the PIN for a new challenge, or the server call)."""
        self.app.send(common.Retry())

    def counter_ticket(self) -> None:
        """A ticket for the counter that carries why the patron comes (and the reference, where there is one)."""
        offer = self.counter_ticket_for(self._state)
        if offer is not None:
            self.app.counter_ticket(*offer)

    def done(self) -> None:
        """The patron has finished."""
        self.app.send(common.Done())
