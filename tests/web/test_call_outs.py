"""Called numbers are heard and seen: the lobby display speaks each call, and a patron's ticket page changes,
chimes, vibrates and notifies, in headless Chromium against a real server process, called through the real
counter API. Every wait is on what the page shows or does, never on time."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from tests.support.browser import click, shown, text_of, until
from tests.support.server_proc import ServerProcess
from tests.support.tickets import issue, kiosk_session, staff_headers, ticket_servers

# How the lobby display's Chromium is started (docs/operations.md): sound without anyone tapping.
AUTOPLAY = ("--autoplay-policy=no-user-gesture-required",)
# A browser that plays nothing before a tap, as a display started without that switch.
TAP_FIRST = ("--autoplay-policy=document-user-activation-required",)
# Synthesis is a second or two of CPU, much more on a busy CI machine.
AUDIO_WAIT_S = 120


@pytest.fixture
def server(web_sqlite_dir: Path) -> Iterator[ServerProcess]:
    with ticket_servers(f"sqlite:///{web_sqlite_dir / f'callouts-{uuid.uuid4().hex[:8]}.db'}") as servers:
        yield servers[0]


def call_next(server: ServerProcess, service: str, counter: str) -> dict:
    """What staff do at the counter console: POST /v1/counter/calls."""
    response = requests.post(server.base_url + "/v1/counter/calls", headers=staff_headers(server),
                             json={"service": service, "counter": counter}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def board_call(server: ServerProcess, number: str) -> dict:
    """The lobby board's entry of a number being called."""
    board = requests.get(server.base_url + "/v1/lobby", timeout=30).json()
    return next(call for call in board["calling"] if call["number"] == number)


def audio_state(driver: WebDriver) -> dict:
    return driver.execute_script(
        "const a = document.getElementById('call-audio');"
        "return {src: a.currentSrc || a.src, paused: a.paused, time: a.currentTime, ended: a.ended};")


def assert_playing(driver: WebDriver, audio_path: str) -> None:
    """The call's audio element plays the call's route: not paused, and its time moves on."""
    state = until(driver, lambda d: (s := audio_state(d))["time"] > 0.2 and not s["paused"] and s,
                  "the call's audio playing", timeout=AUDIO_WAIT_S)
    assert state["src"].endswith(audio_path), state
    until(driver, lambda d: audio_state(d)["time"] > state["time"] + 0.3, "the call's audio time moving on")
    assert not audio_state(driver)["paused"]


def test_the_lobby_display_speaks_a_call_and_shows_it_highlighted(server: ServerProcess, browsers, artifacts: Path  # type: ignore[no-untyped-def]
                                                                 ) -> None:
    kiosk = kiosk_session(server)
    ticket = issue(kiosk, server, "mynumber", reason="no_old_link", reference="K7Q2XD")
    lobby = browsers(1600, 900, AUTOPLAY)
    lobby.get(server.base_url + "/lobby")
    shown(lobby, '.queue[data-service="mynumber"]')
    assert audio_state(lobby)["src"] == ""  # nothing is called: nothing is said

    call_next(server, "mynumber", "3")
    call = f'.call[data-number="{ticket["number"]}"]'
    shown(lobby, call)
    # The number is on the board before its audio has been synthesised: shown at once, and highlighted.
    first = lobby.find_element(By.CSS_SELECTOR, "#calling .call:first-child")
    assert first.get_attribute("data-number") == ticket["number"] and "fresh" in first.get_attribute("class")
    assert first.value_of_css_property("background-color") == "rgba(242, 183, 5, 1)"  # the accent, "called"
    assert "3番窓口" in first.text and "Counter 3" in first.text

    entry = board_call(server, ticket["number"])
    assert entry["audio"].startswith("/v1/lobby/calls/") and entry["audio"].endswith("/audio")
    assert_playing(lobby, entry["audio"])
    assert lobby.find_element(By.ID, "sound-enable").is_displayed() is False
    lobby.execute_script("document.getAnimations().forEach((a) => a.finish())")
    lobby.save_screenshot(str(artifacts / "lobby-call-spoken.png"))

    # Called again: said again (the same words, so the same audio), once it has finished the first time.
    until(lobby, lambda d: audio_state(d)["ended"], "the first call's audio to end", timeout=AUDIO_WAIT_S)
    recalled = requests.post(server.base_url + f"/v1/counter/tickets/{ticket['ticket_id']}/recall",
                             headers=staff_headers(server), json={}, timeout=30)
    assert recalled.status_code == 200, recalled.text
    assert_playing(lobby, entry["audio"])


def test_a_display_that_refuses_sound_offers_a_tap_that_plays_the_call(server: ServerProcess, browsers  # type: ignore[no-untyped-def]
                                                                       ) -> None:
    kiosk = kiosk_session(server)
    ticket = issue(kiosk, server, "registration")
    lobby = browsers(1600, 900, TAP_FIRST)
    lobby.get(server.base_url + "/lobby")
    shown(lobby, '.queue[data-service="registration"]')
    call_next(server, "registration", "1")
    shown(lobby, f'.call[data-number="{ticket["number"]}"]')
    shown(lobby, "#sound-enable", timeout=AUDIO_WAIT_S)
    assert "Tap to enable sound" in text_of(lobby, "sound-enable")
    assert audio_state(lobby)["paused"]
    click(lobby, "#sound-enable")
    assert_playing(lobby, board_call(server, ticket["number"])["audio"])
    assert not lobby.find_element(By.ID, "sound-enable").is_displayed()


# Before any script of the page: record what the page asks of the phone (vibration, notifications, tones),
# with notifications allowed as a patron would allow them on the button's prompt.
PHONE_HOOKS = """
window.__vibrations = [];
window.__notifications = [];
window.__tones = 0;
Object.defineProperty(Navigator.prototype, "vibrate", {
  configurable: true, value(pattern) { window.__vibrations.push(pattern); return true; } });
class RecordedNotification {
  constructor(title, options) { window.__notifications.push({ title, body: (options || {}).body }); }
  static requestPermission() { RecordedNotification.permission = "granted"; return Promise.resolve("granted"); }
}
RecordedNotification.permission = "default";
window.Notification = RecordedNotification;
const start = OscillatorNode.prototype.start;
OscillatorNode.prototype.start = function (...args) { window.__tones += 1; return start.apply(this, args); };
"""


def test_the_ticket_page_changes_chimes_vibrates_and_notifies_when_called(server: ServerProcess, browsers,  # type: ignore[no-untyped-def]
                                                                          artifacts: Path) -> None:
    kiosk = kiosk_session(server)
    ticket = issue(kiosk, server, "mynumber", reference="K7Q2XD")
    phone = browsers(420, 880)
    phone.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": PHONE_HOOKS})
    phone.get(ticket["status_url"])
    until(phone, lambda d: text_of(d, "number") == ticket["number"], "the ticket's number on its page")
    assert not phone.find_element(By.ID, "called").is_displayed()
    # The patron asks to be alerted (127.0.0.1 is a secure context, so notifications are offered).
    click(phone, "#alerts-enable")
    until(phone, lambda d: "通知でお知らせします" in text_of(d, "alerts-state"), "notifications allowed")
    phone.execute_script("window.__sameDocument = true")  # gone if the page reloads

    call_next(server, "mynumber", "2")
    banner = shown(phone, "#called")
    assert "呼ばれました" in banner.text and "You are being called" in banner.text
    until(phone, lambda d: "2番窓口へお越しください" in text_of(d, "called-where"), "the counter on the page")
    assert "2階総合カウンター" in text_of(phone, "called-where")
    assert "Go to Counter 2 at the 2nd floor main counter" in text_of(phone, "called-where")
    assert phone.execute_script("return window.__sameDocument") is True
    vibrations = until(phone, lambda d: d.execute_script("return window.__vibrations"), "a vibration")
    assert len(vibrations) == 1 and sum(vibrations[0]) > 1000
    notes = phone.execute_script("return window.__notifications")
    assert len(notes) == 1 and "呼ばれました" in notes[0]["title"] and ticket["number"] in notes[0]["title"]
    assert "Counter 2" in notes[0]["body"] and "K7Q2XD" not in notes[0]["title"] + notes[0]["body"]
    assert phone.execute_script("return window.__tones") == 2  # the two notes of the chime
    assert not phone.find_element(By.ID, "alerts").is_displayed()
    phone.save_screenshot(str(artifacts / "status-called-alerted.png"))


def test_on_plain_http_the_ticket_page_says_notifications_need_https(server: ServerProcess, browsers  # type: ignore[no-untyped-def]
                                                                     ) -> None:
    kiosk = kiosk_session(server)
    ticket = issue(kiosk, server, "other")
    port = server.base_url.rsplit(":", 1)[1]
    # A name other than localhost over http: not a secure context, as a phone on http would see it.
    phone = browsers(420, 880, ("--host-resolver-rules=MAP queue.test 127.0.0.1",))
    phone.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": PHONE_HOOKS})
    phone.get(f"http://queue.test:{port}" + ticket["status_url"].split(server.base_url, 1)[1])
    until(phone, lambda d: text_of(d, "number") == ticket["number"], "the ticket's number on its page")
    assert phone.execute_script("return window.isSecureContext") is False
    click(phone, "#alerts-enable")
    until(phone, lambda d: "https" in text_of(d, "alerts-state"), "the note that notifications need https")
    call_next(server, "other", "1")
    shown(phone, "#called")
    until(phone, lambda d: d.execute_script("return window.__vibrations.length") == 1, "a vibration")
    assert phone.execute_script("return window.__notifications.length") == 0
