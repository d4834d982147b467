"""A PIN pad: which PIN, how many tries are left, dots for the digits typed. The digits stay in the core."""

from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

from kiosk.flows import card_steps as cs
from kiosk.flows import common
from screens.base import KioskScreen


class PinPadScreen(KioskScreen):
    """Never holds a digit: keys go straight to the flow's PIN buffer; only the count comes back."""

    title_text = StringProperty("")
    tries_text = StringProperty("")
    dots_text = StringProperty("")
    problem_text = StringProperty("")
    #: One try left: the tries line becomes a warning band in the attention colour, with its sign.
    last_try = BooleanProperty(False)

    def render(self, state: cs.EnteringPin) -> None:
        """Show the pad for one PIN."""
        tr, lang = self.app.tr, self.app.lang
        self.title_text = tr(state.title_key, lang)  # the card's profile names the PIN and its length
        self.last_try = state.tries == 1
        self.tries_text = tr("pin.last_try" if self.last_try else "pin.tries", lang, tries=state.tries)
        self.dots_text = " ".join("●" if i < state.digits else "○" for i in range(state.length))
        if state.too_short:
            self.problem_text = tr("pin.too_short", lang)
        elif state.wrong:
            self.problem_text = tr("pin.wrong", lang, tries=state.tries)
        else:
            self.problem_text = ""

    def key(self, key: str) -> None:
        """A key of the pad: a digit, or 訂正 ("clear": the PIN is typed again from the start)."""
        event = {"clear": common.Clear(), "backspace": common.Backspace()}.get(key) or common.Digit(key)
        self.app.send(event)

    def submit(self) -> None:
        """Use the PIN."""
        self.app.send(common.Submit())
