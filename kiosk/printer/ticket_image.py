"""Render a queue ticket (整理券) or a simple receipt slip as a 1-bit image for a thermal printer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import qrcode
from PIL import Image

from kiosk.clock import LIBRARY_TZ
from kiosk.printer.fonts import FontFiles, resolve_fonts
from kiosk.printer.layout import Slip, Text

DEFAULT_WIDTH_DOTS = 576  # 80 mm paper at 203 dpi; 384 for 58 mm
MIN_TEXT_DOTS = 16


@dataclass(frozen=True)
class BilingualLine:
    """The same short text in Japanese and in English."""

    ja: str
    en: str


LIBRARY_NAME = BilingualLine("佐賀県立図書館", "Saga Prefectural Library")
WAIT_NOTE = BilingualLine("番号が呼ばれるまでお待ちください", "Please wait until your number is called")
QR_CAPTION = BilingualLine("順番と待ち時間はこちら", "Scan to see your place in line")
# What the screens, the status page and the lobby call it: 整理券 (受付番号 is a request's reference code).
TICKET_TITLE = BilingualLine("整理券", "Queue ticket")
NUMBER_LABEL = BilingualLine("整理券番号", "Ticket number")


@dataclass(frozen=True)
class TicketPrint:
    """What a printed queue ticket shows; no personal data."""

    number: str
    service_ja: str
    service_en: str
    issued_at: datetime
    people_ahead: int
    wait_minutes: int | None
    status_url: str
    counter_ja: str = "2階総合カウンター"
    counter_en: str = "2nd floor counter"
    reason: BilingualLine | None = None
    reference: str | None = None


@dataclass(frozen=True)
class SlipPrint:
    """A receipt slip: a title, bilingual lines and an optional QR code."""

    title: BilingualLine
    lines: Sequence[BilingualLine]
    issued_at: datetime
    qr_url: str | None = None
    qr_caption: BilingualLine | None = None


class TicketRenderer:
    """Draws tickets and slips `width_dots` wide with a Japanese font; reuse one instance (fonts are cached)."""

    def __init__(self, width_dots: int = DEFAULT_WIDTH_DOTS, font_path: str | None = None) -> None:
        if width_dots % 8 or not 256 <= width_dots <= 832:
            raise ValueError(f"width_dots must be a multiple of 8 between 256 and 832, not {width_dots}")
        self.width = width_dots
        self.fonts: FontFiles = resolve_fonts(font_path)
        self._scale = width_dots / DEFAULT_WIDTH_DOTS

    @classmethod
    def from_config(cls, settings: Mapping[str, Any]) -> TicketRenderer:
        """Build from the printer settings table (`width_dots`, `font`)."""
        options = settings.get("options") or {}
        font = settings.get("font", options.get("font"))
        return cls(int(settings.get("width_dots", DEFAULT_WIDTH_DOTS)), font)

    def render_ticket(self, ticket: TicketPrint) -> Image.Image:
        """The queue ticket: library, service, the number very large, waiting figures, QR and a note."""
        slip = self._slip()
        self._header(slip)
        self.title(slip)
        slip.text(Text(ticket.service_ja, self._pt(34), bold=True), Text(ticket.service_en, self._pt(22)))
        slip.space(self._px(14))
        slip.text(Text(f"{NUMBER_LABEL.ja}  {NUMBER_LABEL.en}", self._pt(20)))
        slip.fitted(ticket.number, self._pt(190), frame=max(2, self._px(4)))
        slip.space(self._px(14))
        self._row(slip, BilingualLine("発行日時", "Issued"), _when(ticket.issued_at))
        self._row(slip, BilingualLine("お待ちの人数", "People ahead"), _people(ticket.people_ahead))
        self._row(slip, BilingualLine("待ち時間の目安", "Estimated wait"), _wait(ticket.wait_minutes))
        self._row(slip, BilingualLine("窓口", "Counter"), BilingualLine(ticket.counter_ja, ticket.counter_en))
        if ticket.reason:
            self._row(slip, BilingualLine("ご用件", "Purpose"), ticket.reason)
        if ticket.reference:
            self._row(slip, BilingualLine("照会番号", "Reference"), BilingualLine(ticket.reference, ""))
        slip.rule(dashed=True)
        self._qr_block(slip, ticket.status_url, QR_CAPTION)
        slip.rule(dashed=True)
        slip.text(Text(WAIT_NOTE.ja, self._pt(24), bold=True), Text(WAIT_NOTE.en, self._pt(20)))
        slip.space(self._px(8))
        return slip.render()

    def render_slip(self, receipt: SlipPrint) -> Image.Image:
        """A receipt slip with the same header, one bilingual paragraph per line, and an optional QR."""
        slip = self._slip()
        self._header(slip)
        slip.text(Text(receipt.title.ja, self._pt(32), bold=True), Text(receipt.title.en, self._pt(22)))
        slip.space(self._px(10))
        for line in receipt.lines:
            slip.text(Text(line.ja, self._pt(24)), Text(line.en, self._pt(20)), align="left")
            slip.space(self._px(6))
        self._row(slip, BilingualLine("発行日時", "Issued"), _when(receipt.issued_at))
        if receipt.qr_url:
            slip.rule(dashed=True)
            self._qr_block(slip, receipt.qr_url, receipt.qr_caption or BilingualLine("", ""))
        slip.space(self._px(8))
        return slip.render()

    def qr_image(self, url: str, target_width: int) -> Image.Image:
        """QR code of url with its 4-module quiet zone, in whole dots per module, about target_width wide."""
        qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
        qr.add_data(url)
        qr.make(fit=True)
        matrix = qr.get_matrix()
        n = len(matrix)
        # Whole dots per module keep every module the same size on paper; 4 dots (0.5 mm) scans reliably.
        box = max(4, target_width // n)
        small = Image.new("1", (n, n), 1)
        small.putdata([0 if dark else 1 for row in matrix for dark in row])
        return small.resize((n * box, n * box), Image.Resampling.NEAREST)

    def title(self, slip: Slip) -> None:
        """The ticket's title under the library's name: 整理券 / Queue ticket."""
        slip.text(Text(TICKET_TITLE.ja, self._pt(44), bold=True), Text(TICKET_TITLE.en, self._pt(22)))
        slip.space(self._px(16))

    def _slip(self) -> Slip:
        return Slip(self.width, self.fonts, margin=self._px(16))

    def _header(self, slip: Slip) -> None:
        slip.space(self._px(6))
        slip.text(Text(LIBRARY_NAME.ja, self._pt(36), bold=True), Text(LIBRARY_NAME.en, self._pt(22)))
        slip.rule(thickness=max(2, self._px(3)))

    def _row(self, slip: Slip, label: BilingualLine, value: BilingualLine) -> None:
        right = [Text(value.ja, self._pt(28), bold=True)]
        if value.en:
            right.append(Text(value.en, self._pt(19)))
        slip.columns([Text(label.ja, self._pt(22)), Text(label.en, self._pt(18))], right)
        slip.space(self._px(6))

    def _qr_block(self, slip: Slip, url: str, caption: BilingualLine) -> None:
        qr = self.qr_image(url, int(slip.inner_width * 0.42))
        # The QR code's own quiet zone already separates it from the caption.
        slip.beside(qr, [Text(caption.ja, self._pt(24), bold=True), Text(caption.en, self._pt(19))], gap=0)

    def _px(self, size: int) -> int:
        """A length designed for 80 mm paper, scaled to this paper width."""
        return max(1, round(size * self._scale))

    def _pt(self, size: int) -> int:
        """A text size scaled like _px but never below 2 mm (16 dots), the smallest that reads on paper."""
        return max(MIN_TEXT_DOTS, self._px(size))


def _when(at: datetime) -> BilingualLine:
    if at.tzinfo is None:
        # A naive time could be the server's zone or UTC; refuse rather than print a wrong hour.
        raise ValueError("issued_at must be timezone-aware")
    local = at.astimezone(LIBRARY_TZ)
    return BilingualLine(local.strftime("%Y/%m/%d %H:%M"), "")


def _people(n: int) -> BilingualLine:
    return BilingualLine(f"{n}人", "1 person" if n == 1 else f"{n} people")


def _wait(minutes: int | None) -> BilingualLine:
    if minutes is None:
        return BilingualLine("目安なし", "no estimate yet")
    if minutes <= 0:
        return BilingualLine("まもなく", "soon")
    return BilingualLine(f"約{minutes}分", f"about {minutes} min")
