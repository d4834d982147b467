"""Queue ticket, step 2: issuing, printing, the number (large when it did not print), or why not."""

from __future__ import annotations

from datetime import datetime

from kivy.properties import BooleanProperty, StringProperty

from kiosk import i18n
from kiosk.clock import LIBRARY_TZ
from kiosk.flows import common
from kiosk.flows import ticket as flow
from kiosk.result_sign import result_sign
from screens.base import KioskScreen
from screens.dates import day_and_time

Shown = flow.Issuing | flow.Printing | flow.Printed | flow.PrintFailed | flow.IssueFailed


class TicketResultScreen(KioskScreen):
    """Shows the issued ticket; the number is the one thing a patron must leave with."""

    #: done / attention / failed: the core's (kiosk/result_sign.py).
    sign = StringProperty("")
    title_text = StringProperty("")
    service_text = StringProperty("")
    number_text = StringProperty("")
    detail_text = StringProperty("")
    advice_text = StringProperty("")
    can_retry = BooleanProperty(False)

    def render(self, state: Shown) -> None:
        """Show one of the ticket states."""
        self.busy = isinstance(state, flow.Issuing | flow.Printing)
        self.sign = result_sign(state) or ""
        tr, lang = self.app.tr, self.app.lang
        self.can_retry = isinstance(state, flow.IssueFailed) and state.failure is not flow.IssueFailure.CLOSED
        self.service_text = self.number_text = self.detail_text = self.advice_text = ""
        if isinstance(state, flow.Issuing):
            self.title_text = tr("ticket.issuing", lang)
            return
        if isinstance(state, flow.IssueFailed):
            self.title_text = tr(f"ticket.failed.{state.failure}.title", lang)
            if state.failure is flow.IssueFailure.CLOSED:
                self.advice_text = (tr("ticket.failed.closed.body", lang, opens=_when(state.opens_at, lang))
                                    if state.opens_at else tr("ticket.failed.closed.body_unknown", lang))
            else:
                self.advice_text = tr(f"ticket.failed.{state.failure}.body", lang)
            return
        t = state.ticket
        self.service_text = _service_name(t, lang)
        self.number_text = t.number
        wait = (tr("ticket.wait", lang, minutes=t.wait_minutes) if t.wait_minutes is not None
                else tr("ticket.wait_unknown", lang))
        self.detail_text = tr("ticket.ahead", lang, people=t.people_ahead) + "\n" + wait
        if isinstance(state, flow.Printing):
            self.title_text = tr("ticket.printing", lang)
        elif isinstance(state, flow.Printed):
            self.title_text = tr("ticket.printed.title", lang)
            self.advice_text = tr("ticket.printed.body", lang)
        else:
            self.title_text = tr("ticket.print_failed.title", lang)
            self.advice_text = (tr("ticket.print_failed.body", lang) + " "
                                + tr(f"ticket.print_failed.{state.failure}", lang))

    def retry(self) -> None:
        """Ask the server again, with the same idempotency key."""
        self.app.send(common.Retry())

    def done(self) -> None:
        """The patron has finished."""
        self.app.send(common.Done())


def _service_name(t: flow.TicketView, lang: str) -> str:
    """The server names each service in Japanese and English; the kiosk's catalogues name it in the others."""
    if lang in ("ja", "en"):
        return t.service_ja if lang == "ja" else t.service_en
    key = f"ticket.service.{t.service}"
    name = i18n.translate(key, lang)
    if name != key:
        return name
    return t.service_ja if lang == "ja-easy" else t.service_en  # a service added on the server only


def _when(moment: datetime, lang: str) -> str:
    local = moment.astimezone(LIBRARY_TZ)
    return day_and_time(local, lang)
