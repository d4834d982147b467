"""ESC/POS backends on python-escpos: one transport per class (USB, network, serial), one job per connection.

A connection is opened for each job and closed after it, so a printer that was switched off and on
again, or a network printer that serves one client at a time, needs no reconnect logic.
"""

from __future__ import annotations

import abc
import copy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

from escpos.escpos import Escpos
from escpos.exceptions import Error as EscposError
from escpos.exceptions import ImageWidthError
from escpos.printer import Network, Serial, Usb
from PIL import Image
from usb.core import NoBackendError

from kiosk.printer.base import TicketPrinter
from kiosk.printer.errors import PrinterError, PrinterOfflineError
from kiosk.printer.status import (
    QUERY_ERROR_CAUSE,
    QUERY_OFFLINE_CAUSE,
    QUERY_PAPER,
    QUERY_PRINTER,
    PrinterStatus,
    check_status_byte,
    offline_status,
    status_from_bytes,
)

ImageImpl = Literal["bitImageRaster", "graphics", "bitImageColumn"]
CutMode = Literal["full", "partial"]

# python-escpos sends an image taller than this in bands of it (a multiple of 24, for the column mode).
BAND_ROWS = 960
# GS ( L (the `graphics` mode) carries its length in two bytes: at most 65,535, counting 10 bytes of
# function and image header. python-escpos does not check it: a 576-dot band of 960 rows (69,130 bytes) went
# out as 3,594 and a printer would read the rest as commands. So graphics bands stay within the field.
_GS_L_MAX = 0xFFFF
_GS_L_HEADER = 10


def band_rows(impl: ImageImpl, width: int) -> int:
    """Rows per image command for this mode and width, so that every length field holds its band."""
    if impl == "graphics":
        return min(BAND_ROWS, (_GS_L_MAX - _GS_L_HEADER) // -(-width // 8))
    return BAND_ROWS


def write_ticket(device: Escpos, image: Image.Image, *, impl: ImageImpl = "bitImageRaster",
                 cut: CutMode = "full") -> None:
    """Send one print job: reset, the image as raster graphics, feed past the cutter, cut."""
    _fit_profile(device, image.width)
    device.hw("INIT")  # ESC @ clears any half-sent state from an earlier, interrupted job
    device.image(image, impl=impl, fragment_height=band_rows(impl, image.width))
    device.cut(mode="PART" if cut == "partial" else "FULL")


def _fit_profile(device: Escpos, width: int) -> None:
    # Profiles that do not know their paper width make python-escpos print a warning for every image.
    # Copy before writing: python-escpos shares one profile_data dict between printers of a profile.
    media = device.profile.profile_data.get("media", {})
    if media.get("width", {}).get("pixels") == "Unknown":
        device.profile.profile_data = copy.deepcopy(device.profile.profile_data)
        device.profile.profile_data["media"]["width"]["pixels"] = width


def read_status(device: Escpos) -> PrinterStatus:
    """Ask DLE EOT 1..4 and combine the answers; raises PrinterOfflineError when the printer is silent."""
    replies = [check_status_byte(bytes(device.query_status(q)), q)
               for q in (QUERY_PRINTER, QUERY_OFFLINE_CAUSE, QUERY_ERROR_CAUSE, QUERY_PAPER)]
    return status_from_bytes(*replies)


class EscposTicketPrinter(TicketPrinter, abc.ABC):
    """Shared job and status logic; subclasses only say how to reach their printer."""

    # Socket, USB and serial errors are OSError subclasses; python-escpos wraps "not found" in its own Error.
    transport_errors: tuple[type[Exception], ...] = (OSError, EscposError)

    def __init__(self, *, width_dots: int = 576, profile: str | None = None, impl: ImageImpl = "bitImageRaster",
                 cut: CutMode = "full", check_status: bool = True) -> None:
        super().__init__(width_dots)
        self.profile = profile
        self.impl: ImageImpl = impl
        self.cut: CutMode = cut
        # Some USB printers (or drivers) cannot be read from; then print blind rather than never print.
        self.check_status = check_status

    @abc.abstractmethod
    def _device(self) -> Escpos:
        """A new, not yet opened python-escpos printer for this transport."""

    @abc.abstractmethod
    def describe(self) -> str:
        """Where the printer is, for error messages and logs."""

    def print_image(self, image: Image.Image, *, label: str | None = None) -> None:
        """Check the printer is ready (if enabled), then print the image and cut."""
        self._check_width(image)
        with self._connected() as device:
            if self.check_status:
                read_status(device).raise_if_not_ready()
            write_ticket(device, image, impl=self.impl, cut=self.cut)
        return None

    def status(self) -> PrinterStatus:
        """The printer's own report, or offline with the reason when it cannot be reached."""
        try:
            with self._connected() as device:
                return read_status(device)
        except PrinterOfflineError as e:
            return offline_status(str(e))

    @contextmanager
    def _connected(self) -> Iterator[Escpos]:
        device = self._device()
        try:
            device.open()
            yield device
        except ImageWidthError as e:
            raise PrinterError(f"{self.describe()}: image wider than the printer profile allows ({e})") from e
        except self.transport_errors as e:
            raise PrinterOfflineError(f"{self.describe()}: {e}") from e
        finally:
            device.close()


class NetworkTicketPrinter(EscposTicketPrinter):
    """A printer on the network, raw TCP (port 9100)."""

    def __init__(self, host: str, port: int = 9100, timeout: float = 5.0, **common: Any) -> None:
        super().__init__(**common)
        self.host, self.port, self.timeout = host, port, timeout

    def _device(self) -> Escpos:
        return Network(self.host, self.port, timeout=self.timeout, profile=self.profile)

    def describe(self) -> str:
        """host:port."""
        return f"network printer {self.host}:{self.port}"


class UsbTicketPrinter(EscposTicketPrinter):
    """A USB printer by vendor and product id."""

    # Without libusb on the machine pyusb raises NoBackendError, a ValueError: still "cannot reach it".
    transport_errors = (*EscposTicketPrinter.transport_errors, NoBackendError)

    def __init__(self, vendor_id: int, product_id: int, *, in_ep: int | None = None, out_ep: int | None = None,
                 timeout: float = 5.0, **common: Any) -> None:
        super().__init__(**common)
        self.vendor_id, self.product_id = vendor_id, product_id
        self.in_ep, self.out_ep, self.timeout = in_ep, out_ep, timeout

    def _device(self) -> Escpos:
        # Only pass endpoints when configured: python-escpos then keeps its own defaults (0x82 / 0x01).
        endpoints = {k: v for k, v in (("in_ep", self.in_ep), ("out_ep", self.out_ep)) if v is not None}
        return Usb(self.vendor_id, self.product_id, timeout=int(self.timeout * 1000), profile=self.profile,
                   **endpoints)

    def describe(self) -> str:
        """vendor:product in hex, as lsusb shows it."""
        return f"USB printer {self.vendor_id:04x}:{self.product_id:04x}"


class SerialTicketPrinter(EscposTicketPrinter):
    """A printer on a serial port."""

    def __init__(self, device: str, baudrate: int = 9600, timeout: float = 1.0, **common: Any) -> None:
        super().__init__(**common)
        self.device_path, self.baudrate, self.timeout = device, baudrate, timeout

    def _device(self) -> Escpos:
        return Serial(self.device_path, baudrate=self.baudrate, timeout=self.timeout, profile=self.profile)

    def describe(self) -> str:
        """Device path and speed."""
        return f"serial printer {self.device_path} at {self.baudrate} baud"
