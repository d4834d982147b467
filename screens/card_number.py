"""The library card number, by barcode scanner or number pad; used by the expiry check and the migration."""

from __future__ import annotations

from kivy.clock import Clock
from kivy.core.window import Window
from kivy.properties import StringProperty

from kiosk.cardnumber import ScanBuffer
from kiosk.flows import common
from screens.base import KioskScreen

ENTER_KEYS = (13, 271)  # Return and keypad Enter


class CardNumberScreen(KioskScreen):
    """Shows the digits typed so far and why the last try was refused; forwards keys and scans."""

    purpose = StringProperty("expiry")
    digits_text = StringProperty("")
    problem_text = StringProperty("")

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._scan = ScanBuffer()
        # The frame of the last keypad key: the character it types (Num Lock), which SDL sends with it, is not a
        # scan's.
        self._keypad_frame = -1

    def on_enter(self, *args: object) -> None:
        Window.bind(on_textinput=self._on_textinput, on_key_down=self._on_key_down)

    def on_leave(self, *args: object) -> None:
        super().on_leave(*args)
        Window.unbind(on_textinput=self._on_textinput, on_key_down=self._on_key_down)
        self._scan.take()

    def render(self, entry: common.Entering, purpose: str) -> None:
        """Show the pad's state, for the expiry check or the migration."""
        self.purpose = purpose
        self.digits_text = " ".join(entry.digits[i : i + 5] for i in range(0, len(entry.digits), 5)) or "—"
        self.problem_text = self.app.tr(f"cardnumber.{entry.problem}", self.app.lang) if entry.problem else ""

    def key(self, key: str) -> None:
        """A number-pad key."""
        event = {"clear": common.Clear(), "backspace": common.Backspace()}.get(key) or common.Digit(key)
        self.app.send(event)

    def submit(self) -> None:
        """Use the number on the pad."""
        self.app.send(common.Submit())

    def _on_textinput(self, _window: object, text: str) -> None:
        if Clock.frames == self._keypad_frame:
            self._keypad_frame = -1
            return
        for ch in text:
            self._scan.feed(ch)

    def _on_key_down(self, _window: object, key: int, *_args: object) -> bool:
        if self.app.keypad.owns(key):  # the tactile keypad (screens/keypad.py) types on the pad, not as a scan
            self._keypad_frame = Clock.frames
            return False
        if key in ENTER_KEYS:
            self.app.send(common.Scanned(self._scan.take()))
            return True
        return False
