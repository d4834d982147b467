"""A large on-screen number pad; it only reports keys."""

from __future__ import annotations

from kivy.properties import NumericProperty
from kivy.uix.gridlayout import GridLayout


class NumberPad(GridLayout):
    """Digits 0-9, clear and backspace; fires ``on_key`` with "0".."9", "clear" or "backspace"."""

    __events__ = ("on_key",)
    #: Height of every key: the tallest key's (set in numpad.kv).
    key_height = NumericProperty(0)

    def on_key(self, key: str) -> None:
        """Default handler (screens bind their own)."""
