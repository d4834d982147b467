"""Registration application, last step: sent (the reference large, the way to the counter with an ID, and the
ticket that carries the reference), not possible here, a PIN blocked or the certificate expired. Each leads with
its status sign, a short headline and what to do next; the details follow, smaller."""

from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

from kiosk.flows import common
from kiosk.flows import registration as flow
from kiosk.flows.card_steps import CardUnusable, CertificateExpired, PinBlocked
from kiosk.result_sign import result_sign
from screens.base import KioskScreen
from screens.card_stop import card_stop_text

Outcome = flow.Sent | flow.Failed | PinBlocked | CertificateExpired | CardUnusable


class RegistrationResultScreen(KioskScreen):
    """The outcome, a retry where it is worth one, and the counter ticket."""

    #: done / attention / failed: the core's (kiosk/result_sign.py).
    sign = StringProperty("")
    title_text = StringProperty("")
    reference_text = StringProperty("")
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

    def retry(self) -> None:
        """Try the failed step again."""
        self.app.send(common.Retry())

    def counter_ticket(self) -> None:
        """A registration ticket for the counter (carrying the application's reference once sent)."""
        offer = flow.counter_ticket_for(self._state)
        if offer is not None:
            self.app.counter_ticket(*offer)

    def done(self) -> None:
        """The patron has finished."""
        self.app.send(common.Done())
