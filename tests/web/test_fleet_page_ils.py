"""The fleet page in headless Chromium shows the ILS connector's state: a server whose SIP2 ILS refuses
connections says so after a kiosk's expiry check failed, with the reason (and a database server says it
answers from its own database)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from selenium import webdriver
from selenium.webdriver.common.by import By

from kiosk.api import HmacAuth
from tests.support.browser import click, type_into, until
from tests.support.ports import free_port
from tests.support.server_proc import ServerProcess, start_server
from tests.web.test_fleet_page import ARTIFACTS, browser  # noqa: F401 - the fixture


@pytest.fixture
def ils_server() -> Iterator[ServerProcess]:
    directory = Path(tempfile.mkdtemp(prefix="saga-fleet-ils-"))
    process = start_server(database_url=f"sqlite:///{directory / 'server.db'}", settings={
        "SERVER_PATRON_SOURCE": "sip2", "SERVER_SIP2_HOST": "127.0.0.1", "SERVER_SIP2_PORT": str(free_port())})
    yield process
    process.stop()


def _source_line(browser: webdriver.Chrome, *words: str) -> str:  # noqa: F811 - the fixture's name
    def read(b: webdriver.Chrome) -> str | None:
        text = b.find_element(By.ID, "patron-source").text
        return text if all(w in text for w in words) else None

    return until(browser, read, f"the patron source line saying {words}")


def test_the_fleet_page_shows_an_unreachable_ils(ils_server: ServerProcess, browser: webdriver.Chrome) -> None:  # noqa: F811
    answer = requests.get(ils_server.base_url + "/v1/cards/2000000121/expiry", timeout=30,
                          auth=HmacAuth(ils_server.kiosk_id, ils_server.kiosk_secret))
    assert answer.status_code == 503 and answer.json()["error"]["code"] == "ils_unreachable"
    browser.get(ils_server.base_url + "/fleet")
    type_into(browser, "staff-id", ils_server.staff_id)
    type_into(browser, "pin", ils_server.staff_pin)
    click(browser, "#login-button")
    line = _source_line(browser, "図書館システム (SIP2)", "接続できません", "Unreachable", "connection refused")
    assert "最終成功 / last success —" in line  # never answered since the process started
    assert browser.find_element(By.ID, "patron-source").get_attribute("data-state") == "unreachable"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(ARTIFACTS / "fleet-ils-unreachable.png"))
