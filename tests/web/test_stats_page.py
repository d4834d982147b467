"""The statistics page in headless Chromium: staff log in, see kiosk outcomes the real kiosk client sent
(charts and tables, small counts shown as "<3" and hatched), change the date range, and download the CSV."""

from __future__ import annotations

import csv
import io
import tempfile
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import requests
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

from kiosk.api.client import KioskApiClient
from kiosk.clock import LIBRARY_TZ
from kiosk.statistics import Outcome, payload
from tests.support.browser import click, file_appears, type_into, until
from tests.support.server_proc import REPO_ROOT, ServerProcess, start_server
from tests.ui.conftest import ALWAYS_OPEN
from tests.web.conftest import CHROMEDRIVER, CHROMIUM

ARTIFACTS = REPO_ROOT / "var" / "test-artifacts" / "web"
TODAY = "2026-06-15"


@pytest.fixture
def server() -> Iterator[ServerProcess]:
    directory = Path(tempfile.mkdtemp(prefix="saga-stats-web-"))
    process = start_server(database_url=f"sqlite:///{directory / 'server.db'}",
                           settings={"SERVER_TODAY": TODAY, **ALWAYS_OPEN})
    yield process
    process.stop()


@pytest.fixture
def downloads(tmp_path: Path) -> Path:
    return tmp_path / "downloads"


@pytest.fixture
def browser(downloads: Path) -> Iterator[webdriver.Chrome]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--no-first-run", "--window-size=1400,1500", "--lang=ja"):
        options.add_argument(argument)
    downloads.mkdir()
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def send(client: KioskApiClient, service: str, outcome: str, reason: str | None, hour: int, times: int) -> None:
    at = datetime(2026, 6, 15, hour, 20, tzinfo=LIBRARY_TZ)
    for _ in range(times):
        client.record_outcome(payload(Outcome(service, outcome, reason), at), idempotency_key=str(uuid.uuid4()))


def value(browser: webdriver.Chrome, css: str) -> str:
    return browser.find_element(By.CSS_SELECTOR, css).get_attribute("data-value")


def test_stats_page_shows_charts_tables_and_exports_csv(server: ServerProcess, browser: webdriver.Chrome,
                                                         downloads: Path) -> None:
    client = KioskApiClient(server.base_url, server.kiosk_id, server.kiosk_secret, timeout=5)
    send(client, "migrate", "completed", None, 10, 5)
    send(client, "migrate", "counter", "no_old_link", 11, 3)
    send(client, "migrate", "failed", "pin_blocked", 11, 1)
    send(client, "expiry", "completed", "valid", 14, 4)
    send(client, "expiry", "abandoned", "left_card_number", 14, 2)
    # Three queue tickets from the kiosk, called at the counter: the average wait is shown.
    for _ in range(3):
        client.issue_ticket("mynumber", idempotency_key=str(uuid.uuid4()))
    token = requests.post(server.base_url + "/v1/staff/sessions",
                          json={"staff_id": server.staff_id, "pin": server.staff_pin}, timeout=10).json()["token"]
    for _ in range(3):
        called = requests.post(server.base_url + "/v1/counter/calls", json={"service": "mynumber", "counter": "1"},
                               headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert called.status_code == 200, called.text

    browser.get(server.base_url + "/stats")
    type_into(browser, "staff-id", server.staff_id)
    type_into(browser, "pin", server.staff_pin)
    click(browser, "#login-button")
    until(browser, lambda b: b.find_element(By.CSS_SELECTOR, "[data-total=sessions] strong").text == "15",
          "15 sessions")
    # The server's today is the range's end; the default range is 30 days.
    assert browser.find_element(By.ID, "end").get_attribute("value") == TODAY
    assert browser.find_element(By.ID, "start").get_attribute("value") == "2026-05-17"
    assert browser.find_element(By.CSS_SELECTOR, "[data-total=failed] strong").text == "<3"
    # Charts: the hour columns and the service bars carry their figures; a suppressed one is hatched.
    assert value(browser, "#chart-hours rect[data-key='10'][data-series=sessions]") == "5"
    assert value(browser, "#chart-hours rect[data-key='11'][data-series=sessions]") == "4"
    assert value(browser, "#chart-hours rect[data-key='14'][data-series=sessions]") == "6"
    bar = browser.find_element(By.CSS_SELECTOR, "#chart-services rect[data-service=migrate][data-outcome=failed]")
    assert bar.get_attribute("data-value") == "<3" and bar.get_attribute("class") == "suppressed"
    assert value(browser, "#chart-services rect[data-service=migrate][data-outcome=counter]") == "3"
    assert value(browser, f"#chart-days rect[data-key='{TODAY}'][data-series=sessions]") == "15"
    # Tables: reasons (a blocked PIN once: not shown as 1), the kiosk.
    reasons = {r.get_attribute("data-reason"): r.find_elements(By.TAG_NAME, "td")[-1].text
               for r in browser.find_elements(By.CSS_SELECTOR, "#reason-rows tr")}
    assert reasons == {"no_old_link": "3", "pin_blocked": "<3", "valid": "4", "left_card_number": "<3"}
    kiosk = browser.find_element(By.CSS_SELECTOR, f"#kiosk-rows tr[data-kiosk='{server.kiosk_id}']")
    assert [td.text for td in kiosk.find_elements(By.CSS_SELECTOR, "td.num")] == ["15", "9", "3", "<3", "<3"]
    assert "個人を特定できる情報は含みません" in browser.find_element(By.ID, "privacy").text
    tickets = browser.find_element(By.CSS_SELECTOR, "#ticket-rows tr[data-service=mynumber]")
    issued, *_, wait_cell = tickets.find_elements(By.CSS_SELECTOR, "td.num")
    assert issued.text == "3" and float(wait_cell.get_attribute("data-value")) >= 0 and "分" in wait_cell.text
    assert browser.find_element(By.CSS_SELECTOR, "[data-total=tickets] strong").text == "3"
    follow_ups = {(r.get_attribute("data-kind"), r.get_attribute("data-status")):
                  r.find_elements(By.TAG_NAME, "td")[-1].text
                  for r in browser.find_elements(By.CSS_SELECTOR, "#follow-up-rows tr")}
    assert follow_ups[("migration", "pending")] == "0" and len(follow_ups) == 11
    assert follow_ups[("registration", "created")] == "0"
    assert value(browser, "#chart-days rect[data-key='2026-06-15'][data-series=tickets]") == "3"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(ARTIFACTS / "stats.png"))
    # Drawn under the server's Content-Security-Policy: no inline style was refused ("security" entries).
    refused = [e for e in browser.get_log("browser") if e["level"] == "SEVERE" and e["source"] == "security"]
    assert refused == []

    # CSV: the same figures, downloaded with the staff token.
    click(browser, "#csv")
    (path,) = file_appears(lambda: list(downloads.glob("*.csv")), "the CSV download")
    assert path.name == f"saga-kiosk-stats-2026-05-17-{TODAY}.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    by = {(r["section"], r["service"], r["outcome"], r["reason"]): r["value"] for r in rows}
    assert by[("kiosk_outcome_reason", "migrate", "counter", "no_old_link")] == "3"
    assert by[("kiosk_outcome_reason", "migrate", "failed", "pin_blocked")] == "<3"

    # Another range: a week before anything was recorded.
    for field, day in (("start", "2026-06-01"), ("end", "2026-06-07")):
        browser.execute_script("arguments[0].value = arguments[1]", browser.find_element(By.ID, field), day)
    click(browser, "#show")
    until(browser, lambda b: b.find_element(By.CSS_SELECTOR, "[data-total=sessions] strong").text == "0", "0 sessions")
    assert "Nothing recorded yet" in browser.find_element(By.ID, "chart-services").text
    assert len(browser.find_elements(By.CSS_SELECTOR, "#chart-days rect[data-series=sessions]")) == 7
