"""Expiry check, step 2: until when the card is valid, and what to do next."""

from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

from kiosk.flows import expiry as flow
from screens.dates import short_date, year_month
from screens.result_screen import ResultScreen


class ExpiryResultScreen(ResultScreen):
    """Shows the server's answer, the wait for it, or why it could not be had."""

    counter_ticket_for = staticmethod(flow.counter_ticket_for)

    valid_until_text = StringProperty("")
    detail_text = StringProperty("")
    advice_text = StringProperty("")
    #: The privacy view (screens/privacy_slip.py): what this session sent, once there is an answer.
    can_show_sent = BooleanProperty(False)
    can_renew = BooleanProperty(False)

    def render(self, state: flow.LookingUp | flow.Shown | flow.Failed) -> None:
        """Show one of the three result states."""
        self.busy = isinstance(state, flow.LookingUp)
        tr, lang = self.app.tr, self.app.lang
        self.show(state)
        self.can_retry = isinstance(state, flow.Failed) and bool(state.card_number or state.retry_pin)
        self.can_show_sent = not isinstance(state, flow.LookingUp)
        self.can_renew = self.can_ticket and bool(getattr(state, "card_number", ""))
        self.valid_until_text = self.detail_text = self.advice_text = self.next_text = ""
        if isinstance(state, flow.LookingUp):
            self.title_text = tr("expiry.result.checking", lang)
        elif isinstance(state, flow.Failed):
            self.title_text = tr(f"expiry.failure.{state.failure}", lang)
            self.next_text = tr(f"expiry.failure.{state.failure}.next", lang)
        else:
            e = state.expiry
            self.title_text = tr(f"expiry.status.{e.status}", lang)
            if e.days_left is None:  # told to the month: a typed number does not learn the birthday
                self.valid_until_text = tr("expiry.result.valid_until_month", lang,
                                           month=year_month(e.valid_until, lang))
                self.detail_text = tr(f"expiry.result.month.{e.status}", lang,
                                      month=year_month(e.renewable_from, lang))
            else:
                self.valid_until_text = tr("expiry.result.valid_until", lang, date=short_date(e.valid_until, lang),
                                           iso=e.valid_until.isoformat())
                if e.status == flow.CardStatus.EXPIRED:
                    self.detail_text = tr("expiry.result.expired_days", lang, days=-e.days_left)
                else:
                    self.detail_text = tr(f"expiry.result.days_left.{e.status}", lang, days=e.days_left,
                                          renewable_from=short_date(e.renewable_from, lang))
            if e.status != flow.CardStatus.VALID:
                self.next_text = tr("expiry.result.next.renew", lang)
                self.advice_text = tr("expiry.result.what_to_bring", lang)

    def request_renewal(self) -> None:
        """The renewal request at the kiosk, for the card just checked."""
        if isinstance(self._state, flow.Shown) and self._state.card_number:
            self.app.request_renewal(self._state.card_number)
