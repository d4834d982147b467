"""The staff's way in: a long press in the attract screen's top-left corner (invisible to patrons)."""

from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import NumericProperty
from kivy.uix.widget import Widget


class HiddenCorner(Widget):
    """Fires ``on_long_press`` when held for ``hold_s`` seconds; a tap does nothing."""

    __events__ = ("on_long_press",)
    hold_s = NumericProperty(3.0)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._fire = Clock.create_trigger(lambda _dt: self.dispatch("on_long_press"), self.hold_s)

    def on_touch_down(self, touch: object) -> bool:
        if self.collide_point(*touch.pos):
            self._fire.timeout = self.hold_s
            self._fire()
            touch.grab(self)
            return True
        return False

    def on_touch_up(self, touch: object) -> bool:
        if touch.grab_current is self:
            touch.ungrab(self)
            self._fire.cancel()  # released early: not a long press
            return True
        return False

    def on_long_press(self) -> None:
        """Default handler (the screen binds its own)."""
