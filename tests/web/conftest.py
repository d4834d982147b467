"""Browser tests: Debian's chromium and chromium-driver, driven by Selenium, headless, as root.

The driver and the browser are given explicitly (Selenium's own driver download cannot work
offline); as root Chromium needs --no-sandbox. Screenshots go to var/test-artifacts/web/.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from tests.support.postgres import PostgresServer, start_postgres

CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts" / "web"


def new_browser(width: int, height: int, arguments: tuple[str, ...] = ()) -> webdriver.Chrome:
    """A headless Chromium window of the given size (and any further command-line switches)."""
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--no-first-run", f"--window-size={width},{height}", "--lang=ja", *arguments):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)


@pytest.fixture
def browsers() -> Iterator[callable]:  # type: ignore[valid-type]
    """A factory of browsers, all closed at the end of the test (before its servers stop)."""
    opened: list[webdriver.Chrome] = []

    def make(width: int = 1280, height: int = 800, arguments: tuple[str, ...] = ()) -> webdriver.Chrome:
        driver = new_browser(width, height, arguments)
        opened.append(driver)
        return driver

    yield make
    for driver in opened:
        try:
            driver.quit()
        except Exception:  # already quit by the test
            pass


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where screenshots go."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def web_pg() -> Iterator[PostgresServer]:
    """A private PostgreSQL server for the browser tests."""
    server = start_postgres()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def web_sqlite_dir() -> Iterator[Path]:
    """A directory for SQLite files, removed at the end."""
    directory = Path(tempfile.mkdtemp(prefix="saga-web-"))
    yield directory
    shutil.rmtree(directory, ignore_errors=True)
