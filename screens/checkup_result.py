"""Card check-up, the one screen: the link, the library card, the certificate, and what to do next."""

from __future__ import annotations

from datetime import date

from kivy.properties import BooleanProperty, StringProperty

from kiosk.flows import checkup as flow
from kiosk.flows import migration as mig
from kiosk.flows.expiry import CardStatus
from screens.dates import short_date
from screens.result_screen import ResultScreen


def _day(day: date, language: str) -> str:
    """The date in the patron's words (和暦 in Japanese); the ISO date is written beside it."""
    return short_date(day, language)


def _masked(card_number: str) -> str:
    """Only the last four digits on screen, as on the receipts (someone may be looking over a shoulder)."""
    return "*" * max(0, len(card_number) - 4) + card_number[-4:]


class CheckupResultScreen(ResultScreen):
    """The wait for the server, the report, or why there is none."""

    counter_ticket_for = staticmethod(flow.counter_ticket_for)

    #: What to do next when the check-up could not be made (a report lists its steps below).
    lead_text = StringProperty("")
    link_text = StringProperty("")
    card_text = StringProperty("")
    certificate_text = StringProperty("")
    next_title_text = StringProperty("")
    can_migrate = BooleanProperty(False)
    can_renew = BooleanProperty(False)

    def render(self, state: flow.Checking | flow.Report | flow.Failed) -> None:
        """Show one of the three."""
        tr, lang = self.app.tr, self.app.lang
        self.show(state)
        self.busy = isinstance(state, flow.Checking)
        self.can_retry = isinstance(state, flow.Failed) and state.retry_pin is not None
        report = state if isinstance(state, flow.Report) else None
        self.can_migrate = report is not None and flow.Step.MIGRATE in report.steps
        # The renewal request is another flow's; offered only where the app has it.
        self.can_renew = (report is not None and flow.Step.RENEW_CARD in report.steps
                          and bool(report.view.card_number) and hasattr(self.app, "request_renewal"))
        self.link_text = self.card_text = self.certificate_text = self.next_title_text = self.next_text = ""
        self.lead_text = ""
        if isinstance(state, flow.Checking):
            self.title_text = tr("expiry.result.checking", lang)
            return
        if isinstance(state, flow.Failed):
            self.title_text = tr(f"expiry.failure.{state.failure}", lang)
            self.lead_text = tr(f"expiry.failure.{state.failure}.next", lang)
            return
        view = state.view
        self.title_text = tr("checkup.result.title", lang)
        self.link_text = tr(f"checkup.link.{view.link}", lang)
        if view.expiry is not None and view.card_number:
            e = view.expiry
            status = e.status if e.status in (CardStatus.RENEWABLE, CardStatus.EXPIRED) else CardStatus.VALID
            self.card_text = tr(f"checkup.card.{status}", lang, card=_masked(view.card_number),
                                date=_day(e.valid_until, lang), iso=e.valid_until.isoformat())
        not_after = state.certificate_not_after
        self.certificate_text = tr("checkup.cert", lang, date=_day(not_after, lang), iso=not_after.isoformat())
        self.next_title_text = tr("checkup.next.title", lang)
        day = _day(not_after, lang)
        when = f"{day}（{not_after}）" if lang == "ja" else f"{day}, {not_after}"
        values = {"reference": view.migration_reference or "", "date": when}
        lines = ["・" + tr(f"checkup.next.{step}", lang, **values) for step in state.steps]
        self.next_text = "\n".join(lines)

    def migrate(self) -> None:
        """One tap to the switch to the MyKey scheme, for the library card the check-up found."""
        card_number = self._state.view.card_number if isinstance(self._state, flow.Report) else None
        self.app.begin_flow("migrate")
        if card_number:
            self.app.send(mig.Begin(card_number))

    def request_renewal(self) -> None:
        """The renewal request for this library card (the renewal flow)."""
        if isinstance(self._state, flow.Report) and self._state.view.card_number:
            self.app.request_renewal(self._state.view.card_number)
