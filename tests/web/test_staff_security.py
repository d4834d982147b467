"""The pages under the server's Content-Security-Policy in headless Chromium (no inline script or style, nothing
from another host: a violation is a SEVERE "security" entry of the browser log), the API document drawn
from /openapi.json, and the fleet page's sign-in lockouts, cleared by an administrator."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from tests.support.server_proc import ServerProcess, start_server
from tests.support.tickets import issue, kiosk_session
from tests.ui.conftest import ALWAYS_OPEN
from tests.web.test_staff_sign_in import sign_in, signed_in


@pytest.fixture
def server(web_sqlite_dir: Path) -> Iterator[ServerProcess]:
    process = start_server(database_url=f"sqlite:///{web_sqlite_dir / ('csp-' + uuid.uuid4().hex[:8] + '.db')}",
                           settings=ALWAYS_OPEN)
    yield process
    process.stop()


def refused_by_the_page(driver: WebDriver) -> list[dict]:
    """Script errors and Content-Security-Policy violations logged since the last call."""
    return [e for e in driver.get_log("browser")
            if e["level"] == "SEVERE" and e["source"] in ("security", "javascript")]


def shows(driver: WebDriver, css: str, timeout: float = 15) -> None:
    WebDriverWait(driver, timeout).until(lambda d: d.find_elements(By.CSS_SELECTOR, css))


def test_every_page_works_under_the_content_security_policy(server: ServerProcess, browsers, artifacts: Path) -> None:  # type: ignore[no-untyped-def]
    ticket = issue(kiosk_session(server), server, "mynumber")
    browser = browsers(1280, 900)
    # The policy reaches the browser, and it blocks what it should: an inline script is refused.
    browser.get(server.base_url + "/lobby")
    shows(browser, '.queue[data-service="mynumber"]')
    assert refused_by_the_page(browser) == []
    browser.execute_script("const s = document.createElement('script'); s.textContent = 'window.ran = 1';"
                           "document.body.append(s);")
    assert browser.execute_script("return window.ran") is None
    assert any("Content Security Policy" in e["message"] for e in refused_by_the_page(browser))

    browser.get(ticket["status_url"])
    WebDriverWait(browser, 15).until(lambda d: d.find_element(By.ID, "number").text == ticket["number"])
    assert refused_by_the_page(browser) == []

    browser.get(server.base_url + "/counter")
    sign_in(browser, server)
    signed_in(browser, "console", ".queue-card")
    for page, main, ready in (("fleet", "fleet", "#kiosk-rows tr"), ("stats", "stats", "[data-total=sessions] strong")):
        browser.get(f"{server.base_url}/{page}")
        signed_in(browser, main, ready)
        assert refused_by_the_page(browser) == [], page

    # The API document: drawn by a local script from /openapi.json, every operation and schema.
    browser.get(server.base_url + "/docs")
    shows(browser, "section.op")
    document = requests.get(server.base_url + "/openapi.json", timeout=10).json()
    operations = sum(len(item) for item in document["paths"].values())
    assert len(browser.find_elements(By.CSS_SELECTOR, "section.op")) == operations
    assert len(browser.find_elements(By.CSS_SELECTOR, "section.schema")) == len(document["components"]["schemas"])
    login = browser.find_element(By.ID, document["paths"]["/v1/staff/sessions"]["post"]["operationId"])
    assert "POST" in login.text and "StaffLoginCreate" in login.text
    browser.save_screenshot(str(artifacts / "docs.png"))
    assert refused_by_the_page(browser) == []


def test_the_fleet_page_lists_lockouts_and_an_admin_clears_one(server: ServerProcess, browsers,  # type: ignore[no-untyped-def]
                                                              artifacts: Path) -> None:
    guessed = f"guess-{uuid.uuid4().hex[:6]}"  # an id nobody has: locked like a real one
    for _ in range(5):  # config/server.toml: 5 wrong PINs per staff id
        answer = requests.post(server.base_url + "/v1/staff/sessions", json={"staff_id": guessed, "pin": "0000"},
                               headers={"X-Forwarded-For": "10.9.8.7"}, timeout=15)
    assert answer.json()["error"]["code"] == "staff_locked"

    browser = browsers(1400, 1000)
    browser.get(server.base_url + "/fleet")
    sign_in(browser, server)
    signed_in(browser, "fleet", "#kiosk-rows tr")
    row = '#lockout-rows tr[data-kind="account"]'
    shows(browser, row)
    assert guessed in browser.find_element(By.CSS_SELECTOR, row).text
    assert "5" in browser.find_element(By.CSS_SELECTOR, row).text
    browser.save_screenshot(str(artifacts / "fleet-lockouts.png"))
    browser.find_element(By.CSS_SELECTOR, f"{row} button.clear-lockout").click()
    WebDriverWait(browser, 15).until(lambda d: not d.find_elements(By.CSS_SELECTOR, row))
    assert "なし" in browser.find_element(By.ID, "lockout-rows").text
    answer = requests.post(server.base_url + "/v1/staff/sessions", json={"staff_id": guessed, "pin": "0000"},
                           headers={"X-Forwarded-For": "10.9.8.7"}, timeout=15)
    assert answer.json()["error"]["code"] == "bad_credentials"  # counted afresh after the clearing
    assert refused_by_the_page(browser) == []
