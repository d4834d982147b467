"""Migration, last step: the status sign, what happened in a few words, what to do next, then the details."""

from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty

from kiosk.flows import card_steps as cs
from kiosk.flows import migration as flow
from kiosk.flows.guidance import blocked_text, unusable_text
from screens.dates import long_date
from screens.result_screen import ResultScreen

Outcome = (flow.Completed | flow.Pending | flow.Refused | cs.CertificateExpired | cs.PinBlocked
           | cs.CardUnusable)


class MigrateResultScreen(ResultScreen):
    """Done, held for staff, refused (with the reason), expired certificate, blocked PIN, or a card to take
    to the counter (a newer generation, face authentication only)."""

    counter_ticket_for = staticmethod(flow.counter_ticket_for)

    body_text = StringProperty("")
    #: The privacy view (screens/privacy_slip.py): what this session sent.
    can_show_sent = BooleanProperty(True)
    can_receipt = BooleanProperty(False)

    def render(self, state: Outcome) -> None:
        """Show the outcome."""
        tr, lang = self.app.tr, self.app.lang
        self.show(state)
        self.can_retry = isinstance(state, flow.Refused) and state.retry_pin is not None
        self.can_receipt = isinstance(state, flow.Completed)
        if isinstance(state, flow.Completed):
            key, values = "migrate.result.completed", {"date": long_date(state.on, lang)}
        elif isinstance(state, flow.Pending):
            key, values = "migrate.result.pending", {"reference": state.reference}
        elif isinstance(state, flow.Refused):
            key, values = f"migrate.result.refused.{state.reason}", {}
        elif isinstance(state, cs.CertificateExpired):
            key, values = "migrate.result.cert_expired", {"date": long_date(state.not_after, lang)}
        elif isinstance(state, cs.CardUnusable):
            self.title_text, self.body_text = unusable_text(state, lang)
            self.next_text = tr("card.unusable.next", lang)
            return
        else:
            self.title_text, self.body_text = blocked_text(state, lang)
            self.next_text = tr("migrate.result.blocked.next", lang)
            return
        self.title_text = tr(f"{key}.title", lang)
        self.next_text = tr(f"{key}.next", lang)
        self.body_text = tr(f"{key}.body", lang, **values)

    def receipt(self) -> None:
        """Print the receipt slip of a completed switch."""
        if isinstance(self._state, flow.Completed):
            self.app.side.print_receipt(self._state.card_number, self._state.on)
