"""The card is working (birth date, signature) and the server answering: keep the card still."""

from __future__ import annotations

from kivy.properties import StringProperty

from kiosk.flows import expiry
from kiosk.flows import migration as flow
from screens.base import KioskScreen


class MigrateWorkingScreen(KioskScreen):
    """No buttons: the card must not be taken away while it signs (its removal is still handled)."""

    body_text = StringProperty("")

    def render(self, state: flow.ReadingBirthDate | flow.Migrating | expiry.CheckingByCard) -> None:
        """Say what the card is doing."""
        self.busy = True
        if isinstance(state, flow.ReadingBirthDate):
            key = "migrate.working.birth"
        elif isinstance(state, expiry.CheckingByCard):
            key = "expiry.working.card"
        else:
            key = "migrate.working.sign"
        self.body_text = self.app.tr(key, self.app.lang)
