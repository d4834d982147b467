"""Renewal request, last step: sent (with the reference for the counter), not yet open, not possible here,
a PIN blocked or the 利用者証明用 certificate expired; each with what to do next."""

from __future__ import annotations

from kivy.properties import StringProperty

from kiosk.flows import renewal as flow
from kiosk.flows.card_steps import CardUnusable, CertificateExpired, PinBlocked
from screens.card_stop import card_stop_text
from screens.dates import long_date, year_month
from screens.result_screen import ResultScreen

Outcome = flow.Sent | flow.NotYet | flow.Failed | PinBlocked | CertificateExpired | CardUnusable


class RenewalResultScreen(ResultScreen):
    """The outcome, a retry where it is worth one, and the counter ticket where staff are needed."""

    counter_ticket_for = staticmethod(flow.counter_ticket_for)

    body_text = StringProperty("")

    def render(self, state: Outcome) -> None:
        """Show the outcome."""
        tr, lang = self.app.tr, self.app.lang
        self.show(state)
        self.can_retry = isinstance(state, flow.Failed) and state.retry is not None
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
