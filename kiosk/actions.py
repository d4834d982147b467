"""What a patron can ask for on any step, outside the flow's own steps: call staff, print a receipt slip."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import date, datetime

from kiosk import i18n
from kiosk.api.client import KioskApiClient
from kiosk.api.errors import KioskApiError
from kiosk.clock import LIBRARY_TZ
from kiosk.disclosure import Disclosures, label_key
from kiosk.printer import BilingualLine, PrinterError, SlipPrint, TicketPrinter, TicketRenderer

log = logging.getLogger(__name__)


def masked_card_number(card_number: str) -> str:
    """Only the last four digits, as on a bank receipt: the slip may be left behind."""
    return "*" * max(0, len(card_number) - 4) + card_number[-4:]


def _line(key: str, **values: object) -> BilingualLine:
    return BilingualLine(i18n.translate(key, "ja", **values), i18n.translate(key, "en", **values))


class PatronActions:
    """Side actions; each returns True when it worked and never raises (the screen says what happened)."""

    def __init__(self, api: KioskApiClient, printer: TicketPrinter, renderer: TicketRenderer,
                 now: Callable[[], datetime] = lambda: datetime.now(LIBRARY_TZ)) -> None:
        self.api = api
        self.printer = printer
        self.renderer = renderer
        self.now = now

    def call_staff(self, where: str) -> bool:
        """Raise an alert on the counter console; ``where`` names the step (never personal data)."""
        try:
            self.api.call_staff(where, idempotency_key=str(uuid.uuid4()))
        except KioskApiError as exc:
            log.warning("call staff failed: %s", type(exc).__name__)
            return False
        return True

    def print_migration_receipt(self, card_number: str, on: date) -> bool:
        """A slip saying the link was switched: the date, the card's last digits, and what was not read."""
        slip = SlipPrint(
            title=_line("receipt.migration.title"),
            lines=[
                _line("receipt.migration.card", card=masked_card_number(card_number)),
                _line("receipt.migration.done", date=on.isoformat()),
                _line("receipt.migration.not_read"),
            ],
            issued_at=self.now(),
        )
        try:
            self.printer.print_image(self.renderer.render_slip(slip), label="receipt")
        except PrinterError as exc:
            log.warning("receipt not printed: %s", exc)
            return False
        return True

    def print_disclosures(self, sent: Disclosures, reference: str) -> bool:
        """The privacy slip: what this session sent to the library's server and what it did not, dated."""
        try:
            self.printer.print_image(self.renderer.render_slip(disclosure_slip(sent, reference, self.now())),
                                     label="sent")
        except PrinterError as exc:
            log.warning("what-was-sent slip not printed: %s", exc)
            return False
        return True


def disclosure_slip(sent: Disclosures, reference: str, at: datetime) -> SlipPrint:
    """The slip's content, bilingual; the QR repeats it (field names only) for a machine to read back."""
    fields = [_line(label_key(f), field=f) for f in sent.fields] or [_line("privacy.sent.none")]
    lines = [
        _line("privacy.reference", reference=reference, date=at.strftime("%Y-%m-%d %H:%M")),
        _line("privacy.sent"), *[_bullet(line) for line in fields],
        _line("privacy.not_sent"), *[_bullet(_line(key)) for key in sent.not_sent()],
    ]
    return SlipPrint(title=_line("receipt.privacy.title"), lines=lines, issued_at=at,
                     qr_url=sent.machine_readable(reference, at), qr_caption=_line("receipt.privacy.qr"))


def _bullet(line: BilingualLine) -> BilingualLine:
    return BilingualLine("・" + line.ja, "- " + line.en)
