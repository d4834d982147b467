"""Migration, step 5: the card's facts read without a PIN, and "is the second PIN the same?"."""

from __future__ import annotations

from kivy.properties import StringProperty

from kiosk.flows import card_steps as cs
from screens.base import KioskScreen
from screens.dates import long_date


class MigrateSamePinScreen(KioskScreen):
    """Shows the certificate's expiry and both PINs' tries before any PIN is asked."""

    certificate_text = StringProperty("")
    tries_text = StringProperty("")

    def render(self, state: cs.SamePin) -> None:
        """Show what the card told."""
        tr, lang = self.app.tr, self.app.lang
        card = state.card
        self.certificate_text = tr("migrate.samepin.certificate", lang,
                                   date=long_date(card.certificate_not_after, lang))
        self.tries_text = tr("migrate.samepin.tries", lang, auth=card.auth_tries, text=card.text_tries)

    def answer(self, same: bool) -> None:
        """The patron's answer."""
        self.app.send(cs.PinsAreSame(same))
