"""Registration application, last step: sent (the reference large, the way to the counter with an ID, and the
ticket that carries the reference), not possible here, a PIN blocked or the certificate expired. Each leads with
its status sign, a short headline and what to do next; the details follow, smaller."""

from __future__ import annotations

from kivy.properties import StringProperty

from kiosk.flows import registration as flow
from kiosk.flows.card_steps import CardUnusable, CertificateExpired, PinBlocked
from screens.card_stop import card_stop_text
from screens.result_screen import ResultScreen

Outcome = flow.Sent | flow.Failed | PinBlocked | CertificateExpired | CardUnusable


class RegistrationResultScreen(ResultScreen):
    """The outcome, a retry where it is worth one, and the counter ticket."""

    counter_ticket_for = staticmethod(flow.counter_ticket_for)

    reference_text = StringProperty("")
    body_text = StringProperty("")

    def render(self, state: Outcome) -> None:
        """Show the outcome."""
        tr, lang = self.app.tr, self.app.lang
        self.show(state)
        self.can_retry = isinstance(state, flow.Failed) and state.retry is not None
        self.reference_text = ""
        if isinstance(state, flow.Sent):
            self.title_text = tr("registration.result.sent.title", lang)
            self.next_text = tr("registration.result.sent.next", lang)
            self.reference_text = state.reference
            self.body_text = (tr("registration.result.sent.body", lang) + "\n"
                              + tr("registration.result.sent.ticket", lang))
        elif isinstance(state, flow.Failed):
            key = f"registration.failure.{state.failure}"
            self.title_text = tr(f"{key}.title", lang)
            self.next_text = tr(f"{key}.next", lang)
            self.body_text = tr(key, lang)
        else:  # a card stop
            self.title_text, self.body_text = card_stop_text(state, lang)
            self.next_text = tr("registration.result.blocked.next", lang)
