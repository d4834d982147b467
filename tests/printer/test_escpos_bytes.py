"""Exact ESC/POS bytes, asserted on python-escpos's Dummy printer: reset, raster image, feed, cut."""

from __future__ import annotations

import random
import time
import typing
from typing import Any

import pytest
from escpos.escpos import Escpos
from escpos.printer import Dummy
from PIL import Image, ImageDraw

from kiosk.printer import CoverOpenError, PaperOutError, PrinterOfflineError, TicketPrint, TicketRenderer
from kiosk.printer.escpos_backend import BAND_ROWS, EscposTicketPrinter, ImageImpl, band_rows, write_ticket
from kiosk.printer.factory import WIDTHS, printer_from_config
from tests.support.escpos_printer import FakeEscposPrinter, Job, decode

ESC_INIT = b"\x1b@"
FEED_6 = b"\x1bd\x06"
FULL_CUT = b"\x1dV\x00"
PART_CUT = b"\x1dV\x01"
STATUS_QUERIES = b"\x10\x04\x01" + b"\x10\x04\x02" + b"\x10\x04\x03" + b"\x10\x04\x04"


def tiny_image() -> Image.Image:
    """16 x 2 dots with the first dot black: small enough to write its raster bytes out by hand."""
    img = Image.new("1", (16, 2), 1)
    img.putpixel((0, 0), 0)
    return img


def test_tiny_image_job_bytes_exactly() -> None:
    dummy = Dummy()
    write_ticket(dummy, tiny_image())
    # GS v 0, normal density, 2 bytes wide (x), 2 rows high (y), then the rows, MSB = leftmost dot.
    raster = b"\x1dv0\x00" + b"\x02\x00" + b"\x02\x00" + b"\x80\x00" + b"\x00\x00"
    assert dummy.output == ESC_INIT + raster + FEED_6 + FULL_CUT


def test_partial_cut_when_configured() -> None:
    dummy = Dummy()
    write_ticket(dummy, tiny_image(), cut="partial")
    assert dummy.output.endswith(FEED_6 + PART_CUT)


def test_ticket_is_sent_as_raster_bands_then_cut(renderer: TicketRenderer, ticket: TicketPrint) -> None:
    img = renderer.render_ticket(ticket)
    dummy = Dummy()
    write_ticket(dummy, img)
    out = dummy.output

    assert out.startswith(ESC_INIT + b"\x1dv0\x00" + (576 // 8).to_bytes(2, "little"))
    # python-escpos splits images taller than 960 rows; the bands follow each other and add up to the ticket.
    heights, pos = [], len(ESC_INIT)
    while out.startswith(b"\x1dv0\x00", pos):
        assert int.from_bytes(out[pos + 4:pos + 6], "little") == 72
        heights.append(int.from_bytes(out[pos + 6:pos + 8], "little"))
        pos += 8 + 72 * heights[-1]
    assert len(heights) == -(-img.height // 960)
    assert sum(heights) == img.height
    assert out[pos:] == FEED_6 + FULL_CUT


class AnsweringDummy(Dummy):
    """A Dummy that answers DLE EOT queries like a printer, from a table of replies."""

    def __init__(self, replies: dict[int, bytes]) -> None:
        super().__init__()
        self.replies = replies
        self._last = b""

    def _raw(self, msg: bytes) -> None:
        super()._raw(msg)
        self._last = msg

    def _read(self) -> bytes:
        if self._last[:2] == b"\x10\x04":
            return self.replies.get(self._last[2], b"")
        return b""


class DummyTicketPrinter(EscposTicketPrinter):
    """The real job and status logic over an AnsweringDummy, kept for inspection."""

    def __init__(self, replies: dict[int, bytes], **common: Any) -> None:
        super().__init__(**common)
        self.dummy = AnsweringDummy(replies)

    def _device(self) -> Escpos:
        return self.dummy

    def describe(self) -> str:
        return "dummy printer"


READY = {1: b"\x12", 2: b"\x12", 3: b"\x12", 4: b"\x12"}


def test_status_is_checked_before_the_job() -> None:
    printer = DummyTicketPrinter(READY, width_dots=16)
    printer.print_image(tiny_image())
    assert printer.dummy.output.startswith(STATUS_QUERIES + ESC_INIT + b"\x1dv0")
    assert printer.dummy.output.endswith(FULL_CUT)


@pytest.mark.parametrize(
    ("replies", "error"),
    [
        ({**READY, 1: b"\x1a", 2: b"\x32", 4: b"\x7e"}, PaperOutError),
        ({**READY, 1: b"\x1a", 2: b"\x16"}, CoverOpenError),
        ({**READY, 1: b"\x1a"}, PrinterOfflineError),
        ({}, PrinterOfflineError),  # no answer at all
    ],
)
def test_not_ready_printer_gets_no_image(replies: dict[int, bytes], error: type[Exception]) -> None:
    printer = DummyTicketPrinter(replies, width_dots=16)
    with pytest.raises(error):
        printer.print_image(tiny_image())
    assert b"\x1dv0" not in printer.dummy.output


def test_status_check_can_be_turned_off_for_write_only_printers() -> None:
    printer = DummyTicketPrinter({}, width_dots=16, check_status=False)
    printer.print_image(tiny_image())
    assert printer.dummy.output.startswith(ESC_INIT + b"\x1dv0")


def test_image_wider_than_the_paper_is_a_bug_not_a_printer_fault() -> None:
    printer = DummyTicketPrinter(READY, width_dots=8)
    with pytest.raises(ValueError, match="wide"):
        printer.print_image(tiny_image())



IMPLS = typing.get_args(ImageImpl)
IMAGE_COMMANDS = {"image", "graphics-store", "graphics-print", "columns", "line-spacing", "lf", "default-spacing"}


def speckled(width: int, height: int, seed: int) -> Image.Image:
    """A 1-bit image of random dots with a black border: any lost, shifted or garbled row shows."""
    rng = random.Random(seed)
    img = Image.frombytes("1", (width, height), rng.randbytes(width * height // 8))
    ImageDraw.Draw(img).rectangle((0, 0, width - 1, height - 1), outline=0)
    return img


def assert_prints_exactly(job: Job, image: Image.Image, impl: str) -> None:
    """The job is reset, image commands only, feed and cut; and the paper shows exactly the image."""
    commands = [c for c in job.commands if not c.startswith("status")]
    assert commands[0] == "init" and commands[-2:] == ["feed", "cut"]
    assert set(commands[1:-2]) <= IMAGE_COMMANDS, f"not an image command: {set(commands[1:-2]) - IMAGE_COMMANDS}"
    on_paper = job.printed_image()
    assert on_paper is not None and on_paper.width == image.width
    # The column mode prints whole 24-dot lines: the last one may add white rows below the image.
    padding = on_paper.height - image.height
    assert padding in (range(24) if impl == "bitImageColumn" else (0,))
    assert on_paper.crop((0, 0, image.width, image.height)).tobytes() == image.tobytes()
    if padding:
        assert on_paper.crop((0, image.height, image.width, on_paper.height)).getextrema() == (255, 255)


@pytest.mark.parametrize("impl", IMPLS)
@pytest.mark.parametrize("width", list(WIDTHS))
def test_every_mode_and_width_prints_the_image_exactly(impl: ImageImpl, width: int) -> None:
    # Taller than two bands, and not a whole number of them, in every mode.
    image = speckled(width, 2 * BAND_ROWS + 77, seed=width)
    dummy = Dummy()
    write_ticket(dummy, image, impl=impl)
    assert_prints_exactly(decode(dummy.output), image, impl)


def test_graphics_bands_fit_the_length_field_at_576_dots() -> None:
    # python-escpos's own 960-row band at 576 dots is 69,130 bytes, which its two-byte field wrapped to 3,594.
    rows = band_rows("graphics", 576)
    assert 10 + 72 * rows <= 0xFFFF < 10 + 72 * (rows + 1)


@pytest.mark.parametrize("impl", IMPLS)
def test_a_ticket_over_the_network_arrives_exactly_in_every_mode(impl: ImageImpl, fake_printer: FakeEscposPrinter,
                                                               renderer: TicketRenderer, ticket: TicketPrint) -> None:
    img = renderer.render_ticket(ticket)
    printer = printer_from_config({"backend": "network", "host": fake_printer.host, "port": fake_printer.port,
                                   "impl": impl, "width_dots": 576})
    printer.print_image(img, label=ticket.number)
    deadline = time.monotonic() + 10
    while not (fake_printer.jobs and "cut" in fake_printer.jobs[-1].commands):
        assert time.monotonic() < deadline, "the job did not arrive"
        time.sleep(0.01)
    assert_prints_exactly(fake_printer.jobs[-1], img, impl)
