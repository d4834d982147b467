"""A PIN pad: which PIN, how many tries are left, dots for the digits typed. The digits stay in the core."""

from __future__ import annotations

from kivy.properties import StringProperty

from kiosk.flows import card_steps as cs
from kiosk.flows import common
from screens.base import KioskScreen


class PinPadScreen(KioskScreen):
    """Never holds a digit: keys go straight to the flow's PIN buffer; only the count comes back."""

    title_text = StringProperty("")
    tries_text = StringProperty("")
    dots_text = StringProperty("")
    problem_text = StringProperty("")

    def render(self, state: cs.EnteringPin) -> None:
        """Show the pad for one PIN."""
        tr, lang = self.app.tr, self.app.lang
        self.title_text = tr(state.title_key, lang)  # the card's profile names the PIN and its length
        self.tries_text = tr("pin.tries", lang, tries=state.tries)
        self.dots_text = " ".join("●" if i < state.digits else "○" for i in range(state.length))
        if state.too_short:
            self.problem_text = tr("pin.too_short", lang)
        elif state.wrong:
            self.problem_text = tr("pin.wrong", lang, tries=state.tries)
        else:
            self.problem_text = ""

    def key(self, key: str) -> None:
        """A number-pad key."""
        event = {"clear": common.Clear(), "backspace": common.Backspace()}.get(key) or common.Digit(key)
        self.app.send(event)

    def submit(self) -> None:
        """Use the PIN."""
        self.app.send(common.Submit())
