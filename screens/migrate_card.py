"""Migration, step 4: place the My Number card; it is read without a PIN."""

from __future__ import annotations

from kivy.properties import StringProperty

from kiosk.flows import card_steps as cs
from screens.base import KioskScreen
from screens.place_card import PlaceCard  # noqa: F401 - registers the widget class the kv rule uses


class MigrateCardScreen(KioskScreen):
    """Waiting for the card, or reading it; says why the last card could not be used."""

    body_text = StringProperty("")
    trouble_text = StringProperty("")

    def render(self, state: cs.WaitingForCard | cs.ReadingCard) -> None:
        """Show the wait or the read."""
        self.busy = isinstance(state, cs.ReadingCard)
        tr, lang = self.app.tr, self.app.lang
        if isinstance(state, cs.ReadingCard):
            self.body_text, self.trouble_text = tr("migrate.card.reading", lang), ""
        else:
            self.body_text = tr("migrate.card.body", lang)
            self.trouble_text = tr(f"migrate.card.trouble.{state.trouble}", lang) if state.trouble else ""
        self._motion()

    def on_activate(self) -> None:
        self._motion()

    def on_leave(self, *args: object) -> None:
        super().on_leave(*args)
        self.ids.place.stop()

    def _motion(self) -> None:
        """The card comes down onto the reader while the screen waits for it; still while it is read."""
        place = self.ids.place
        if self.busy or self.manager is None or self.manager.current != self.name:
            place.stop()
        elif not place.moving:
            place.start()
