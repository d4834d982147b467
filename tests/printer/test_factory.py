"""printer_from_config maps the settings table onto backends and names any bad key."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from kiosk.config import PrinterSettings
from kiosk.printer import (
    FilePrinter,
    NetworkTicketPrinter,
    PrinterConfigError,
    PrinterOfflineError,
    SerialTicketPrinter,
    TicketRenderer,
    UsbTicketPrinter,
    printer_from_config,
)


def test_file_is_the_default_backend() -> None:
    printer = printer_from_config({})
    assert isinstance(printer, FilePrinter)
    assert printer.directory == Path("var/tickets")
    assert printer.width_dots == 576


def test_kiosk_config_printer_table_is_accepted_as_is(tmp_path: Path) -> None:
    settings = PrinterSettings(backend="network", directory=str(tmp_path), width_dots=384,
                               options={"host": "192.0.2.10", "port": 9101, "cut": "partial"})
    printer = printer_from_config(dataclasses.asdict(settings))
    assert isinstance(printer, NetworkTicketPrinter)
    assert (printer.host, printer.port, printer.width_dots, printer.cut) == ("192.0.2.10", 9101, 384, "partial")


def test_usb_ids_may_be_written_in_hex() -> None:
    printer = printer_from_config({"backend": "usb", "vendor_id": "0x04b8", "product_id": 0x0E15,
                                   "out_ep": "0x03"})
    assert isinstance(printer, UsbTicketPrinter)
    assert (printer.vendor_id, printer.product_id, printer.out_ep, printer.in_ep) == (0x04B8, 0x0E15, 3, None)
    assert printer.describe() == "USB printer 04b8:0e15"


def test_serial_backend_and_its_defaults() -> None:
    printer = printer_from_config({"backend": "serial", "device": "/dev/ttyS9", "baudrate": "38400"})
    assert isinstance(printer, SerialTicketPrinter)
    assert (printer.device_path, printer.baudrate, printer.check_status) == ("/dev/ttyS9", 38400, True)


@pytest.mark.parametrize(
    ("settings", "key"),
    [
        ({"backend": "laser"}, "printer.backend"),
        ({"backend": "network"}, "printer.host"),
        ({"backend": "usb", "vendor_id": 1}, "printer.product_id"),
        ({"backend": "usb", "vendor_id": "epson", "product_id": 1}, "printer.vendor_id"),
        ({"backend": "network", "host": "h", "hostname": "h"}, "printer.hostname"),
        ({"backend": "network", "host": "h", "port": True}, "printer.port"),
        ({"width_dots": 500}, "printer.width_dots"),
        ({"backend": "serial", "device": "/dev/ttyS0", "cut": "half"}, "printer.cut"),
        ({"backend": "serial", "device": "/dev/ttyS0", "check_status": "maybe"}, "printer.check_status"),
    ],
)
def test_bad_settings_name_the_key(settings: dict[str, object], key: str) -> None:
    with pytest.raises(PrinterConfigError, match=re.escape(key)):
        printer_from_config(settings)


def test_building_a_hardware_printer_touches_no_device() -> None:
    # Lazy: only a print or status call opens the port, so start-up works with the printer off.
    printer = printer_from_config({"backend": "serial", "device": "/dev/does-not-exist"})
    status = printer.status()
    assert not status.online and "/dev/does-not-exist" in (status.error or "")


def test_missing_serial_device_raises_offline_on_print() -> None:
    printer = printer_from_config({"backend": "serial", "device": "/dev/does-not-exist"})
    img = TicketRenderer(576).qr_image("x", 100)
    with pytest.raises(PrinterOfflineError, match="does-not-exist"):
        printer.print_image(img)


def test_renderer_reads_the_same_table() -> None:
    renderer = TicketRenderer.from_config({"backend": "file", "width_dots": 384, "options": {}})
    assert renderer.width == 384
