"""Languages in the real app: the picker lists each language in its own script, a choice holds for the whole
session (the attract screen's row too) and ends with it, and the screen font draws every catalogue."""

from __future__ import annotations

from pathlib import Path

from fontTools.ttLib import TTCollection, TTFont

from kiosk import i18n
from tests.support.kiosk_app import KioskProcess, kiosk_env
from tests.support.server_proc import ServerProcess
from tests.ui.conftest import server_env

NAMES = {"ja": "日本語", "ja-easy": "やさしい にほんご", "en": "English", "zh": "中文", "ko": "한국어"}


def test_the_picker_lists_every_language_in_its_own_script_big_enough_to_touch(kiosk: KioskProcess) -> None:
    kiosk.wait_screen("attract")
    kiosk.tap("btn_expiry")
    kiosk.wait_screen("expiry_method")
    kiosk.tap("language")
    state = kiosk.wait_for(lambda s: "LanguagePicker" in s["modals"])
    for code, name in NAMES.items():
        shown = f"\u2713 {name}" if code == "ja" else name  # the session's language is marked
        assert shown in state["texts"], (code, state["texts"])
    assert i18n.translate("language.picker.title", "ja") in state["texts"]
    assert kiosk.small_targets() == []
    assert kiosk.overflowing() == []
    kiosk.screenshot("languages/picker-ja")
    kiosk.tap("lang_ko")
    state = kiosk.wait_for(lambda s: s["language"] == "ko" and "LanguagePicker" not in s["modals"])
    assert state["screen"] == "expiry_method", "choosing a language keeps the patron's step"
    assert i18n.translate("expiry.method.body", "ko") in state["texts"]
    assert i18n.translate("language.button", "ko") in state["texts"]
    kiosk.tap("by_number")
    state = kiosk.wait_screen("card_number")
    assert i18n.translate("card_number.body", "ko") in state["texts"], "the choice holds for the next step"
    kiosk.tap("language")
    kiosk.wait_for(lambda s: "LanguagePicker" in s["modals"])
    kiosk.tap("picker_close")  # back without a choice: nothing changes
    state = kiosk.wait_for(lambda s: "LanguagePicker" not in s["modals"])
    assert state["language"] == "ko"
    kiosk.tap("back")
    kiosk.tap("back")
    state = kiosk.wait_screen("attract")
    assert state["language"] == "ja", "the next patron starts in the default language"


def test_a_language_chosen_on_the_attract_screen_carries_into_the_service(kiosk: KioskProcess) -> None:
    state = kiosk.wait_screen("attract")
    assert "言語 · ことば · Language · 语言 · 언어" in state["texts"], "the button names itself in every script"
    assert kiosk.out_of_reach() == [] and kiosk.small_targets() == []
    state = kiosk.choose_language("zh")
    assert state["screen"] == "attract"
    texts = "\n".join(state["texts"])
    for key in ("service.migrate.title", "service.expiry.title", "service.ticket.title"):
        assert i18n.translate(key, "zh") in texts and i18n.translate(key, "en") in texts
    assert i18n.translate("service.migrate.title", "ja") not in texts
    assert kiosk.overflowing() == []
    kiosk.screenshot("languages/attract-zh")
    kiosk.tap("btn_ticket")
    state = kiosk.wait_screen("ticket_service")
    assert state["language"] == "zh"
    assert i18n.translate("ticket.service.body", "zh") in state["texts"]
    kiosk.tap("svc_registration")
    state = kiosk.wait_for(lambda s: i18n.translate("ticket.printed.title", "zh") in s["texts"], timeout=20)
    assert i18n.translate("ticket.service.registration", "zh") in state["texts"], "the service in Chinese too"
    kiosk.tap("done")
    state = kiosk.wait_screen("attract")
    assert state["language"] == "ja"
    assert i18n.translate("service.migrate.title", "ja") in "\n".join(state["texts"])


def test_a_language_chosen_by_someone_who_walks_away_is_reset_by_the_idle_timeout(
        display: str, ui_server: ServerProcess, tmp_path: Path) -> None:
    env = kiosk_env(display, tmp_path / "kivy", **server_env(ui_server),
                    KIOSK_SESSION_IDLE_TIMEOUT_S="10", KIOSK_SESSION_IDLE_WARNING_S="20")
    kiosk = KioskProcess(env, tmp_path / "kiosk.log")
    try:
        kiosk.wait_screen("attract")
        kiosk.choose_language("ko")
        state = kiosk.wait_for(lambda s: i18n.translate("idle.title", "ko") in s["texts"], timeout=15)
        assert state["screen"] == "attract"
        state = kiosk.wait_for(lambda s: s["language"] == "ja" and not s["modals"], timeout=25)
        assert i18n.translate("service.migrate.title", "ja") in "\n".join(state["texts"])
    finally:
        kiosk.stop()


def test_the_screen_font_draws_every_character_of_every_catalogue(kiosk: KioskProcess) -> None:
    """The registered face (the first of a .ttc: Noto Sans CJK JP) must have a glyph for every character
    of every catalogue shipped, Hangul and Simplified Chinese included, or a patron would see boxes."""
    font_path = kiosk.call("font")["path"]
    font = TTCollection(font_path).fonts[0] if font_path.endswith(".ttc") else TTFont(font_path)
    cmap = font.getBestCmap()
    for language in i18n.languages():
        shown = "".join(i18n.catalogue(language).values())
        missing = sorted({ch for ch in shown if ch.strip() and ord(ch) not in cmap})
        assert not missing, f"{font_path} has no glyph for {missing} ({language})"
