"""Idle timeout through the real app: a warning with at least 20 s to go on, then everything is wiped."""

from __future__ import annotations

from pathlib import Path

from tests.support.kiosk_app import KioskProcess, kiosk_env
from tests.support.server_proc import ServerProcess
from tests.ui.conftest import server_env

WARNING_TITLE = "まだご利用中ですか？"


def test_idle_warning_then_the_session_is_wiped(display: str, ui_server: ServerProcess, tmp_path: Path) -> None:
    env = kiosk_env(display, tmp_path / "kivy", **server_env(ui_server),
                    KIOSK_SESSION_IDLE_TIMEOUT_S="10", KIOSK_SESSION_IDLE_WARNING_S="20")
    kiosk = KioskProcess(env, tmp_path / "kiosk.log")
    try:
        kiosk.wait_screen("attract")
        kiosk.tap("btn_expiry")
        kiosk.tap("by_number")
        for digit in "20000":
            kiosk.tap(f"key_{digit}")
        kiosk.choose_language("en")
        kiosk.choose_language("ja")
        state = kiosk.wait_for(lambda s: WARNING_TITLE in s["texts"], timeout=15)
        assert "20000" in state["texts"], "the warning covers the screen; nothing is wiped yet"
        assert kiosk.overflowing() == []
        kiosk.screenshot("idle_warning-ja")
        kiosk.tap("idle_continue")  # one tap keeps the session
        state = kiosk.wait_for(lambda s: WARNING_TITLE not in s["texts"])
        assert state["screen"] == "card_number" and "20000" in state["texts"]
        # Now let it run out: warning after 10 s, wiped 20 s later.
        kiosk.wait_for(lambda s: WARNING_TITLE in s["texts"], timeout=15)
        state = kiosk.wait_for(lambda s: s["screen"] == "attract" and WARNING_TITLE not in s["texts"], timeout=25)
        assert state["language"] == "ja"
        kiosk.tap("btn_expiry")
        kiosk.tap("by_number")
        state = kiosk.wait_screen("card_number")
        assert "20000" not in state["texts"] and "—" in state["texts"], "the next patron sees nothing of this one"
    finally:
        kiosk.stop()
