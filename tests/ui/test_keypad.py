"""Operation without sight: every patron flow done with the tactile numeric keypad alone (key events through
the test driver, never a touch), heard through SDL's disk audio driver: the guidance starts with any key,
menus are spoken as numbered choices, the card number and the PIN are typed on the keypad (a tick per key,
never a digit spoken), results are spoken with what to do next, Help says it all again."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kiosk import i18n
from kiosk.a11y import menus, speech
from tests.support.kiosk_app import KioskProcess
from tests.support.server_proc import ServerProcess
from tests.ui.test_accessibility import BYTES_PER_S, sounding_seconds, start_audio_kiosk

ATTRACT_MENU = ["voice.keypad.choice_1", "service.checkup.title", "voice.keypad.choice_2", "service.migrate.title",
                "voice.keypad.choice_3", "service.expiry.title", "voice.keypad.choice_4", "service.registration.title",
                "voice.keypad.choice_5", "service.ticket.title", "voice.keypad.choice_6", "voice.keypad.language"]
DIGITS = {d: f"numpad{d}" for d in "0123456789"}


def key(kiosk: KioskProcess, name: str, repeats: int = 0) -> None:
    """One key of the keypad (Kivy's key name), as SDL delivers it (held down for ``repeats`` key repeats)."""
    kiosk.call("key", name=name, repeats=repeats)


def type_digits(kiosk: KioskProcess, digits: str) -> None:
    for digit in digits:
        key(kiosk, DIGITS[digit])


def said(kiosk: KioskProcess, *keys: str, timeout: float = 20) -> dict[str, Any]:
    """Wait until the last utterance was ``keys`` (the prompt, then the choices)."""
    return kiosk.wait_for(lambda s: s["spoken"][-len(keys):] == list(keys), timeout)


def choice_number(state: dict[str, Any], label: str) -> str:
    """The number the last menu spoke ``label`` with."""
    spoken = state["spoken"]
    at = len(spoken) - 1 - spoken[::-1].index(label)
    number = spoken[at - 1]
    assert number.startswith("voice.keypad.choice_"), spoken
    return number.rsplit("_", 1)[1]


def menu(*labels: str) -> list[str]:
    return menus.spoken(list(labels))


def synthesiser(kiosk: KioskProcess) -> speech.Synthesiser:
    """A synthesiser with the kiosk's voices and cache (to know where a prompt's file is)."""
    from kiosk import config

    voices = config.load(config.DEFAULT_PATH, environ={}).accessibility.voices()
    return speech.Synthesiser(voices, kiosk.voice)  # type: ignore[attr-defined]


def only_fixed_texts_spoken(kiosk: KioskProcess, ticket: str = "") -> None:
    """What the kiosk said is catalogue prompts and button labels, and every prompt it synthesised is one of them
    (an utterance is joined from those files) or the queue ticket's number: no digit typed reached the
    synthesiser."""
    state = kiosk.state()
    assert all(k.startswith("voice.") or k in menus.spoken_labels() for k in state["spoken"]), state["spoken"]
    synth = synthesiser(kiosk)
    allowed = {synth.cache_path(text, language) for language, text in speech.prompts(i18n.languages())}
    if ticket:  # the one value ever said, spelt out (not personal: the lobby display calls it out)
        number = " ".join(ch for ch in ticket if ch.isalnum())
        allowed.add(synth.cache_path(i18n.translate("voice.ticket_number", state["language"], number=number),
                                     state["language"]))
    made = {p for p in kiosk.voice.rglob("*.wav") if p.parent.name != "joined"}  # type: ignore[attr-defined]
    assert made and made <= allowed, made - allowed


def start_with_any_key(kiosk: KioskProcess) -> None:
    audio = kiosk.audio  # type: ignore[attr-defined]
    kiosk.wait_screen("attract")
    audio.wait_bytes(BYTES_PER_S // 2)
    # Synthesised ahead after the first frame, the keypad's first words among the first.
    synth = synthesiser(kiosk)
    first = [synth.cache_path(i18n.translate(k, "ja"), "ja") for k in ("voice.keypad.on", *menus.first_menu())]
    kiosk.until(lambda: all(path is not None and path.is_file() for path in first), "the first prompts", timeout=60)
    start = audio.size()
    key(kiosk, "numpad5")  # feeling for the keys: it starts the guidance and chooses nothing
    state = said(kiosk, "voice.keypad.on", "voice.attract", *ATTRACT_MENU)
    assert state["guidance"] and state["screen"] == "attract"
    audio.wait_bytes(start + 15 * BYTES_PER_S)
    assert sounding_seconds(audio, start) > 6.0, "a spoken menu, not just a cue"


def in_english(kiosk: KioskProcess) -> None:
    key(kiosk, "numpad6")  # 6 番、英語の案内
    kiosk.wait_for(lambda s: s["language"] == "en")
    said(kiosk, "voice.attract", *ATTRACT_MENU)


@pytest.fixture
def audio_kiosk(display: str, ui_server: ServerProcess, tmp_path: Path) -> Iterator[KioskProcess]:
    app = start_audio_kiosk(display, ui_server, tmp_path)
    app.printed = tmp_path / "printed"  # type: ignore[attr-defined]
    try:
        yield app
    finally:
        app.stop()


@pytest.fixture
def audio_card_kiosk(display: str, fresh_server: ServerProcess, private_pcscd: object,
                     tmp_path: Path) -> Iterator[KioskProcess]:
    """The audio kiosk with the private pcscd's virtual reader."""
    app = start_audio_kiosk(display, fresh_server, tmp_path)
    try:
        yield app
    finally:
        app.stop()


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_expiry_check_by_card_number_on_the_keypad_alone(audio_kiosk: KioskProcess, language: str) -> None:
    kiosk, audio = audio_kiosk, audio_kiosk.audio  # type: ignore[attr-defined]
    start_with_any_key(kiosk)
    if language == "en":
        in_english(kiosk)
    key(kiosk, "numpad3")  # 3 番、有効期限の確認
    kiosk.wait_screen("expiry_method")
    said(kiosk, "voice.expiry_method", *menu("expiry.method.by_number", "expiry.method.by_card"))
    key(kiosk, "numpad9")  # no such choice: said so, and the choices again
    said(kiosk, "voice.keypad.no_choice", "voice.expiry_method",
         *menu("expiry.method.by_number", "expiry.method.by_card"))
    key(kiosk, "numpad1")
    kiosk.wait_screen("card_number")
    state = said(kiosk, "voice.card_number")
    before = len(state["spoken"])
    audio.play_on(1)
    assert audio.heard(lambda: key(kiosk, "numpad2")) > 500, "a key ticks"
    key(kiosk, "numpad9", repeats=5)  # held down: one digit, not six (EN 301 549 5.7)
    kiosk.wait_for(lambda s: "29" in s["texts"])
    type_digits(kiosk, "9")
    key(kiosk, "numpadsubstract")  # Back: the last digit (訂正)
    key(kiosk, "numpaddecimal")  # Clear: the whole pad
    type_digits(kiosk, "2000000121")
    state = kiosk.wait_for(lambda s: "20000 00121" in s["texts"])
    assert len(state["spoken"]) == before, "the digits are never spoken"
    key(kiosk, "numpadenter")
    state = kiosk.wait_for(lambda s: "voice.expiry_result.warning" in s["spoken"][before:]
                           and s["spoken"][-1] == "common.done", timeout=20)
    assert state["screen"] == "expiry_result" and state["language"] == language
    result = state["spoken"][state["spoken"].index("voice.expiry_result.warning", before):]
    assert "action.request_renewal" in result, "what the patron can do next is spoken"
    key(kiosk, "numpadadd")  # Help: all of it again
    kiosk.wait_for(lambda s: s["spoken"][-2 * len(result):] == result * 2)
    assert i18n.translate("voice.expiry_result.warning", language) != "voice.expiry_result.warning"
    only_fixed_texts_spoken(kiosk)
    key(kiosk, "numpad" + choice_number(state, "common.done"))
    state = kiosk.wait_screen("attract")
    assert not state["guidance"] and state["spoken"] == [], "the next patron starts without guidance"


@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_queue_ticket_on_the_keypad_alone_says_its_number(audio_kiosk: KioskProcess, language: str) -> None:
    kiosk = audio_kiosk
    start_with_any_key(kiosk)
    if language == "en":
        in_english(kiosk)
    key(kiosk, "numpad5")  # 5 番、整理券の発行
    kiosk.wait_screen("ticket_service")
    said(kiosk, "voice.ticket_service", *menu("ticket.service.registration", "ticket.service.mynumber",
                                               "ticket.service.other"))
    key(kiosk, "numpad2")
    result = ["voice.ticket_result.ok", "voice.ticket_number", *menu("action.what_was_sent", "common.done")]
    state = said(kiosk, *result, timeout=30)
    assert state["language"] == language
    number = next(t for t in state["texts"] if re.fullmatch(r"[A-Z]-\d{3}", t))
    key(kiosk, "numpad1")  # 送信した情報: a view over the result, with choices of its own
    said(kiosk, "voice.privacy_slip", *menu("privacy.print", "common.back"))
    assert "PrivacySlipView" in kiosk.state()["modals"]
    key(kiosk, "numpadsubstract")  # Back: to the result, said again
    state = said(kiosk, *result)
    assert not state["modals"] and state["screen"] == "ticket_result"
    only_fixed_texts_spoken(kiosk, ticket=number)
    key(kiosk, "numpadsubstract")  # Back from a result: start again
    kiosk.wait_screen("attract")


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_migration_with_the_card_and_pin_on_the_keypad_alone(audio_card_kiosk: KioskProcess, insert_card,
                                                                  language: str) -> None:
    insert_card("normal")
    kiosk, audio = audio_card_kiosk, audio_card_kiosk.audio  # type: ignore[attr-defined]
    start_with_any_key(kiosk)
    if language == "en":
        in_english(kiosk)
    key(kiosk, "numpad2")  # 2 番、マイナンバーカード連携の切り替え
    kiosk.wait_screen("migrate_intro")
    said(kiosk, "voice.migrate_intro", *menu("common.next"))
    key(kiosk, "numpadenter")  # one choice: Enter takes it
    kiosk.wait_screen("migrate_consent")
    said(kiosk, "voice.migrate_consent", *menu("common.agree"))
    key(kiosk, "numpadenter")
    kiosk.wait_screen("card_number")
    type_digits(kiosk, "2000000014")
    key(kiosk, "numpadenter")
    kiosk.wait_screen("migrate_same_pin", timeout=30)
    said(kiosk, "voice.migrate_same_pin", *menu("migrate.samepin.same", "migrate.samepin.different"))
    key(kiosk, "numpad1")
    kiosk.wait_screen("pin_pad")
    state = said(kiosk, "voice.pin_pad")
    before = len(state["spoken"])
    audio.play_on(1)
    for digit in "129":
        assert audio.heard(lambda d=digit: key(kiosk, DIGITS[d]), seconds=0.4) > 500, "each PIN key ticks"
    kiosk.wait_for(lambda s: "● ● ● ○" in s["texts"])
    key(kiosk, "numpadsubstract")  # Back: the last digit (訂正), though this pad shows no such button
    kiosk.wait_for(lambda s: "● ● ○ ○" in s["texts"])
    type_digits(kiosk, "3")
    kiosk.wait_for(lambda s: "● ● ● ○" in s["texts"])
    key(kiosk, "numpad4")
    kiosk.wait_for(lambda s: "● ● ● ●" in s["texts"])
    assert len(kiosk.state()["spoken"]) == before, "no PIN digit is ever spoken"
    key(kiosk, "numpadenter")
    state = kiosk.wait_for(lambda s: s["screen"] == "migrate_result" and s["spoken"][-1] == "common.done", timeout=40)
    result = state["spoken"][state["spoken"].index("voice.migrate_result.ok", before):]
    assert result[:3] == ["voice.migrate_result.ok", "voice.keypad.choice_1", "action.receipt"], result
    assert state["language"] == language
    only_fixed_texts_spoken(kiosk)
    key(kiosk, "numpad" + choice_number(state, "common.done"))
    kiosk.wait_screen("attract")


def test_the_card_check_up_on_the_keypad_alone(audio_card_kiosk: KioskProcess, insert_card, card_server) -> None:  # type: ignore[no-untyped-def]
    kiosk = audio_card_kiosk
    start_with_any_key(kiosk)
    if card_server.inserted:
        insert_card.remove()
    key(kiosk, "numpad1")  # 1 番、カードの点検
    kiosk.wait_screen("checkup_intro")
    said(kiosk, "voice.checkup_intro", *menu("checkup.intro.start"))
    insert_card("normal", physical=True)  # placing the card starts it
    kiosk.wait_screen("pin_pad", timeout=30)
    state = said(kiosk, "voice.pin_pad")
    before = len(state["spoken"])
    type_digits(kiosk, "1234")
    kiosk.wait_for(lambda s: "● ● ● ●" in s["texts"])
    assert len(kiosk.state()["spoken"]) == before, "no PIN digit is ever spoken"
    key(kiosk, "numpadenter")
    state = kiosk.wait_for(lambda s: s["screen"] == "checkup_result" and s["spoken"][-1] == "common.done", timeout=40)
    result = state["spoken"][before:]
    assert {"voice.checkup_result.ok", "voice.checkup_result.warning"} & set(result), "the report is spoken"
    assert result[-2:] == ["voice.keypad.choice_" + choice_number(state, "common.done"), "common.done"]
    only_fixed_texts_spoken(kiosk)
    key(kiosk, "numpad" + choice_number(state, "common.done"))
    kiosk.wait_screen("attract")


def test_the_renewal_request_with_the_card_on_the_keypad_alone(audio_card_kiosk: KioskProcess, insert_card,  # type: ignore[no-untyped-def]
                                                               test_pki) -> None:
    persona = test_pki.personas["different_pins"]
    insert_card("different_pins")
    kiosk = audio_card_kiosk
    start_with_any_key(kiosk)
    in_english(kiosk)
    key(kiosk, "numpad3")  # 3: Check your card's expiry
    kiosk.wait_screen("expiry_method")
    key(kiosk, "numpad1")
    kiosk.wait_screen("card_number")
    type_digits(kiosk, "2000000071")  # expired, renewal open
    key(kiosk, "numpadenter")
    state = kiosk.wait_for(lambda s: s["screen"] == "expiry_result" and s["spoken"][-1] == "common.done", timeout=30)
    key(kiosk, "numpad" + choice_number(state, "action.request_renewal"))
    kiosk.wait_screen("renewal_way", timeout=20)
    said(kiosk, "voice.renewal_way", *menu("renewal.way.with_card", "renewal.way.without_card"))
    key(kiosk, "numpad1")
    kiosk.wait_screen("migrate_same_pin", timeout=20)
    said(kiosk, "voice.migrate_same_pin", *menu("migrate.samepin.same", "migrate.samepin.different"))
    key(kiosk, "numpad2")  # different: the 券面事項入力補助 PIN first
    state = said(kiosk, "voice.pin_pad", timeout=20)
    before = len(state["spoken"])
    type_digits(kiosk, persona.text_pin)
    key(kiosk, "numpadenter")
    # The 利用者証明用 PIN next: a new step, said as one.
    kiosk.wait_for(lambda s: s["screen"] == "pin_pad" and s["spoken"][before:][-1:] == ["voice.pin_pad"], timeout=30)
    before = len(kiosk.state()["spoken"])
    type_digits(kiosk, persona.auth_pin)
    key(kiosk, "numpadenter")
    kiosk.wait_screen("renewal_review", timeout=30)
    said(kiosk, "voice.renewal_review", *menu("renewal.review.send"))
    key(kiosk, "numpadenter")  # one choice: Enter sends
    state = kiosk.wait_for(lambda s: s["screen"] == "renewal_result" and s["spoken"][-1] == "common.done",
                           timeout=30)
    assert "voice.renewal_result.ok" in state["spoken"][before:] and state["language"] == "en"
    only_fixed_texts_spoken(kiosk)
    key(kiosk, "numpad" + choice_number(state, "common.done"))
    kiosk.wait_screen("attract")
