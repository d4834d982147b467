"""Renewal request, last step: sent (with the reference for the counter), not yet open, not possible here,
a PIN blocked or the 利用者証明用 certificate expired; each with what to do next."""

from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

from kiosk.flows import common
from kiosk.flows import renewal as flow
from kiosk.flows.card_steps import CardUnusable, CertificateExpired, PinBlocked
from kiosk.result_sign import result_sign
from screens.base import KioskScreen
from screens.card_stop import card_stop_text
from screens.dates import long_date, year_month

Outcome = flow.Sent | flow.NotYet | flow.Failed | PinBlocked | CertificateExpired | CardUnusable


class RenewalResultScreen(KioskScreen):
    """The outcome, a retry where it is worth one, and the counter ticket where staff are needed."""

    #: done / attention / failed: the core's (kiosk/result_sign.py).
    sign = StringProperty("")
    title_text = StringProperty("")
    body_text = StringProperty("")
    next_text = StringProperty("")
    can_retry = BooleanProperty(False)
    can_ticket = BooleanProperty(False)

    def render(self, state: Outcome) -> None:
        """Show the outcome."""
        tr, lang = self.app.tr, self.app.lang
        self._state = state
        self.sign = result_sign(state) or ""
        self.can_retry = isinstance(state, flow.Failed) and state.retry is not None
        self.can_ticket = flow.counter_ticket_for(state) is not None
        self.next_text = ""
        if isinstance(state, flow.Sent):
            self.title_text = tr("renewal.result.sent.title", lang)
            self.next_text = tr("renewal.result.sent.next", lang)
            self.body_text = tr("renewal.result.sent.body", lang, reference=state.reference)
            if state.address_differs:
                self.body_text += "\n" + tr("renewal.result.sent.address", lang)
        elif isinstance(state, flow.NotYet):
            self.title_text = tr("renewal.result.not_yet.title", lang)
            self.body_text = ""
            if state.month_only:  # the server told the month only (the day is the patron's birthday)
                self.next_text = tr("renewal.result.not_yet.body_month", lang,
                                    month=year_month(state.renewable_from, lang))
            else:
                self.next_text = tr("renewal.result.not_yet.body", lang, date=long_date(state.renewable_from, lang))
        elif isinstance(state, flow.Failed):
            self.title_text = tr("renewal.result.failed.title", lang)
            self.body_text = ""
            self.next_text = tr(f"renewal.failure.{state.failure}", lang)
        else:  # a card stop
            self.title_text, self.body_text = card_stop_text(state, lang)
            self.next_text = tr("renewal.result.blocked.next", lang)

    def retry(self) -> None:
        """Try the failed step again (the card's facts are still in the session: no PIN)."""
        self.app.send(common.Retry())

    def counter_ticket(self) -> None:
        """A ticket for the counter carrying the reason (and the request's reference)."""
        offer = flow.counter_ticket_for(self._state)
        if offer is not None:
            self.app.counter_ticket(*offer)

    def done(self) -> None:
        """The patron has finished."""
        self.app.send(common.Done())
