"""A spinner for card and server work: it appears only if the work takes longer than 300 ms,
so quick answers do not flicker, and it keeps turning (the UI thread is never the one waiting)."""

from __future__ import annotations

from kivy.clock import Clock
from kivy.properties import BooleanProperty, NumericProperty
from kivy.uix.widget import Widget

SHOW_AFTER_S = 0.3
FRAME_S = 1 / 30


class BusyIndicator(Widget):
    """Set ``active``; ``shown`` follows it, 300 ms later; ``angle`` turns while shown."""

    active = BooleanProperty(False)
    shown = BooleanProperty(False)
    angle = NumericProperty(0)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._show = Clock.create_trigger(self._appear, SHOW_AFTER_S)
        self._turn = Clock.schedule_interval(self._step, FRAME_S)
        self._turn.cancel()

    def on_active(self, _instance: object, active: bool) -> None:
        if active:
            self._show()
        else:
            self._show.cancel()
            self._turn.cancel()
            self.shown = False

    def _appear(self, _dt: float) -> None:
        if self.active:
            self.shown = True
            self._turn()

    def _step(self, _dt: float) -> None:
        self.angle = (self.angle - 8) % 360
