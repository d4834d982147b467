"""Ticket printing for the kiosk: render a ticket image, send it to a printer; no Kivy here.

Layout:
    ticket_image.py    TicketPrint / SlipPrint and TicketRenderer (Pillow, qrcode, a Japanese font)
    layout.py          Slip, the small top-to-bottom layout the renderer draws with
    fonts.py           which Japanese font to use, and a check that it really has the glyphs
    base.py            TicketPrinter, the interface of every backend
    file_backend.py    FilePrinter: the same image as PNG (demo mode, tests)
    escpos_backend.py  USB, network and serial ESC/POS printers on python-escpos
    status.py          PrinterStatus and the DLE EOT status bytes
    errors.py          PrinterError and its typed subclasses
    factory.py         printer_from_config(settings)

Typical use (in a worker thread, never the UI thread):
    printer = printer_from_config(settings)
    renderer = TicketRenderer.from_config(settings)
    path = printer.print_image(renderer.render_ticket(ticket), label=ticket.number)
"""

from typing import TYPE_CHECKING

from kiosk.printer.base import TicketPrinter
from kiosk.printer.errors import (
    CoverOpenError,
    FontNotFoundError,
    PaperOutError,
    PrinterConfigError,
    PrinterError,
    PrinterOfflineError,
)
from kiosk.printer.factory import printer_from_config
from kiosk.printer.file_backend import FilePrinter
from kiosk.printer.status import PaperState, PrinterStatus

if TYPE_CHECKING:  # the type checker sees the lazily loaded names below as what they are
    from kiosk.printer.escpos_backend import NetworkTicketPrinter, SerialTicketPrinter, UsbTicketPrinter
    from kiosk.printer.ticket_image import BilingualLine, SlipPrint, TicketPrint, TicketRenderer

_ESCPOS = ("NetworkTicketPrinter", "SerialTicketPrinter", "UsbTicketPrinter")
_RENDERING = ("BilingualLine", "SlipPrint", "TicketPrint", "TicketRenderer")


def __getattr__(name: str) -> object:
    """The ESC/POS backends and the renderer load on first use: python-escpos, Pillow's drawing and qrcode are
    slow to import, and the kiosk checks its printer settings before its first frame (main.py)."""
    if name in _ESCPOS:
        from kiosk.printer import escpos_backend

        return getattr(escpos_backend, name)
    if name in _RENDERING:
        from kiosk.printer import ticket_image

        return getattr(ticket_image, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "BilingualLine",
    "CoverOpenError",
    "FilePrinter",
    "FontNotFoundError",
    "NetworkTicketPrinter",
    "PaperOutError",
    "PaperState",
    "PrinterConfigError",
    "PrinterError",
    "PrinterOfflineError",
    "PrinterStatus",
    "SerialTicketPrinter",
    "SlipPrint",
    "TicketPrint",
    "TicketPrinter",
    "TicketRenderer",
    "UsbTicketPrinter",
    "printer_from_config",
]
