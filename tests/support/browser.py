"""The one way the browser tests wait: on a condition the patron or staff member would see, never on time.

Live pages (counter console, lobby, fleet) redraw their lists on every change, and a staff page fills its
content before showing it (staff.js `enter`), so an element that is present may still be hidden, disabled
or about to be replaced. Clicks and typing therefore wait until the element is clickable (displayed and
enabled, Selenium's element_to_be_clickable), and retry when the page redrew it meanwhile.

Deadlines are generous (a busy 2-core CI machine is 5-10x slower than a quiet one) and a wait fails at once
when the page shows an error instead, so a real failure does not sit out the deadline.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from selenium.common.exceptions import (
    ElementClickInterceptedException,
    ElementNotInteractableException,
    NoSuchElementException,
    StaleElementReferenceException,
    TimeoutException,
)
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.ui import WebDriverWait

from tests.support.waiting import WAIT_S, eventually

# Redrawn, covered for a moment, or not yet shown: try again until the deadline.
TRANSIENT = (StaleElementReferenceException, NoSuchElementException, ElementNotInteractableException,
             ElementClickInterceptedException)
# Error boxes of the staff pages (staff.js showError): shown, a wait ends at once with their text.
ERROR_BOXES = ("action-error",)


def page_error(driver: WebDriver) -> str | None:
    """The text of a staff page's error box when one is shown (a failed request), else None."""
    for box in ERROR_BOXES:
        for element in driver.find_elements(By.ID, box):
            try:
                if element.is_displayed():
                    return element.text
            except StaleElementReferenceException:
                pass
    return None


def wait(driver: WebDriver, timeout: float = WAIT_S, **options: Any) -> WebDriverWait:
    """WebDriverWait that retries while the element it looks at is redrawn or not there yet."""
    return WebDriverWait(driver, timeout, ignored_exceptions=TRANSIENT, **options)


def until(driver: WebDriver, condition: Callable[[WebDriver], Any], what: str, timeout: float = WAIT_S,
          poll: float = 0.05) -> Any:
    """Wait until ``condition`` holds (its truthy value is returned); fail at once if the page shows an error."""
    def check(d: WebDriver) -> Any:
        error = page_error(d)
        if error is not None:
            raise AssertionError(f"waiting for {what}, the page showed an error: {error}")
        return condition(d)

    try:
        return wait(driver, timeout, poll_frequency=poll).until(check)
    except TimeoutException:
        raise AssertionError(f"{what}: not within {timeout:.0f} s ({driver.current_url})") from None


def shown(driver: WebDriver, css: str, timeout: float = WAIT_S) -> WebElement:
    """The element at ``css`` once it is displayed (present is not enough: a staff page fills its content
    while it is still hidden)."""
    return until(driver, ec.visibility_of_element_located((By.CSS_SELECTOR, css)), f"{css} shown", timeout)


def present(driver: WebDriver, css: str, timeout: float = WAIT_S) -> WebElement:
    """The element at ``css`` once it is in the page, shown or not (a hidden dialog's text, a list item)."""
    return until(driver, ec.presence_of_element_located((By.CSS_SELECTOR, css)), f"{css} in the page", timeout)


def gone(driver: WebDriver, css: str, timeout: float = WAIT_S) -> None:
    """Wait until nothing matches ``css``."""
    until(driver, lambda d: not d.find_elements(By.CSS_SELECTOR, css), f"{css} gone", timeout)


def clickable(driver: WebDriver, css: str, timeout: float = WAIT_S) -> WebElement:
    """The element at ``css`` once it is displayed and enabled."""
    return until(driver, ec.element_to_be_clickable((By.CSS_SELECTOR, css)), f"{css} clickable", timeout)


def click(driver: WebDriver, css: str, timeout: float = WAIT_S) -> None:
    """Click the element at ``css`` once it is clickable, again if the page redrew it in between."""
    def clicked(d: WebDriver) -> bool:
        element = ec.element_to_be_clickable((By.CSS_SELECTOR, css))(d)
        if not element:
            return False
        element.click()  # a TRANSIENT error here is retried by the wait
        return True

    until(driver, clicked, f"a click on {css}", timeout)


def type_into(driver: WebDriver, element_id: str, text: str, timeout: float = WAIT_S) -> None:
    """Replace the value of the input ``element_id`` with ``text`` once it takes typing."""
    field = clickable(driver, f"#{element_id}", timeout)
    field.clear()
    field.send_keys(text)


def select(driver: WebDriver, element_id: str, value: str, timeout: float = WAIT_S) -> None:
    """Choose ``value`` in the drop-down ``element_id`` once it is shown and enabled."""
    def chosen(d: WebDriver) -> bool:
        element = ec.element_to_be_clickable((By.ID, element_id))(d)
        if not element:
            return False
        Select(element).select_by_value(value)
        return True

    until(driver, chosen, f"{value} chosen in #{element_id}", timeout)


def text_of(driver: WebDriver, element_id: str) -> str:
    """The visible text of the element ``element_id`` ("" while it is hidden)."""
    return driver.find_element(By.ID, element_id).text


def file_appears(pattern_glob: Callable[[], list[Any]], what: str, timeout: float = WAIT_S) -> list[Any]:
    """Poll the file system (a download) until ``pattern_glob`` finds something."""
    return eventually(pattern_glob, what, timeout, interval=0.1)
