"""A short message over the screen that goes away by itself (or with a tap)."""

from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import StringProperty

from screens.release import TransientView

SHOW_S = 5.0


class Toast(TransientView):
    """Shows ``text`` for a few seconds."""

    text = StringProperty("")

    def on_open(self) -> None:
        Clock.schedule_once(lambda _dt: self.dismiss(), SHOW_S)
