"""Registration application: what the My Number card holds (name, address, birth date, sex) and what the patron
adds (a phone number, an e-mail address); send the application."""

from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

from kiosk.flows import registration as flow
from screens.base import KioskScreen
from screens.dates import long_date


class RegistrationReviewScreen(KioskScreen):
    """Shows the card's facts as read; the contact rows open their pad or keyboard."""

    name_text = StringProperty("")
    birth_text = StringProperty("")
    sex_text = StringProperty("")
    address_text = StringProperty("")
    phone_text = StringProperty("")
    email_text = StringProperty("")
    problem_text = StringProperty("")
    phone_wrong = BooleanProperty(False)
    email_wrong = BooleanProperty(False)

    def render(self, state: flow.Review) -> None:
        """Show the facts, the contact and what the server (or the kiosk) refused."""
        tr, lang = self.app.tr, self.app.lang
        facts = state.facts
        self.name_text = tr("registration.review.name", lang, value=facts.name)
        self.birth_text = tr("registration.review.birth_date", lang, value=long_date(facts.birth_date, lang))
        self.sex_text = tr("registration.review.sex", lang, value=tr(f"registration.sex.{facts.sex}", lang))
        self.address_text = tr("registration.review.address", lang, value=facts.address)
        none = tr("registration.review.none", lang)
        self.phone_text = tr("registration.review.phone", lang, value=state.phone or none)
        self.email_text = tr("registration.review.email", lang, value=state.email or none)
        self.problem_text = tr(f"registration.problem.{state.problem}", lang) if state.problem else ""
        self.phone_wrong = state.problem is flow.ContactProblem.PHONE
        self.email_wrong = state.problem is flow.ContactProblem.EMAIL

    def edit(self, kind: str) -> None:
        """Type the phone number or the e-mail address."""
        self.app.send(flow.EditContact(flow.Contact(kind)))

    def send(self) -> None:
        """Send the application."""
        self.app.send(flow.Send())

    def wipe(self) -> None:
        super().wipe()
        self.phone_wrong = self.email_wrong = False
