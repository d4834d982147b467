"""Every screen of the patron flows, in every language of the kiosk (日本語, やさしい にほんご, English, 中文,
한국어) and in standard and large text: no clipped text, no touch target under 15 mm, on each step of a flow its
step indicator whole on screen (KioskProcess.check_and_shoot), and a screenshot of each in
var/test-artifacts/screens/every/ (large text: every/large/) to look at."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kiosk import i18n
from kiosk.config import LANGUAGES
from tests.support.kiosk_app import KioskProcess
from tests.support.server_proc import ServerProcess
from tests.support.sip2_ils import canned, silent
from tests.ui.conftest import sip2_server

# Japanese is the default and is shot first; the others are chosen in the picker, one after the other.
OTHERS = [code for code in LANGUAGES if code != "ja"]


def every_language(kiosk: KioskProcess, name: str) -> None:
    """Check and shoot this screen in each language, then come back to Japanese."""
    kiosk.check_and_shoot(f"every/{name}-ja")
    for code in OTHERS:
        kiosk.choose_language(code)
        kiosk.check_and_shoot(f"every/{name}-{code}")
    kiosk.choose_language("ja")


# The name other flows' screen tests import (it was Japanese and English; now it is every language).
both_languages = every_language


# Each flow is walked in standard text and again in large text, switched on at the flow's first screen after the
# attract screen (its intro, or its first step), so that the intros are shot in large text too: -k standard /
# -k large.
MODES = ["standard", "large"]


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def shots(mode: str) -> str:
    """Where a mode's screenshots go under every/."""
    return "" if mode == "standard" else "large/"


def text_size(kiosk: KioskProcess, mode: str, screen: str) -> None:
    """On ``screen`` (with the footer's accessibility button), switch large text on in the large mode."""
    if mode == "large":
        kiosk.tap("a11y")
        kiosk.tap("large_text")
        kiosk.wait_for(lambda s: s["text_scale"] > 1 and s["screen"] == screen and not s["modals"])


def step(kiosk: KioskProcess, tap: str, until: Callable[[dict], bool], name: str) -> None:
    kiosk.tap(tap)
    kiosk.wait_for(until, timeout=30)
    every_language(kiosk, name)


def on(screen: str) -> Callable[[dict], bool]:
    return lambda s: s["screen"] == screen


def test_every_migration_screen_in_every_language(card_kiosk: KioskProcess, insert_card, mode: str) -> None:
    insert_card("one_try_left")  # its path passes the PIN pads and the last-try warning
    kiosk, p = card_kiosk, shots(mode)
    kiosk.wait_screen("attract")
    if mode == "standard":  # the attract screen is shot in standard text only
        kiosk.check_and_shoot("every/attract")
    kiosk.tap("btn_migrate")
    kiosk.wait_screen("migrate_intro")
    text_size(kiosk, mode, "migrate_intro")
    every_language(kiosk, f"{p}migrate_intro")
    step(kiosk, "next", on("migrate_consent"), f"{p}migrate_consent")
    step(kiosk, "agree", on("card_number"), f"{p}card_number-migrate")
    for digit in "2000000030":
        kiosk.tap(f"key_{digit}")
    step(kiosk, "submit", on("migrate_same_pin"), f"{p}migrate_same_pin")
    step(kiosk, "different", on("pin_pad"), f"{p}pin_pad-text")
    for digit in "1357":
        kiosk.tap(f"key_{digit}")
    step(kiosk, "submit", lambda s: "利用者証明用電子証明書の暗証番号（4桁）" in s["texts"], f"{p}pin_pad-auth")
    for digit in "1357":
        kiosk.tap(f"key_{digit}")
    step(kiosk, "submit", on("last_try"), f"{p}last_try")
    step(kiosk, "confirm", lambda s: "切り替えが完了しました" in s["texts"], f"{p}migrate_result-completed")


def test_every_expiry_and_ticket_screen_in_every_language(kiosk: KioskProcess, mode: str) -> None:
    p = shots(mode)
    kiosk.wait_screen("attract")
    kiosk.tap("btn_expiry")
    kiosk.wait_screen("expiry_method")
    text_size(kiosk, mode, "expiry_method")
    every_language(kiosk, f"{p}expiry_method")
    step(kiosk, "by_number", on("card_number"), f"{p}card_number-expiry")
    for digit in "2000000121":
        kiosk.tap(f"key_{digit}")
    step(kiosk, "submit", lambda s: "有効期限が過ぎています" in s["texts"], f"{p}expiry_result-expired")
    step(kiosk, "counter_ticket", lambda s: "整理券をお取りください" in s["texts"], f"{p}ticket_result-printed")
    kiosk.tap("done")
    state = kiosk.wait_screen("attract")
    assert state["text_scale"] == 1.0, "the next patron starts with standard text"
    kiosk.tap("btn_ticket")
    kiosk.wait_screen("ticket_service")
    text_size(kiosk, mode, "ticket_service")
    every_language(kiosk, f"{p}ticket_service")


def test_large_text_mode_fits_every_step_and_ends_with_the_session(kiosk: KioskProcess) -> None:
    kiosk.wait_screen("attract")
    kiosk.tap("btn_expiry")
    kiosk.wait_screen("expiry_method")
    text_size(kiosk, "large", "expiry_method")
    step(kiosk, "by_number", on("card_number"), "large/card_number-expiry-renewable")
    for digit in "2000000113":
        kiosk.tap(f"key_{digit}")
    step(kiosk, "submit", lambda s: "更新の手続きができます" in s["texts"], "large/expiry_result-renewable")
    kiosk.tap("done")
    state = kiosk.wait_screen("attract")
    assert state["text_scale"] == 1.0, "the next patron starts with standard text"


def test_the_ils_unreachable_answer_in_every_language_and_in_large_text(
        kiosk_on: Callable[[ServerProcess], KioskProcess], tmp_path: Path) -> None:
    """The library's ILS (over SIP2) not answering: the server says ils_unreachable, the kiosk its own message."""
    with canned(silent) as ils, sip2_server(tmp_path, ils.port, SERVER_SIP2_TIMEOUT_SECONDS="1.5") as server:
        kiosk = kiosk_on(server)
        state = kiosk.check_expiry_by_number("2000000121")
        assert i18n.translate("expiry.failure.ils_unreachable", "ja") in state["texts"], state
        every_language(kiosk, "expiry_result-ils_unreachable")
        kiosk.tap("a11y")
        kiosk.tap("large_text")
        kiosk.wait_for(lambda s: s["text_scale"] > 1 and s["screen"] == "expiry_result" and not s["modals"])
        every_language(kiosk, "large/expiry_result-ils_unreachable")


def test_every_checkup_screen_and_the_privacy_view_in_every_language(card_kiosk: KioskProcess, insert_card,
                                                                      card_server, mode: str) -> None:
    kiosk, p = card_kiosk, shots(mode)
    kiosk.wait_screen("attract")
    if card_server.inserted:
        insert_card.remove()
    kiosk.tap("btn_checkup")
    kiosk.wait_screen("checkup_intro")
    text_size(kiosk, mode, "checkup_intro")
    every_language(kiosk, f"{p}checkup_intro")
    insert_card("different_pins", physical=True)  # old link, expired library card: every button of the report
    kiosk.wait_screen("pin_pad", timeout=20)
    every_language(kiosk, f"{p}pin_pad-checkup")
    for digit in "1234":
        kiosk.tap(f"key_{digit}")
    step(kiosk, "submit", lambda s: "点検の結果" in s["texts"], f"{p}checkup_result-old-expired")
    # The card is still on the reader: the result is under the take-your-card banner, and its details keep at
    # least their first line whole below the head (in large text too), not hidden until the card is taken.
    assert kiosk.state()["card_left"]
    first = kiosk.call("bounds", id="link")
    assert first["seen"] and first["seen"][3] - first["seen"][1] >= first["box"][3] - first["box"][1] - 1, \
        f"the details' first line under the banner: {first}"
    step(kiosk, "what_was_sent", lambda s: "図書館のサーバーに送信した情報" in s["texts"], f"{p}privacy_slip")


def test_every_registration_screen_in_every_language(card_kiosk: KioskProcess, insert_card, mode: str) -> None:
    """A card already linked to a library card (`normal`): the application is refused and the counter offered;
    the screens of an application that goes through are shot by tests/ui/test_registration.py."""
    insert_card("normal")
    kiosk, p = card_kiosk, shots(mode)
    kiosk.wait_screen("attract")
    kiosk.tap("btn_registration")
    kiosk.wait_screen("registration_intro")
    text_size(kiosk, mode, "registration_intro")
    every_language(kiosk, f"{p}registration_intro")
    step(kiosk, "without_card", on("registration_ids"), f"{p}registration_ids")
    kiosk.tap("back")
    kiosk.wait_screen("registration_intro")
    step(kiosk, "with_card", on("migrate_same_pin"), f"{p}migrate_same_pin-registration")
    step(kiosk, "same", on("pin_pad"), f"{p}pin_pad-registration")
    for digit in "1234":
        kiosk.tap(f"key_{digit}")
    step(kiosk, "submit", on("registration_review"), f"{p}registration_review")
    step(kiosk, "edit_phone", on("registration_contact"), f"{p}registration_contact-phone")
    for digit in "09012345678":
        kiosk.tap(f"key_{digit}")
    kiosk.tap("submit")
    kiosk.wait_for(lambda s: "電話番号：09012345678" in s["texts"])
    step(kiosk, "send", lambda s: i18n.translate("registration.failure.already_patron", "ja") in s["texts"],
         f"{p}registration_result-already_patron")
    kiosk.tap("counter_ticket")
    state = kiosk.wait_for(lambda s: "整理券をお取りください" in s["texts"], timeout=30)
    assert state["card_left"], "the card is still on the reader: the ticket is shown under the banner"
    every_language(kiosk, f"{p}ticket_result-registration")
