"""The ticket image: read back from the file backend, it is the right size, has ink, a QR that decodes
to the status URL, Japanese glyphs, nothing clipped at the edges; a sample is kept for people to look at."""

from __future__ import annotations

import dataclasses
import shutil
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from PIL import Image

from kiosk.printer import BilingualLine, FilePrinter, SlipPrint, TicketPrint, TicketRenderer
from kiosk.printer.ticket_image import TICKET_TITLE
from tests.printer.conftest import STATUS_URL, dark_fraction, decode_qr

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "var" / "test-artifacts" / "tickets"


def edge_columns_blank(image: Image.Image, margin: int) -> bool:
    """True when no black dot lies in the left or right margin: nothing ran off the paper."""
    inverted = Image.eval(image.convert("L"), lambda v: 255 - v)
    left = inverted.crop((0, 0, margin, image.height)).getbbox()
    right = inverted.crop((image.width - margin, 0, image.width, image.height)).getbbox()
    return left is None and right is None


def test_ticket_png_read_back_from_file_backend(renderer: TicketRenderer, ticket: TicketPrint,
                                                tmp_path: Path) -> None:
    path = FilePrinter(tmp_path).print_image(renderer.render_ticket(ticket), label=ticket.number)

    assert path.parent == tmp_path and path.name.endswith("-M-007.png")
    with Image.open(path) as png:
        png.load()
    assert png.mode == "1"
    assert png.width == 576
    assert 700 <= png.height <= 1600  # about 9-20 cm of paper
    assert 0.04 < dark_fraction(png) < 0.4
    assert decode_qr(png) == [STATUS_URL]
    assert edge_columns_blank(png, margin=8)


def keep_for_review(path: Path, name: str) -> None:
    """Copy a printed PNG to var/test-artifacts/tickets/ under a fixed name, replacing the last run's."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, ARTIFACTS / name)


@pytest.mark.parametrize("width", [384, 576])
def test_sample_tickets_saved_for_review(ticket: TicketPrint, width: int, tmp_path: Path) -> None:
    img = TicketRenderer(width).render_ticket(ticket)
    path = FilePrinter(tmp_path, width_dots=width).print_image(img, label=ticket.number)
    keep_for_review(path, f"ticket-{width}.png")

    with Image.open(path) as png:
        assert png.width == width
        assert decode_qr(png) == [STATUS_URL]
        assert edge_columns_blank(png, margin=6)


def test_long_texts_wrap_instead_of_running_off_the_paper(renderer: TicketRenderer,
                                                          ticket: TicketPrint) -> None:
    long = dataclasses.replace(
        ticket,
        number="MY-1234",
        service_en="My Number Card linkage for library card holders and other enquiries at the counter",
        counter_ja="1階こども図書館カウンターまたは2階総合カウンター",
        reason=BilingualLine("マイナンバーカードと利用者カードの連携の確認", "Confirming your My Number Card link"),
        reference="REF-2025-000123",
    )
    short_img = renderer.render_ticket(ticket)
    long_img = renderer.render_ticket(long)

    assert long_img.height > short_img.height
    assert edge_columns_blank(long_img, margin=8)
    assert decode_qr(long_img) == [STATUS_URL]


def test_issue_time_is_printed_in_saga_local_time(renderer: TicketRenderer, ticket: TicketPrint) -> None:
    tokyo = timezone(timedelta(hours=9))
    as_utc = renderer.render_ticket(ticket)  # 01:42 UTC
    as_tokyo = renderer.render_ticket(dataclasses.replace(ticket, issued_at=datetime(2025, 1, 15, 10, 42,
                                                                                      tzinfo=tokyo)))
    other_hour = renderer.render_ticket(dataclasses.replace(ticket, issued_at=datetime(2025, 1, 15, 1, 42,
                                                                                        tzinfo=tokyo)))
    assert as_utc.tobytes() == as_tokyo.tobytes()
    assert as_utc.tobytes() != other_hour.tobytes()


def test_naive_issue_time_is_refused(renderer: TicketRenderer, ticket: TicketPrint) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        renderer.render_ticket(dataclasses.replace(ticket, issued_at=datetime(2025, 1, 15, 10, 42)))


def test_unknown_wait_renders(renderer: TicketRenderer, ticket: TicketPrint) -> None:
    known = renderer.render_ticket(ticket)
    unknown = renderer.render_ticket(dataclasses.replace(ticket, wait_minutes=None))
    assert known.size[0] == unknown.size[0]
    assert known.tobytes() != unknown.tobytes()


def test_receipt_slip_shares_the_layout_and_its_qr_decodes(renderer: TicketRenderer, tmp_path: Path) -> None:
    slip = SlipPrint(
        title=BilingualLine("受付控え", "Receipt"),
        lines=[
            BilingualLine("マイナンバーカードの連携を受け付けました。", "We received your My Number Card link."),
            BilingualLine("職員が確認します。", "A member of staff will confirm it."),
        ],
        issued_at=datetime(2025, 1, 15, 1, 42, tzinfo=UTC),
        qr_url="https://library.example/r/abc",
        qr_caption=BilingualLine("状況の確認", "Check the status"),
    )
    img = renderer.render_slip(slip)
    keep_for_review(FilePrinter(tmp_path).print_image(img, label="slip"), "slip-576.png")

    assert img.width == 576 and img.mode == "1"
    assert decode_qr(img) == ["https://library.example/r/abc"]
    assert decode_qr(renderer.render_slip(dataclasses.replace(slip, qr_url=None))) == []


def test_qr_has_quiet_zone_and_whole_dot_modules(renderer: TicketRenderer) -> None:
    qr = renderer.qr_image(STATUS_URL, 240)
    inverted = Image.eval(qr.convert("L"), lambda v: 255 - v)
    left, top, right, bottom = inverted.getbbox()
    module = left // 4  # the quiet zone is four modules wide
    assert module >= 4
    assert (left, top) == (4 * module, 4 * module)
    assert (qr.width - right, qr.height - bottom) == (4 * module, 4 * module)
    assert qr.width % module == 0


def test_file_backend_never_overwrites_a_ticket(renderer: TicketRenderer, ticket: TicketPrint,
                                                tmp_path: Path) -> None:
    printer = FilePrinter(tmp_path)
    img = renderer.render_ticket(ticket)
    paths = {printer.print_image(img, label="M-007") for _ in range(3)}
    assert len(paths) == 3
    assert all(p.stat().st_size > 0 for p in paths)


def test_renderer_rejects_widths_a_printer_cannot_take() -> None:
    with pytest.raises(ValueError, match="multiple of 8"):
        TicketRenderer(500)


@pytest.mark.parametrize("width", [384, 576])
def test_the_ticket_is_titled_seiriken_as_the_screens_call_it(ticket: TicketPrint, width: int,
                                                               tmp_path: Path) -> None:
    renderer = TicketRenderer(width)
    path = FilePrinter(tmp_path, width_dots=width).print_image(renderer.render_ticket(ticket), label=ticket.number)
    # What the ticket must start with: the library's name, then 整理券 / Queue ticket, drawn on their own.
    heading = renderer._slip()
    renderer._header(heading)
    renderer.title(heading)
    expected = heading.render()
    assert TICKET_TITLE == BilingualLine("整理券", "Queue ticket")
    with Image.open(path) as png:
        assert png.crop((0, 0, width, expected.height)).tobytes() == expected.tobytes()
