"""The fleet page in headless Chromium: staff log in, see each kiosk's state at a glance, and watch a
kiosk go stale when its heartbeats stop (kiosk core sender → real server → page)."""

from __future__ import annotations

import dataclasses
import tempfile
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

from kiosk import config
from kiosk.api.client import KioskApiClient
from kiosk.api.wire import KioskState
from kiosk.maintenance.heartbeat import HeartbeatSender, LastError, current_state
from kiosk.maintenance.service_mode import ServiceMode
from kiosk.printer.file_backend import FilePrinter
from server.__main__ import main
from tests.support.browser import click, shown, type_into, until
from tests.support.server_proc import REPO_ROOT, ServerProcess, start_server

ARTIFACTS = REPO_ROOT / "var" / "test-artifacts" / "web"
CHROME_ARGS = ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--no-first-run", "--window-size=1400,820", "--lang=ja")


@pytest.fixture
def server() -> Iterator[ServerProcess]:
    directory = Path(tempfile.mkdtemp(prefix="saga-fleet-web-"))
    process = start_server(database_url=f"sqlite:///{directory / 'server.db'}",
                           settings={"SERVER_FLEET_STALE_INTERVALS": "2"})
    yield process
    process.stop()


@pytest.fixture
def browser() -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in CHROME_ARGS:
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=options)
    yield driver
    driver.quit()


def add_kiosk(server: ServerProcess, kiosk_id: str, name: str, monkeypatch: pytest.MonkeyPatch, **beat: object) -> None:
    """Register a kiosk with the admin CLI and, given fields, send it one heartbeat from the kiosk client."""
    secret = "sec-" + uuid.uuid4().hex
    monkeypatch.setenv("SERVER_DATABASE_URL", server.database_url)
    assert main(["admin", "kiosk-create", kiosk_id, "--name", name, "--secret", secret]) == 0
    if beat:
        fields = {"version": "0.1.0", "kiosk_time": datetime.now(UTC), "interval_s": 3600, "in_service": True,
                  "reader": "ACS ACR39U 00 00", "reader_error": None, "printer_online": True, "printer_paper": "ok",
                  "printer_error": None, "outbox_length": 0, "last_error": None, "last_error_at": None, **beat}
        KioskApiClient(server.base_url, kiosk_id, secret, timeout=5).send_heartbeat(KioskState(**fields))


def rows(browser: webdriver.Chrome) -> dict[str, str]:
    return {r.get_attribute("data-kiosk"): r.get_attribute("data-state")
            for r in browser.find_elements(By.CSS_SELECTOR, "#kiosk-rows tr")}


def row_text(browser: webdriver.Chrome, kiosk_id: str, *words: str) -> str:
    """The kiosk's row once it says ``words`` (read again if the page redrew its table meanwhile)."""
    def read(b: webdriver.Chrome) -> str | None:
        text = b.find_element(By.CSS_SELECTOR, f'tr[data-kiosk="{kiosk_id}"]').text
        return text if all(w in text for w in words) else None

    return until(browser, read, f"{words} in the row of {kiosk_id}")


def test_fleet_page_shows_states_and_a_kiosk_going_stale(server: ServerProcess, browser: webdriver.Chrome,
                                                         monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    add_kiosk(server, "kiosk-2f-02", "2F 児童書コーナー", monkeypatch, in_service=False)
    add_kiosk(server, "kiosk-3f-01", "3F 郷土資料", monkeypatch, printer_online=False, printer_paper="out",
              printer_error="paper out", last_error="print: PaperOutError",
              last_error_at=datetime(2026, 11, 25, 0, 55, tzinfo=UTC))
    add_kiosk(server, "kiosk-1f-02", "1F 西口 (設置予定)", monkeypatch)

    # The demo kiosk runs the real kiosk-core sender, one beat a second.
    settings = config.load(environ={"KIOSK_SERVER_URL": server.base_url, "KIOSK_SERVER_SECRET": server.kiosk_secret})
    settings = dataclasses.replace(settings, maintenance=dataclasses.replace(settings.maintenance,
                                                                             heartbeat_interval_s=1))
    client = KioskApiClient(server.base_url, server.kiosk_id, server.kiosk_secret, timeout=3)
    sender = HeartbeatSender(send=client.send_heartbeat, interval_s=1, state=lambda: current_state(
        settings=settings, printer=FilePrinter(tmp_path / "tickets"), service=ServiceMode(tmp_path),
        last_error=LastError(), outbox_length=lambda: 0, list_readers=lambda: ["ACS ACR39U 00 00"]))
    sender.start()
    try:
        browser.get(server.base_url + "/fleet")
        type_into(browser, "staff-id", server.staff_id)
        type_into(browser, "pin", "0000")
        click(browser, "#login-button")
        assert "Wrong staff ID or PIN" in shown(browser, "#login-error").text
        type_into(browser, "pin", server.staff_pin)
        click(browser, "#login-button")
        seen = until(browser, lambda b: len(r := rows(b)) == 4 and r.get("kiosk-demo-01") == "up" and r,
                     "four kiosks, the demo kiosk up")
        assert seen == {"kiosk-demo-01": "up", "kiosk-2f-02": "out_of_service",
                                 "kiosk-3f-01": "printer_problem", "kiosk-1f-02": "never_seen"}
        paper_row = row_text(browser, "kiosk-3f-01", "プリンター異常")
        assert "Paper out" in paper_row and "print: PaperOutError" in paper_row
        demo_row = row_text(browser, "kiosk-demo-01", "稼働中")
        assert "ACS ACR39U 00 00" in demo_row and "0.1.0" in demo_row
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        assert browser.save_screenshot(str(ARTIFACTS / "fleet.png"))
    finally:
        sender.stop()
    # Heartbeats stopped: after two intervals the server says stale, and the page (polling) shows it.
    until(browser, lambda b: rows(b).get("kiosk-demo-01") == "stale", "the demo kiosk stale")
    row_text(browser, "kiosk-demo-01", "応答なし")
    assert browser.save_screenshot(str(ARTIFACTS / "fleet-stale.png"))
    # The page's data comes from the staff endpoint only: without a token it is refused.
    assert requests.get(server.base_url + "/v1/fleet/kiosks", timeout=5).status_code == 401
