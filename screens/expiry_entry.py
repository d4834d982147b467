"""Expiry check, step 1: the library card number, by barcode scanner or number pad."""

from __future__ import annotations

from kivy.core.window import Window
from kivy.properties import StringProperty

from kiosk.cardnumber import ScanBuffer
from kiosk.flows import expiry as flow
from screens.base import KioskScreen

ENTER_KEYS = (13, 271)  # Return and keypad Enter


class ExpiryEntryScreen(KioskScreen):
    """Shows the digits typed so far and why the last try was refused; forwards keys and scans."""

    digits_text = StringProperty("")
    problem_text = StringProperty("")

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._scan = ScanBuffer()

    def on_activate(self) -> None:
        self.app.begin_flow("expiry")
        Window.bind(on_textinput=self._on_textinput, on_key_down=self._on_key_down)

    def on_leave(self, *args: object) -> None:
        Window.unbind(on_textinput=self._on_textinput, on_key_down=self._on_key_down)
        self._scan.take()

    def render(self, state: flow.Entering) -> None:
        """Show the pad's state."""
        self.digits_text = " ".join(state.digits[i : i + 5] for i in range(0, len(state.digits), 5)) or "—"
        self.problem_text = self.app.tr(f"cardnumber.{state.problem}", self.app.lang) if state.problem else ""

    def key(self, key: str) -> None:
        """A number-pad key."""
        event = {"clear": flow.Clear(), "backspace": flow.Backspace()}.get(key) or flow.Digit(key)
        self.app.send(event)

    def submit(self) -> None:
        """Look the number up."""
        self.app.send(flow.Submit())

    def _on_textinput(self, _window: object, text: str) -> None:
        for ch in text:
            self._scan.feed(ch)

    def _on_key_down(self, _window: object, key: int, *_args: object) -> bool:
        if key in ENTER_KEYS:
            self.app.send(flow.Scanned(self._scan.take()))
            return True
        return False
