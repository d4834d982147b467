"""Renewal request: the card's own name, address and birth date, each marked same as or different from the
library's record (the record itself is never shown); send the request or go back."""

from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

from kiosk.flows import renewal as flow
from screens.base import KioskScreen
from screens.dates import long_date


class RenewalReviewScreen(KioskScreen):
    """Shows what the card says; only the address can differ here (name and birth date matched)."""

    name_text = StringProperty("")
    address_text = StringProperty("")
    address_mark_text = StringProperty("")
    birth_text = StringProperty("")
    address_differs = BooleanProperty(False)

    def render(self, state: flow.Review) -> None:
        """Show the card's facts and the marks."""
        tr, lang = self.app.tr, self.app.lang
        facts = state.facts
        same = tr("renewal.review.same", lang)
        self.address_differs = state.comparison.address_differs
        self.name_text = tr("renewal.review.name", lang, value=facts.name) + "   " + same
        self.birth_text = tr("renewal.review.birth_date", lang, value=long_date(facts.birth_date, lang)) + "   " + same
        self.address_text = tr("renewal.review.address", lang, value=facts.address)
        self.address_mark_text = tr("renewal.review.differs" if self.address_differs else "renewal.review.same", lang)

    def send(self) -> None:
        """Ask for the renewal."""
        self.app.send(flow.Send())

    def wipe(self) -> None:
        super().wipe()
        self.address_differs = False
