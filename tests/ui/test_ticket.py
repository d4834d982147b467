"""整理券の発行 through the real app and the real server: one ticket per choice, printed to the file
backend (Japanese glyphs and a QR that decodes to the status page), and a printer or counter that fails."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from tests.support.kiosk_app import KioskProcess, kiosk_env
from tests.support.ports import free_port
from tests.support.server_proc import ServerProcess, start_server
from tests.ui.conftest import ALWAYS_OPEN, TODAY, server_env
from tests.ui.test_every_screen import both_languages

# Open one minute a day: closed whenever this test runs (but at 00:00 Tokyo time).
NEARLY_ALWAYS_CLOSED = {**ALWAYS_OPEN, "SERVER_COUNTER_HOURS_WEEKDAY": json.dumps(["00:00", "00:01"]),
                        "SERVER_COUNTER_HOURS_WEEKEND": json.dumps(["00:00", "00:01"])}


@pytest.fixture
def ticket_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServerProcess]:
    hours = getattr(request, "param", ALWAYS_OPEN)
    server = start_server(database_url=f"sqlite:///{tmp_path / 'tickets.db'}",
                          settings={"SERVER_TODAY": TODAY.isoformat(), **hours})
    try:
        yield server
    finally:
        server.stop()


def run_kiosk(display: str, server: ServerProcess, tmp_path: Path, **printer: str) -> KioskProcess:
    env = kiosk_env(display, tmp_path / "kivy", **server_env(server),
                    KIOSK_PRINTER_DIRECTORY=str(tmp_path / "printed"), **printer)
    return KioskProcess(env, tmp_path / "kiosk.log")


def test_a_double_tap_prints_one_ticket_with_a_working_qr(display: str, ticket_server: ServerProcess,
                                                         tmp_path: Path) -> None:
    kiosk = run_kiosk(display, ticket_server, tmp_path)
    try:
        kiosk.wait_screen("attract")
        kiosk.tap("btn_ticket")
        kiosk.wait_screen("ticket_service")
        kiosk.screenshot("ticket_service-ja")
        kiosk.double_tap("svc_mynumber")
        state = kiosk.wait_for(lambda s: "整理券をお取りください" in s["texts"], timeout=20)
        assert "M-001" in state["texts"]
        assert kiosk.overflowing() == []
        kiosk.screenshot("ticket_result-printed-ja")
        printed = sorted((tmp_path / "printed").glob("*.png"))
        assert len(printed) == 1, "one choice, one ticket"
        image = Image.open(printed[0])
        codes = zxingcpp.read_barcodes(image)
        assert len(codes) == 1 and "/t/" in codes[0].text, codes
        kiosk.tap("done")
        kiosk.wait_screen("attract")
        # A second patron gets the next number.
        kiosk.tap("btn_ticket")
        kiosk.tap("svc_mynumber")
        kiosk.wait_for(lambda s: "M-002" in s["texts"] and "整理券をお取りください" in s["texts"], timeout=20)
        kiosk.tap("back")  # after a result, Back starts again
        kiosk.wait_screen("attract")
    finally:
        kiosk.stop()


def test_printer_offline_keeps_the_ticket_and_shows_the_number(display: str, ticket_server: ServerProcess,
                                                               tmp_path: Path) -> None:
    kiosk = run_kiosk(display, ticket_server, tmp_path, KIOSK_PRINTER_BACKEND="network",
                      KIOSK_PRINTER_HOST="127.0.0.1", KIOSK_PRINTER_PORT=str(free_port()))
    try:
        kiosk.wait_screen("attract")
        kiosk.tap("btn_ticket")
        kiosk.tap("svc_registration")
        state = kiosk.wait_for(lambda s: "整理券を印刷できませんでした" in s["texts"], timeout=30)
        assert "R-001" in state["texts"], "the number is shown large for the patron to note"
        assert any("職員" in t for t in state["texts"])
        kiosk.check_and_shoot("ticket_result-print-failed-ja")
        kiosk.tap("a11y")
        kiosk.tap("large_text")  # the longest ticket answer, in every language, in large text
        kiosk.wait_for(lambda s: s["text_scale"] > 1 and not s["modals"])
        both_languages(kiosk, "large/ticket_result-print-failed")
    finally:
        kiosk.stop()


@pytest.mark.parametrize("ticket_server", [NEARLY_ALWAYS_CLOSED], indirect=True)
def test_closed_counter_says_when_it_opens(display: str, ticket_server: ServerProcess, tmp_path: Path) -> None:
    kiosk = run_kiosk(display, ticket_server, tmp_path)
    try:
        kiosk.wait_screen("attract")
        kiosk.tap("btn_ticket")
        kiosk.tap("svc_other")
        state = kiosk.wait_for(lambda s: "ただいま受付時間外です" in s["texts"], timeout=20)
        assert any(t.startswith("次の受付開始：") and "00:00" in t for t in state["texts"])
        kiosk.screenshot("ticket_result-closed-ja")
    finally:
        kiosk.stop()
