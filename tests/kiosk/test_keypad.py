"""The tactile keypad's meaning per screen (kiosk/a11y/keypad.py) and the numbered choices (menus.py)."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from kiosk import config, i18n
from kiosk.a11y import menus
from kiosk.a11y.keypad import Action, Do, KeyMap, Press, Role, action

ROOT = Path(__file__).resolve().parents[2]
DEFAULTS = config.KeypadSettings()
DIGIT = {d: Press(Role.DIGIT, d) for d in "0123456789"}
ENTER, CLEAR, BACK, HELP, STAFF = (Press(role) for role in (Role.ENTER, Role.CLEAR, Role.BACK, Role.HELP, Role.STAFF))


def test_the_default_keys_are_a_common_usb_numeric_keypads() -> None:
    keys = KeyMap(DEFAULTS)
    assert keys.press("numpad7") == DIGIT["7"]
    assert keys.press("numpadenter") == ENTER
    assert keys.press("numpaddecimal") == CLEAR
    assert keys.press("numpadsubstract") == keys.press("backspace") == BACK
    assert keys.press("numpadadd") == HELP
    assert keys.press("numpadmul") == STAFF
    assert keys.press("a") is None and keys.press("enter") is None, "the scanner's Enter is not the keypad's"
    assert KeyMap(replace(DEFAULTS, enabled=False)).press("numpad7") is None


def test_a_key_with_two_meanings_or_a_short_digit_row_is_refused_in_the_settings() -> None:
    with pytest.raises(ValueError, match="two meanings"):
        KeyMap(replace(DEFAULTS, help=("numpad1",)))
    with pytest.raises(config.ConfigError, match="two meanings"):
        config.load(config.DEFAULT_PATH, environ={"KIOSK_KEYPAD_HELP": "numpad1"}, enrolled=False)
    with pytest.raises(config.ConfigError, match="ten key names"):
        config.load(config.DEFAULT_PATH, environ={"KIOSK_KEYPAD_DIGITS": "numpad0:numpad1"}, enrolled=False)
    with pytest.raises(config.ConfigError, match="two meanings"):  # "*" calls staff
        config.load(config.DEFAULT_PATH, environ={"KIOSK_KEYPAD_HELP": "numpadmul:numpadadd"}, enrolled=False)
    moved = config.load(config.DEFAULT_PATH, environ={"KIOSK_KEYPAD_HELP": "numpaddivide:numpadadd",
                                                      "KIOSK_KEYPAD_STAFF": "f1"}, enrolled=False)
    assert KeyMap(moved.keypad).press("numpaddivide") == HELP and KeyMap(moved.keypad).press("f1") == STAFF


def test_the_first_key_only_starts_the_guidance() -> None:
    for press in (DIGIT["1"], ENTER, BACK, HELP, CLEAR, STAFF):
        assert action(press, started=False, typed=None, choices=["a", "b"]) == Action(Do.START)


def test_a_digit_presses_its_numbered_choice_and_no_other() -> None:
    choices = ["btn_checkup", "btn_migrate", "btn_expiry"]
    assert action(DIGIT["1"], started=True, typed=None, choices=choices) == Action(Do.PRESS, "btn_checkup")
    assert action(DIGIT["3"], started=True, typed=None, choices=choices) == Action(Do.PRESS, "btn_expiry")
    assert action(DIGIT["4"], started=True, typed=None, choices=choices) == Action(Do.INVALID)
    assert action(DIGIT["0"], started=True, typed=None, choices=choices) == Action(Do.INVALID)
    assert action(DIGIT["1"], started=True, typed=None, choices=[]) == Action(Do.REPEAT), "a working screen"


def test_enter_confirms_a_single_choice_and_help_repeats() -> None:
    assert action(ENTER, started=True, typed=None, choices=["agree"]) == Action(Do.PRESS, "agree")
    assert action(ENTER, started=True, typed=None, choices=["same", "different"]) == Action(Do.REPEAT)
    assert action(HELP, started=True, typed=None, choices=["same"]) == Action(Do.REPEAT)
    assert action(HELP, started=True, typed=2, choices=[]) == Action(Do.REPEAT)
    assert action(CLEAR, started=True, typed=None, choices=["same"]) == Action(Do.REPEAT)


def test_back_goes_a_step_back_but_not_off_the_attract_screen() -> None:
    assert action(BACK, started=True, typed=None, choices=["a"]) == Action(Do.BACK)
    assert action(BACK, started=True, typed=None, choices=["a"], first_screen=True) == Action(Do.NOTHING)


def test_on_a_pad_the_keys_press_the_pads_own_buttons() -> None:
    assert action(DIGIT["0"], started=True, typed=0, choices=[]) == Action(Do.PRESS, "key_0")
    assert action(DIGIT["9"], started=True, typed=3, choices=[]) == Action(Do.PRESS, "key_9")
    assert action(ENTER, started=True, typed=4, choices=[]) == Action(Do.PRESS, "submit")
    assert action(CLEAR, started=True, typed=4, choices=[]) == Action(Do.PRESS, "key_clear")
    assert action(BACK, started=True, typed=2, choices=[]) == Action(Do.PRESS, "key_backspace"), "訂正: one digit"
    assert action(BACK, started=True, typed=0, choices=[]) == Action(Do.BACK), "an empty pad: a step back"


def test_choices_are_spoken_numbered_from_one() -> None:
    assert menus.spoken(["common.retry", "common.done"]) == [
        "voice.keypad.choice_1", "common.retry", "voice.keypad.choice_2", "common.done"]
    assert i18n.translate("voice.keypad.choice_1", "ja") == "1 番、"
    assert menus.other_language("ja") == menus.other_language("ja-easy") == "en"
    assert menus.other_language("en") == "ja"
    with pytest.raises(ValueError):
        menus.number_key(10)


def _kv_ids(screen: str) -> set[str]:
    name = {"idle": "idle_warning"}.get(screen, screen)
    return set(re.findall(r"^\s*id: (\w+)", (ROOT / "screens" / f"{name}.kv").read_text(), re.MULTILINE))


@pytest.mark.parametrize("screen", sorted(menus.MENUS))
def test_every_choice_is_a_button_of_its_screen_spoken_with_a_fixed_text(screen: str) -> None:
    choices = menus.MENUS[screen]
    assert len(choices) <= menus.MAX_CHOICES
    ids = _kv_ids(screen)
    for choice in choices:
        assert choice.widget == menus.OTHER_LANGUAGE or choice.widget in ids, f"{screen}: no {choice.widget}"
        for language in i18n.languages():
            text = i18n.translate(choice.label, language)
            assert text != choice.label, f"{choice.label} missing in {language}"
            assert "{" not in i18n.catalogue(language)[choice.label] and not re.search(r"[0-9]", text), text
            assert "\n" not in text and "[" not in text, f"{choice.label}: a label to read, not markup"


def test_the_staff_key_presses_the_footers_call_staff_on_every_kind_of_step() -> None:
    """A screen of choices, a pad (the digits are the PIN there: a number could not call staff) and a working
    step: the same key, the same button a tap would press (where the screen lacks it, it is said again)."""
    for typed, choices in ((None, ["same", "different"]), (0, []), (3, []), (None, [])):
        assert action(STAFF, started=True, typed=typed, choices=choices) == Action(Do.PRESS, "call_staff")
    footer = (ROOT / "screens" / "widgets.kv").read_text()
    assert re.search(r"<StepFooter@BoxLayout>:(?:\n .*)*\n\s*id: call_staff\n", footer), "the footer's button"
    assert menus.STAFF.widget == "call_staff"


def test_a_spoken_menu_ends_with_the_staff_key_and_says_what_the_keypad_cannot_do() -> None:
    notes = [key for keys in menus.NOTES.values() for key in keys]
    assert set(menus.NOTES) <= set(menus.MENUS) and "voice.keypad.email_by_touch" in notes
    assert "edit_email" not in {choice.widget for choice in menus.MENUS["registration_review"]}, "by touch only"
    for key in (*menus.STAFF_KEYS, *notes):
        for language in i18n.languages():
            text = i18n.translate(key, language)
            assert text != key and not re.search(r"[0-9]", text), (language, key)
    assert "アスタリスク" in i18n.translate("voice.keypad.staff", "ja")
    assert "star" in i18n.translate("voice.keypad.staff", "en")
