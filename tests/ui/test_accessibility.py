"""Accessibility in the real app: cue sounds through SDL's disk audio driver, the high-contrast and
large-text modes (screenshots), the audio guidance mode, and controls within a seated patron's reach."""

from __future__ import annotations

import re
from pathlib import Path

from PIL import Image

from kiosk import i18n
from tests.support.disk_audio import BYTES_PER_S, sounding_seconds
from tests.support.kiosk_app import KioskProcess
from tests.support.server_proc import ServerProcess
from tests.ui.conftest import start_audio_kiosk
from tests.ui.test_every_screen import every_language


def test_a_mode_chosen_on_the_attract_screen_is_heard_and_ends_with_the_idle_timeout(
        display: str, ui_server: ServerProcess, tmp_path: Path) -> None:
    kiosk = start_audio_kiosk(display, ui_server, tmp_path,
                              KIOSK_SESSION_IDLE_TIMEOUT_S="10", KIOSK_SESSION_IDLE_WARNING_S="20")
    try:
        audio = kiosk.audio  # type: ignore[attr-defined]
        kiosk.wait_screen("attract")
        audio.wait_bytes(BYTES_PER_S // 2)
        kiosk.tap("a11y")
        assert audio.heard(lambda: kiosk.tap("high_contrast")) > 1000, "switching a mode is heard"
        kiosk.wait_for(lambda s: s["high_contrast"])
        audio.play_on(1)
        assert audio.heard() == 0, "silent while the patron reads"
        start = audio.size()
        kiosk.wait_for(lambda s: i18n.translate("idle.title", "ja") in s["texts"], timeout=15)
        audio.wait_bytes(audio.size() + BYTES_PER_S)
        assert audio.peak_since(start) > 1000, "the idle warning is heard, by a patron who cannot see it too"
        # Nobody answers: the session ends, and the attract screen is back in standard colours.
        state = kiosk.wait_for(lambda s: not s["high_contrast"], timeout=30)
        assert state["screen"] == "attract"
    finally:
        kiosk.stop()


def test_staff_sign_in_ticks_per_key_and_sounds_a_wrong_pin(display: str, ui_server: ServerProcess,
                                                             tmp_path: Path) -> None:
    kiosk = start_audio_kiosk(display, ui_server, tmp_path)
    try:
        audio = kiosk.audio  # type: ignore[attr-defined]
        kiosk.wait_for(lambda s: (tmp_path / "kiosk-data" / "staff-cache.json").exists(), timeout=20)
        audio.wait_bytes(BYTES_PER_S // 2)
        kiosk.call("long_press", id="maintenance_corner", seconds=3.3)
        kiosk.wait_screen("staff_signin", timeout=10)
        assert audio.heard(lambda: kiosk.tap_text(ui_server.staff_id[0])) > 500, "a key ticks"
        for ch in ui_server.staff_id[1:]:
            kiosk.tap_text(ch)
        kiosk.tap("submit")
        for digit in "0000":
            kiosk.tap(f"key_{digit}")
        audio.play_on(0.5)
        assert audio.heard() == 0
        start = audio.size()
        kiosk.tap("submit")
        kiosk.wait_for(lambda s: any("違います" in t for t in s["texts"]), timeout=20)
        audio.wait_bytes(audio.size() + BYTES_PER_S // 2)
        assert audio.peak_since(start) > 1000, "a wrong staff PIN is heard"
    finally:
        kiosk.stop()


def test_every_state_change_and_error_sounds_and_nothing_else_does(audio_kiosk: KioskProcess) -> None:
    kiosk, audio = audio_kiosk, audio_kiosk.audio  # type: ignore[attr-defined]
    kiosk.wait_screen("attract")
    # The audio device opens with the first sound loaded (after the first frames): wait for its stream.
    audio.wait_bytes(BYTES_PER_S // 2)
    assert audio.heard() == 0, "the idle attract screen is silent"

    assert audio.heard(lambda: kiosk.tap("btn_expiry")) > 1000, "a new step sounds"
    kiosk.wait_screen("expiry_method")
    assert audio.heard(lambda: kiosk.tap("by_number")) > 1000
    kiosk.wait_screen("card_number")
    assert audio.heard() == 0, "a screen waiting for input is silent"
    assert audio.heard(lambda: kiosk.tap("key_1")) > 500, "a key press ticks"
    assert audio.heard(lambda: kiosk.tap("submit")) > 1000, "a bad number (too short) sounds an error"
    assert any("桁" in t for t in kiosk.state()["texts"])
    assert audio.heard(lambda: kiosk.choose_language("en")) == 0, "a language switch re-renders silently"
    kiosk.choose_language("ja")
    kiosk.tap("key_clear")
    for digit in "2000000121":
        kiosk.tap(f"key_{digit}")
    assert audio.heard(lambda: kiosk.tap("submit"), seconds=2.5) > 1000, "the answer sounds"
    kiosk.wait_for(lambda s: "有効期限が過ぎています" in s["texts"])
    assert audio.heard() == 0, "a result on screen is silent once announced"
    assert audio.heard(lambda: kiosk.tap("call_staff"), seconds=2.5) > 1000, "staff called: heard, not only seen"
    kiosk.wait_for(lambda s: i18n.translate("toast.staff_called", "ja") in s["texts"])
    kiosk.wait_for(lambda s: "Toast" not in s["modals"])  # the toast goes by itself
    assert audio.heard(lambda: kiosk.tap("done")) > 1000, "back on the attract screen"
    kiosk.wait_screen("attract")


def test_the_what_was_sent_view_is_heard_and_spoken_like_a_step(audio_kiosk: KioskProcess) -> None:
    kiosk, audio = audio_kiosk, audio_kiosk.audio  # type: ignore[attr-defined]
    kiosk.wait_screen("attract")
    audio.wait_bytes(BYTES_PER_S // 2)
    kiosk.check_expiry_by_number("2000000105")
    kiosk.wait_for(lambda s: "この利用者カードは有効です" in s["texts"], timeout=15)
    audio.play_on(1)  # the answer's own cue is over
    assert audio.heard(lambda: kiosk.tap("what_was_sent")) > 1000, "opening the view is heard"
    kiosk.wait_for(lambda s: i18n.translate("privacy.title", "ja") in s["texts"])
    assert audio.heard() == 0, "silent once announced"
    assert audio.heard(lambda: kiosk.tap("close")) > 1000, "back to the result is heard"
    kiosk.wait_for(lambda s: not s["modals"])

    kiosk.tap("a11y")
    kiosk.tap("guidance")
    kiosk.wait_for(lambda s: s["spoken"] == ["voice.guidance_on", "voice.expiry_result.ok"])
    kiosk.tap("what_was_sent")
    kiosk.wait_for(lambda s: s["spoken"][-1] == "voice.privacy_slip")
    kiosk.choose_language("en")  # said again in the new language: the view's prompt, not the result's
    state = kiosk.wait_for(lambda s: s["language"] == "en" and "PrivacySlipView" in s["modals"])
    assert state["spoken"][-2:] == ["voice.privacy_slip", "voice.privacy_slip"]
    kiosk.tap("close")
    state = kiosk.wait_for(lambda s: not s["modals"])
    assert state["spoken"][-1] == "voice.expiry_result.ok", "back on the result, its prompt again"
    assert state["spoken"].count("voice.privacy_slip") == 2


def test_audio_guidance_speaks_each_step_from_the_catalogue_only_and_ends_with_the_session(
        audio_kiosk: KioskProcess) -> None:
    from kiosk import config
    from kiosk.a11y import speech

    kiosk, audio = audio_kiosk, audio_kiosk.audio  # type: ignore[attr-defined]
    voices = config.load(config.DEFAULT_PATH, environ={}).accessibility.voices()
    synth = speech.Synthesiser(voices, audio_kiosk.voice)  # type: ignore[attr-defined]
    kiosk.wait_screen("attract")
    audio.wait_bytes(BYTES_PER_S // 2)
    # Synthesised ahead after the first frame, unasked, the first prompts first (Open JTalk for Japanese).
    first = [synth.cache_path(i18n.translate(key, "ja"), "ja") for key in speech.FIRST_PROMPTS]
    kiosk.until(lambda: all(path is not None and path.is_file() for path in first), "the first prompts", timeout=60)
    start = audio.size()
    kiosk.tap("a11y")
    kiosk.tap("guidance")
    state = kiosk.wait_for(lambda s: s["guidance"])
    assert state["spoken"] == ["voice.guidance_on", "voice.attract"]
    audio.wait_bytes(start + 6 * BYTES_PER_S)
    assert sounding_seconds(audio, start) > 2.0, "a spoken sentence, not just a cue"

    kiosk.tap("btn_expiry")
    kiosk.wait_for(lambda s: s["spoken"][-1:] == ["voice.expiry_method"])
    kiosk.tap("by_number")
    kiosk.wait_for(lambda s: s["spoken"][-1:] == ["voice.card_number"])
    for digit in "2000000121":
        kiosk.tap(f"key_{digit}")
    assert kiosk.state()["spoken"][-1:] == ["voice.card_number"], "digits are never spoken"
    kiosk.tap("submit")
    kiosk.wait_for(lambda s: s["spoken"][-1:] == ["voice.expiry_result.warning"], timeout=15)
    said = len(kiosk.state()["spoken"])
    kiosk.tap("a11y")
    kiosk.tap("repeat")  # say it again
    kiosk.wait_for(lambda s: len(s["spoken"]) == said + 1 and s["spoken"][-1] == "voice.expiry_result.warning")
    kiosk.tap("counter_ticket")
    state = kiosk.wait_for(lambda s: s["spoken"][-2:] == ["voice.ticket_result.ok", "voice.ticket_number"],
                           timeout=15)
    number = next(t for t in state["texts"] if re.fullmatch(r"[A-Z]-\d{3}", t))

    # Everything synthesised is a catalogue prompt (every one of every language, synthesised ahead after the
    # first frame), or an utterance joined from them: nothing typed reached the synthesiser.
    allowed = {synth.cache_path(text, language) for language, text in speech.prompts(i18n.languages())}
    on = i18n.translate("voice.guidance_on", "ja")
    allowed |= {synth.joined_path([on, text], "ja") for _language, text in speech.prompts(["ja"])}
    # The ticket's number is the one value spoken (not personal: the lobby display calls it out).
    said = i18n.translate("voice.ticket_number", "ja", number=" ".join(ch for ch in number if ch.isalnum()))
    allowed |= {synth.cache_path(said, "ja"), synth.joined_path([i18n.translate("voice.ticket_result.ok", "ja"),
                                                                 said], "ja")}
    number_said = synth.cache_path(said, "ja")  # by Open JTalk, when said: it holds a value
    kiosk.until(lambda: number_said is not None and number_said.is_file(), "the ticket's number spoken")
    written = set(audio_kiosk.voice.rglob("*.wav"))  # type: ignore[attr-defined]
    assert written <= allowed, written - allowed

    kiosk.tap("done")
    state = kiosk.wait_screen("attract")
    assert not state["guidance"] and state["spoken"] == [], "the next patron starts without guidance"


def test_high_contrast_and_large_text_screens_fit_and_end_with_the_session(kiosk: KioskProcess) -> None:
    kiosk.wait_screen("attract")
    kiosk.tap("a11y")
    kiosk.check_and_shoot("a11y/panel-ja")
    kiosk.tap("high_contrast")
    kiosk.wait_for(lambda s: s["high_contrast"])
    shot = kiosk.check_and_shoot("a11y/high_contrast-attract")
    assert Image.open(shot).convert("RGB").getpixel((5, 5)) == (0, 0, 0), "black background"
    kiosk.tap("btn_expiry")
    kiosk.wait_screen("expiry_method")
    kiosk.check_and_shoot("a11y/high_contrast-expiry_method")
    kiosk.tap("by_number")
    kiosk.wait_screen("card_number")
    kiosk.tap("submit")  # an error message in the high-contrast palette
    kiosk.check_and_shoot("a11y/high_contrast-card_number-error")
    kiosk.tap("a11y")
    kiosk.tap("large_text")
    kiosk.wait_for(lambda s: s["text_scale"] > 1 and s["high_contrast"] and s["screen"] == "card_number")
    kiosk.check_and_shoot("a11y/high_contrast-large-card_number")
    kiosk.choose_language("en")
    kiosk.check_and_shoot("a11y/high_contrast-large-card_number-en")
    for digit in "2000000113":
        kiosk.tap(f"key_{digit}")
    kiosk.tap("submit")
    kiosk.wait_for(lambda s: "Your card can be renewed" in " ".join(s["texts"]) or (s["screen"] == "expiry_result"
                   and not s["spinning"]), timeout=15)
    kiosk.check_and_shoot("a11y/high_contrast-large-expiry_result")
    kiosk.tap("done")
    state = kiosk.wait_screen("attract")
    assert not state["high_contrast"] and state["text_scale"] == 1.0
    shot = kiosk.screenshot("a11y/after-session")
    assert Image.open(shot).convert("RGB").getpixel((5, 5)) != (0, 0, 0), "standard colours for the next patron"


def test_the_card_steps_in_high_contrast_down_to_the_last_try_warning(card_kiosk: KioskProcess, insert_card) -> None:
    insert_card("one_try_left")
    kiosk = card_kiosk
    kiosk.wait_screen("attract")
    kiosk.tap("a11y")
    kiosk.tap("high_contrast")
    kiosk.wait_for(lambda s: s["high_contrast"])
    kiosk.tap("btn_migrate")
    kiosk.wait_screen("migrate_intro")
    kiosk.check_and_shoot("a11y/high_contrast-migrate_intro")
    kiosk.tap("next")
    kiosk.wait_screen("migrate_consent")
    kiosk.tap("agree")
    kiosk.wait_screen("card_number")
    for digit in "2000000030":
        kiosk.tap(f"key_{digit}")
    kiosk.tap("submit")
    kiosk.wait_screen("migrate_same_pin", timeout=30)
    kiosk.check_and_shoot("a11y/high_contrast-migrate_same_pin")
    kiosk.tap("same")
    kiosk.wait_screen("pin_pad")
    for digit in "13":
        kiosk.tap(f"key_{digit}")
    kiosk.check_and_shoot("a11y/high_contrast-pin_pad")
    kiosk.tap("a11y")
    kiosk.tap("large_text")  # the pad's hint grows to body text: still nothing clipped, in every language
    kiosk.wait_for(lambda s: s["text_scale"] > 1 and s["screen"] == "pin_pad" and not s["modals"])
    every_language(kiosk, "a11y/high_contrast-large-pin_pad")
    kiosk.tap("submit")  # too short: the error in the high-contrast palette
    kiosk.check_and_shoot("a11y/high_contrast-large-pin_pad-error")
    for digit in "57":
        kiosk.tap(f"key_{digit}")
    kiosk.tap("submit")
    kiosk.wait_screen("last_try", timeout=30)
    shot = kiosk.check_and_shoot("a11y/high_contrast-last_try")
    assert Image.open(shot).convert("RGB").getpixel((5, 5)) == (51, 33, 0), "the warning's own dark background"
    kiosk.tap("back")  # not the last try after all: back to the pad, still in high contrast
    state = kiosk.wait_screen("pin_pad")
    assert state["high_contrast"]


def test_closed_dialogs_and_rebuilt_screens_leave_no_kv_bindings_behind(kiosk: KioskProcess) -> None:
    """Large text rebuilds the screens and every dialog is built for one opening. What is thrown away must
    not stay bound to the app: a binding left for the cycle collector to drop could be called, dead, in the
    middle of a language switch or of the session's end (a ReferenceError in a patron's tap)."""
    kiosk.wait_screen("attract")
    kiosk.call("pause_collector")  # what is left behind then stays, and shows every time
    kiosk.tap("btn_expiry")
    kiosk.wait_screen("expiry_method")
    kiosk.tap("a11y")
    kiosk.tap("large_text")
    kiosk.wait_for(lambda s: s["text_scale"] > 1 and not s["modals"])
    kiosk.tap("language")
    kiosk.wait_for(lambda s: "LanguagePicker" in s["modals"])
    kiosk.tap("lang_en")
    state = kiosk.wait_for(lambda s: s["language"] == "en" and not s["modals"])
    assert i18n.translate("expiry.method.body", "en") in state["texts"]
    # A closed dialog lets go of its bindings once its closing is over.
    kiosk.until(lambda: kiosk.call("stray_bindings")["bindings"] == [], "no stray bindings")
    kiosk.tap("back")  # the session ends: standard text again, the screens rebuilt once more
    state = kiosk.wait_screen("attract")
    assert state["text_scale"] == 1.0 and state["language"] == "ja"
    kiosk.until(lambda: kiosk.call("stray_bindings")["bindings"] == [], "no stray bindings")
