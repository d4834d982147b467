"""A letter-and-digit keyboard for staff ids (no system keyboard on a kiosk); it only reports keys."""

from __future__ import annotations

from kivy.factory import Factory
from kivy.uix.gridlayout import GridLayout

ROWS = ("1234567890", "qwertyuiop", "asdfghjkl-", "zxcvbnm._@")


class StaffKeyboard(GridLayout):
    """Fires ``on_key`` with one character, or "backspace"."""

    __events__ = ("on_key",)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(cols=10, **kwargs)
        for row in ROWS:
            for char in row:
                self.add_widget(self._key(char, char))
        self.add_widget(self._key("←", "backspace"))

    def _key(self, label: str, value: str) -> object:
        key = Factory.PadKey(text=label)
        key.bind(on_release=lambda *_: self.dispatch("on_key", value))
        return key

    def on_key(self, key: str) -> None:
        """Default handler (screens bind their own)."""
