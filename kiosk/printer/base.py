"""The one interface every ticket printer backend implements."""

from __future__ import annotations

import abc
from pathlib import Path

from PIL import Image

from kiosk.printer.status import PrinterStatus


class TicketPrinter(abc.ABC):
    """Prints ready-made ticket images; raises a typed PrinterError and never keeps the ticket itself."""

    def __init__(self, width_dots: int) -> None:
        self.width_dots = width_dots

    @abc.abstractmethod
    def print_image(self, image: Image.Image, *, label: str | None = None) -> Path | None:
        """Print one image and cut; returns the file written by a file backend, else None.

        :param label: a short name for the job (the ticket number), used in file names and logs.
        :raises PrinterError: or a subclass saying why nothing (or not all) was printed.
        """

    @abc.abstractmethod
    def status(self) -> PrinterStatus:
        """Ask the printer how it is; never raises for an unreachable printer, it reports it offline."""

    def _check_width(self, image: Image.Image) -> None:
        # A wider image would be refused or clipped by the printer: a layout bug, not a printer fault.
        if image.width > self.width_dots:
            raise ValueError(f"image is {image.width} dots wide; the paper takes {self.width_dots}")
