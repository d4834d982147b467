"""The file backend: writes the exact image a thermal printer would get, as a PNG, for demos and tests."""

from __future__ import annotations

import io
import os
import re
from datetime import datetime
from pathlib import Path

from PIL import Image

from kiosk.printer.base import TicketPrinter
from kiosk.printer.errors import PrinterOfflineError
from kiosk.printer.status import PrinterStatus, offline_status

DEFAULT_DIRECTORY = "var/tickets"


class FilePrinter(TicketPrinter):
    """Saves each printed image as `<directory>/<YYYYmmdd-HHMMSS>-<label>.png`; relative to the working dir."""

    def __init__(self, directory: str | Path = DEFAULT_DIRECTORY, width_dots: int = 576) -> None:
        super().__init__(width_dots)
        self.directory = Path(directory)

    def print_image(self, image: Image.Image, *, label: str | None = None) -> Path:
        """Write the PNG and return its path; an existing file is never overwritten."""
        self._check_width(image)
        if image.mode != "1":
            # What a thermal head gets: python-escpos makes any image 1-bit (dithered) the same way.
            image = image.convert("L").convert("1")
        png = io.BytesIO()
        image.save(png, format="PNG")
        stem = datetime.now().strftime("%Y%m%d-%H%M%S") + (f"-{_safe(label)}" if label else "")
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            path = self._create_unique(stem)
            with path.open("wb") as f:
                f.write(png.getvalue())
        except OSError as e:
            raise PrinterOfflineError(f"cannot write ticket image into {self.directory}: {e}") from e
        return path

    def status(self) -> PrinterStatus:
        """Online when the directory exists (or can be made) and is writable."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            return offline_status(f"cannot create {self.directory}: {e.strerror}")
        if not os.access(self.directory, os.W_OK):
            return offline_status(f"{self.directory} is not writable")
        return PrinterStatus(online=True)

    def _create_unique(self, stem: str) -> Path:
        # Exclusive creation: two tickets in the same second (or two kiosks sharing a folder) both survive.
        for n in range(1, 1000):
            path = self.directory / (f"{stem}.png" if n == 1 else f"{stem}-{n}.png")
            try:
                path.open("xb").close()
            except FileExistsError:
                continue
            return path
        raise PrinterOfflineError(f"too many ticket images named {stem} in {self.directory}")


def _safe(label: str) -> str:
    """A label reduced to characters that are safe in any file name."""
    return re.sub(r"[^A-Za-z0-9_-]+", "_", label)[:40] or "ticket"
