"""The staff pages' shared sign-in (server/web/staff.js) in headless Chromium, against a real server: one
session serves the counter console, the fleet page and the statistics page of a tab; a session the server
no longer knows, and the log-out button, bring each page back to its sign-in form; log out ends the session
on the server (its token is refused from then on)."""

from __future__ import annotations

from pathlib import Path

import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from tests.support.browser import click, type_into, until
from tests.support.server_proc import ServerProcess, start_server

# Each staff page, the id of its own content, and something drawn only with data from a signed-in request.
PAGES = (("counter", "console", ".queue-card"), ("fleet", "fleet", "#kiosk-rows tr"),
         ("stats", "stats", "[data-total=sessions] strong"))


def shown(driver: WebDriver, element_id: str) -> bool:
    return driver.find_element(By.ID, element_id).is_displayed()


def sign_in(driver: WebDriver, server: ServerProcess) -> None:
    type_into(driver, "staff-id", server.staff_id)
    type_into(driver, "pin", server.staff_pin)
    click(driver, "#login-button")


def signed_in(driver: WebDriver, main: str, ready: str) -> None:
    until(driver, lambda d: d.find_elements(By.CSS_SELECTOR, ready) and shown(d, main), f"#{main} signed in")
    assert not shown(driver, "login") and shown(driver, "session-bar")


def signed_out(driver: WebDriver, main: str) -> None:
    until(driver, lambda d: shown(d, "login"), f"#{main} signed out")
    assert not shown(driver, main) and not shown(driver, "session-bar")
    assert shown(driver, "staff-id") and shown(driver, "pin") and shown(driver, "login-button")
    assert driver.execute_script("return sessionStorage.getItem('staffToken')") is None


def test_one_session_serves_every_staff_page_and_each_signs_out(web_sqlite_dir: Path, browsers) -> None:  # type: ignore[no-untyped-def]
    server = start_server(database_url=f"sqlite:///{web_sqlite_dir / 'sign-in.db'}")
    try:
        browser = browsers(1280, 800)
        browser.get(server.base_url + "/fleet")
        signed_out(browser, "fleet")
        sign_in(browser, server)
        signed_in(browser, "fleet", "#kiosk-rows tr")
        assert browser.find_element(By.ID, "pin").get_attribute("value") == ""  # the PIN is not kept in the form

        for page, main, ready in PAGES:
            # The tab's session opens every staff page without signing in again.
            browser.get(f"{server.base_url}/{page}")
            signed_in(browser, main, ready)
            # A session the server does not know (ended, revoked): its first request signs the page out.
            browser.execute_script("sessionStorage.setItem('staffToken', 'no-such-session')")
            browser.get(f"{server.base_url}/{page}")
            signed_out(browser, main)
            # Signing in on the page's own form.
            sign_in(browser, server)
            signed_in(browser, main, ready)
            # The log-out button (drawn by staff.js into the page's header) ends the session on the server too.
            token = browser.execute_script("return sessionStorage.getItem('staffToken')")
            assert requests.get(server.base_url + "/v1/staff/migrations", headers={"Authorization": f"Bearer {token}"},
                                timeout=10).status_code == 200
            click(browser, "#logout")
            signed_out(browser, main)
            refused = requests.get(server.base_url + "/v1/staff/migrations",
                                   headers={"Authorization": f"Bearer {token}"}, timeout=10)
            assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthenticated"
            sign_in(browser, server)
            signed_in(browser, main, ready)
        # Script errors, and Content-Security-Policy violations ("security").
        errors = [e for e in browser.get_log("browser")
                  if e["level"] == "SEVERE" and e["source"] in ("javascript", "security")]
        assert errors == []
    finally:
        server.stop()
