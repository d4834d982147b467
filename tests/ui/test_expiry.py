"""有効期限の確認 through the real app and the real server: pad, barcode scanner, every card status."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.support.kiosk_app import KioskProcess, kiosk_env
from tests.support.ports import free_port

# Demo patrons the server seeds, dated relative to the library's today (fixed in tests/ui/conftest.py).
CASES = [
    ("2000000105", "この利用者カードは有効です", "valid"),
    ("2000000113", "更新の手続きができます", "renewable"),
    ("2000000121", "有効期限が過ぎています", "expired"),
    ("2000000139", "この利用者カードは有効です", "leapday"),
]


def open_expiry(kiosk: KioskProcess) -> None:
    kiosk.wait_screen("attract")
    kiosk.tap("btn_expiry")
    kiosk.wait_screen("expiry_method")
    kiosk.tap("by_number")
    kiosk.wait_screen("card_number")


def type_on_pad(kiosk: KioskProcess, digits: str) -> None:
    for digit in digits:
        kiosk.tap(f"key_{digit}")


@pytest.mark.parametrize(("number", "title", "name"), CASES)
def test_expiry_by_number_pad(kiosk: KioskProcess, number: str, title: str, name: str) -> None:
    open_expiry(kiosk)
    type_on_pad(kiosk, number)
    kiosk.tap("submit")
    state = kiosk.wait_for(lambda s: s["screen"] == "expiry_result" and title in s["texts"])
    text = "\n".join(state["texts"])
    assert "有効期限：" in text
    if name == "leapday":
        # Born on 29 February, registered 2024-04-01: valid until 28 February 2027. A typed number is told the
        # month only (typed_number_expiry_precision = "month"): the day would be the patron's birthday.
        assert "有効期限：令和9年2月（2027-02）" in text and "お誕生日まで有効です" in text and "28" not in text
    if name in ("renewable", "expired"):
        assert "通知カード" in text, "what to bring must name what is not accepted"
        assert "カウンターの整理券を発行" in state["texts"], "a renewal ticket is one tap away"
    assert kiosk.overflowing() == []
    kiosk.screenshot(f"expiry_result-{name}-ja")
    state = kiosk.choose_language("en")
    assert any(t.startswith("Valid until") for t in state["texts"])
    assert kiosk.overflowing() == []
    kiosk.screenshot(f"expiry_result-{name}-en")
    if name == "leapday":  # the month-only answer in every language
        assert "Valid until February 2027" in state["texts"]
        for language, month in (("ja-easy", "2027年2月"), ("zh", "2027年2月"), ("ko", "2027년 2월")):
            state = kiosk.choose_language(language)
            assert any(month in t for t in state["texts"]) and not any("28" in t for t in state["texts"])
            assert kiosk.overflowing() == []
            kiosk.screenshot(f"expiry_result-{name}-{language}")


def test_expiry_by_barcode_scanner_with_codabar_letters(kiosk: KioskProcess) -> None:
    open_expiry(kiosk)
    kiosk.call("type", text="A2000000105B\n")
    kiosk.wait_for(lambda s: s["screen"] == "expiry_result" and "この利用者カードは有効です" in s["texts"])


def test_garbage_scan_and_typo_are_refused_without_losing_input(kiosk: KioskProcess) -> None:
    open_expiry(kiosk)
    type_on_pad(kiosk, "20000")
    kiosk.call("type", text="\x1b[2J%%garbage\n")
    state = kiosk.wait_for(lambda s: any("バーコードではない" in t for t in s["texts"]))
    assert "20000" in state["texts"], "the digits already on the pad are kept"
    type_on_pad(kiosk, "00015")  # 2000000015: wrong check digit
    kiosk.tap("submit")
    state = kiosk.wait_for(lambda s: any("番号が正しくない" in t for t in s["texts"]))
    assert state["screen"] == "card_number"
    assert kiosk.overflowing() == []
    kiosk.screenshot("card_number-problem-ja")


def test_unknown_card_says_so_and_back_keeps_the_number(kiosk: KioskProcess) -> None:
    open_expiry(kiosk)
    type_on_pad(kiosk, "2000000154")  # valid check digit, no such patron
    kiosk.tap("submit")
    kiosk.wait_for(lambda s: "この番号の利用者カードは見つかりませんでした" in s["texts"])
    kiosk.tap("back")
    state = kiosk.wait_screen("card_number")
    assert "20000 00154" in state["texts"]


def test_server_down_says_nothing_changed(display: str, tmp_path: Path) -> None:
    env = kiosk_env(display, tmp_path / "kivy", KIOSK_SERVER_URL=f"http://127.0.0.1:{free_port()}",
                    KIOSK_SERVER_TIMEOUT_S="2")
    kiosk = KioskProcess(env, tmp_path / "kiosk.log")
    try:
        open_expiry(kiosk)
        type_on_pad(kiosk, "2000000105")
        kiosk.tap("submit")
        state = kiosk.wait_for(lambda s: "ただいま確認できません" in s["texts"], timeout=20)
        assert any("何も変更されていません" in t for t in state["texts"])
        kiosk.screenshot("expiry_result-server-down-ja")
    finally:
        kiosk.stop()



def test_renewal_ticket_in_one_tap_from_the_expiry_result(kiosk: KioskProcess) -> None:
    open_expiry(kiosk)
    type_on_pad(kiosk, "2000000113")
    kiosk.tap("submit")
    kiosk.wait_for(lambda s: "更新の手続きができます" in s["texts"])
    kiosk.tap("counter_ticket")
    state = kiosk.wait_for(lambda s: "整理券をお取りください" in s["texts"], timeout=20)
    assert any(t.startswith("R-") for t in state["texts"])
    assert len(list(kiosk.printed.glob("*R-*.png"))) == 1


def test_a_tap_lands_only_once_a_patron_could_reach_the_button(kiosk: KioskProcess) -> None:
    """A dialog over the screen takes a tap: while the call-staff toast shows (5 s), a pad key tapped types
    nothing, for a patron and for a test. The driver's tap waits until the key is reachable, then types (the
    old driver tapped at once and lost the tap, as a test on a busy machine lost taps to a screen change)."""
    open_expiry(kiosk)
    kiosk.tap("key_2")
    kiosk.tap("call_staff")
    kiosk.wait_for(lambda s: "Toast" in s["modals"])
    kiosk.tap("key_0")
    state = kiosk.wait_for(lambda s: "20" in s["texts"])
    assert state["modals"] == [] and state["screen"] == "card_number"
    kiosk.tap("call_staff")
    kiosk.wait_for(lambda s: "Toast" in s["modals"])
    assert kiosk.tap_now("key_0") == [], "the toast takes the tap (and goes)"
    state = kiosk.wait_for(lambda s: "Toast" not in s["modals"])
    assert "20" in state["texts"] and "200" not in state["texts"]


def test_call_staff_from_any_step_reaches_the_server(kiosk: KioskProcess) -> None:
    open_expiry(kiosk)
    kiosk.tap("call_staff")
    kiosk.wait_for(lambda s: "職員を呼びました。その場で少しお待ちください。" in s["texts"], timeout=20)
    kiosk.screenshot("toast-staff-called-ja")


def test_a_slow_server_shows_a_spinner_then_says_it_cannot_check(display: str, tmp_path: Path) -> None:
    """A server that takes the connection but never answers: the UI keeps turning, then gives up cleanly."""
    silent = socket.create_server(("127.0.0.1", 0))  # accepts (backlog), never answers
    port = silent.getsockname()[1]
    env = kiosk_env(display, tmp_path / "kivy", KIOSK_SERVER_URL=f"http://127.0.0.1:{port}",
                    KIOSK_SERVER_TIMEOUT_S="3")
    kiosk = KioskProcess(env, tmp_path / "kiosk.log")
    try:
        open_expiry(kiosk)
        type_on_pad(kiosk, "2000000105")
        kiosk.tap("submit")
        state = kiosk.wait_for(lambda s: s["spinning"], timeout=5)
        assert "確認しています…" in state["texts"]
        kiosk.screenshot("expiry_result-waiting-ja")
        state = kiosk.wait_for(lambda s: "ただいま確認できません" in s["texts"], timeout=20)
        assert not state["spinning"]
    finally:
        kiosk.stop()
        silent.close()
