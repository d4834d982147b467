"""Card check-up, first step: place the My Number card (placing it starts the check-up by itself)."""

from __future__ import annotations

from kiosk.flows import checkup as flow
from screens.base import KioskScreen
from screens.place_card import PlaceCard  # noqa: F401 - registers the widget class the kv rule uses


class CheckupIntroScreen(KioskScreen):
    """What the check-up looks at, and that the 個人番号 is never read."""

    def render(self, state: flow.Intro) -> None:
        """Nothing varies: the texts follow the language."""

    def on_activate(self) -> None:
        self.ids.place.start()

    def on_leave(self, *args: object) -> None:
        super().on_leave(*args)
        self.ids.place.stop()

    def start(self) -> None:
        """The card is on the reader already."""
        self.app.send(flow.Start())
