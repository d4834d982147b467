"""Shared fixtures: one renderer per session (fonts load once), a sample ticket, a fake network printer."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import zxingcpp
from PIL import Image

from kiosk.printer import TicketPrint, TicketRenderer
from tests.support.escpos_printer import FakeEscposPrinter

STATUS_URL = "https://queue.library.pref.saga.example/t/2025-01-15/M-007?k=Q8xZ3v"


@pytest.fixture(scope="session")
def renderer() -> TicketRenderer:
    return TicketRenderer(576)


@pytest.fixture
def ticket() -> TicketPrint:
    return TicketPrint(
        number="M-007",
        service_ja="利用者登録・更新",
        service_en="Library card registration / renewal",
        issued_at=datetime(2025, 1, 15, 1, 42, tzinfo=UTC),  # 10:42 in Saga
        people_ahead=3,
        wait_minutes=15,
        status_url=STATUS_URL,
        counter_ja="2階総合カウンター",
        counter_en="2nd floor counter",
    )


@pytest.fixture
def fake_printer() -> Iterator[FakeEscposPrinter]:
    with FakeEscposPrinter() as printer:
        yield printer


def decode_qr(image: Image.Image) -> list[str]:
    """Texts of every QR code zxing-cpp finds in the image."""
    return [b.text for b in zxingcpp.read_barcodes(image.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)]


def dark_fraction(image: Image.Image) -> float:
    """Share of black dots in a 1-bit image."""
    hist = image.convert("L").histogram()
    return hist[0] / (image.width * image.height)
