"""Operation without sight: every patron flow done with the tactile numeric keypad alone (key events through
the test driver, never a touch), heard through SDL's disk audio driver: the guidance starts with any key,
menus are spoken as numbered choices, the card number and the PIN are typed on the keypad (a tick per key,
never a digit spoken), results are spoken with what to do next, Help says it all again, and the Staff key
calls staff from any step (the server gets the call)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from kiosk import i18n
from kiosk.a11y import cues, menus, speech
from tests.support.disk_audio import BYTES_PER_S, sounding_seconds
from tests.support.kiosk_app import KioskProcess
from tests.support.server_proc import ServerProcess
from tests.support.tickets import staff_headers
from tests.ui.conftest import start_audio_kiosk

ATTRACT_MENU = ["voice.keypad.choice_1", "service.checkup.title", "voice.keypad.choice_2", "service.migrate.title",
                "voice.keypad.choice_3", "service.expiry.title", "voice.keypad.choice_4", "service.registration.title",
                "voice.keypad.choice_5", "service.ticket.title", "voice.keypad.choice_6", "voice.keypad.language"]
DIGITS = {d: f"numpad{d}" for d in "0123456789"}
STAFF = list(menus.STAFF_KEYS)  # how every spoken menu of a step ends: 「職員を呼ぶときは、アスタリスクのキーです。」


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


def menu(*labels: str, note: tuple[str, ...] = ()) -> list[str]:
    """A step's spoken choices: numbered, then what the keypad cannot do there, then the Staff key."""
    return [*menus.spoken(list(labels)), *note, *STAFF]


def ends_with(state: dict[str, Any], *keys: str) -> bool:
    return state["spoken"][-len(keys):] == list(keys)


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
    listed = menus.spoken_labels() | cues.listed_keys()  # buttons' labels, the names a screen lists (IDs)
    assert all(k.startswith("voice.") or k in listed for k in state["spoken"]), state["spoken"]
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
def audio_card_kiosk(display: str, fresh_server: ServerProcess, private_pcscd: object,
                     tmp_path: Path) -> Iterator[KioskProcess]:
    """The audio kiosk with the private pcscd's virtual reader, and a server of its own."""
    with start_audio_kiosk(display, fresh_server, tmp_path) as app:
        app.server = fresh_server  # type: ignore[attr-defined]
        yield app


@pytest.fixture
def audio_own_server_kiosk(display: str, fresh_server: ServerProcess, tmp_path: Path) -> Iterator[KioskProcess]:
    """The audio kiosk with a server of its own (which a test may stop)."""
    with start_audio_kiosk(display, fresh_server, tmp_path) as app:
        app.server = fresh_server  # type: ignore[attr-defined]
        yield app


def staff_calls(server: ServerProcess) -> list[str]:
    """The reasons of the kiosk alerts the server holds (the counter console lists them), oldest first."""
    answer = requests.get(server.base_url + "/v1/counter/alerts", headers=staff_headers(server), timeout=10)
    assert answer.status_code == 200, answer.text
    return [alert["reason"] for alert in sorted(answer.json(), key=lambda a: a["created_at"])]


def printed_tickets(kiosk: KioskProcess) -> list[Path]:
    return sorted(kiosk.printed.glob("*.png"))  # type: ignore[attr-defined]


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
    state = said(kiosk, "voice.card_number", *STAFF)
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
                           and ends_with(s, "common.done", *STAFF), timeout=20)
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
    state = said(kiosk, "voice.pin_pad", *STAFF)
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
    state = kiosk.wait_for(lambda s: s["screen"] == "migrate_result" and ends_with(s, "common.done", *STAFF),
                           timeout=40)
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
    state = said(kiosk, "voice.pin_pad", *STAFF)
    before = len(state["spoken"])
    type_digits(kiosk, "1234")
    kiosk.wait_for(lambda s: "● ● ● ●" in s["texts"])
    assert len(kiosk.state()["spoken"]) == before, "no PIN digit is ever spoken"
    key(kiosk, "numpadenter")
    state = kiosk.wait_for(lambda s: s["screen"] == "checkup_result" and ends_with(s, "common.done", *STAFF),
                           timeout=40)
    result = state["spoken"][before:]
    assert {"voice.checkup_result.ok", "voice.checkup_result.warning"} & set(result), "the report is spoken"
    assert result[-2 - len(STAFF):] == ["voice.keypad.choice_" + choice_number(state, "common.done"), "common.done",
                                        *STAFF]
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
    state = kiosk.wait_for(lambda s: s["screen"] == "expiry_result" and ends_with(s, "common.done", *STAFF),
                           timeout=30)
    key(kiosk, "numpad" + choice_number(state, "action.request_renewal"))
    kiosk.wait_screen("renewal_way", timeout=20)
    said(kiosk, "voice.renewal_way", *menu("renewal.way.with_card", "renewal.way.without_card"))
    key(kiosk, "numpad1")
    kiosk.wait_screen("migrate_same_pin", timeout=20)
    said(kiosk, "voice.migrate_same_pin", *menu("migrate.samepin.same", "migrate.samepin.different"))
    key(kiosk, "numpad2")  # different: the 券面事項入力補助 PIN first
    state = said(kiosk, "voice.pin_pad", *STAFF, timeout=20)
    before = len(state["spoken"])
    type_digits(kiosk, persona.text_pin)
    key(kiosk, "numpadenter")
    # The 利用者証明用 PIN next: a new step, said as one.
    kiosk.wait_for(lambda s: s["screen"] == "pin_pad" and s["spoken"][before:][-1 - len(STAFF):] == ["voice.pin_pad",
                                                                                                   *STAFF], timeout=30)
    before = len(kiosk.state()["spoken"])
    type_digits(kiosk, persona.auth_pin)
    key(kiosk, "numpadenter")
    kiosk.wait_screen("renewal_review", timeout=30)
    said(kiosk, "voice.renewal_review", *menu("renewal.review.send"))
    key(kiosk, "numpadenter")  # one choice: Enter sends
    state = kiosk.wait_for(lambda s: s["screen"] == "renewal_result" and ends_with(s, "common.done", *STAFF),
                           timeout=30)
    assert "voice.renewal_result.ok" in state["spoken"][before:] and state["language"] == "en"
    only_fixed_texts_spoken(kiosk)
    key(kiosk, "numpad" + choice_number(state, "common.done"))
    kiosk.wait_screen("attract")


def test_staff_are_called_with_the_star_key_from_a_pad_and_a_choice_and_it_is_said_if_they_cannot_be(
        audio_own_server_kiosk: KioskProcess) -> None:
    kiosk = audio_own_server_kiosk
    server = kiosk.server  # type: ignore[attr-defined]
    start_with_any_key(kiosk)
    key(kiosk, "numpadmul")  # the attract screen has no 職員を呼ぶ: the key calls no one, the screen is said again
    said(kiosk, "voice.attract", *ATTRACT_MENU)
    key(kiosk, "numpad3")  # 3 番、有効期限の確認
    kiosk.wait_screen("expiry_method")
    said(kiosk, "voice.expiry_method", *menu("expiry.method.by_number", "expiry.method.by_card"))  # "*": staff
    key(kiosk, "numpad1")
    kiosk.wait_screen("card_number")
    said(kiosk, "voice.card_number", *STAFF)
    type_digits(kiosk, "20")
    kiosk.wait_for(lambda s: "20" in s["texts"])
    assert staff_calls(server) == []
    key(kiosk, "numpadmul")  # on the pad: the digits are the card number's, the star calls staff
    state = said(kiosk, "voice.staff_called", timeout=30)
    assert i18n.translate("toast.staff_called", "ja") in state["texts"], "seen as well as heard"
    assert staff_calls(server) == ["expiry.card_number"], "the counter console has the call, with the step"
    assert state["screen"] == "card_number" and "20" in state["texts"], "the patron's step and digits are kept"
    key(kiosk, "numpadadd")  # Help: back to the step
    said(kiosk, "voice.card_number", *STAFF)
    key(kiosk, "numpadsubstract")
    key(kiosk, "numpadsubstract")
    key(kiosk, "numpadsubstract")  # the digits, then a step back: a screen of choices
    kiosk.wait_screen("expiry_method")
    said(kiosk, "voice.expiry_method", *menu("expiry.method.by_number", "expiry.method.by_card"))
    server.stop()  # the server is gone: the patron hears that no one was called, and where to go
    key(kiosk, "numpadmul")
    state = said(kiosk, "voice.staff_not_called", timeout=60)
    assert i18n.translate("toast.staff_not_called", "ja") in state["texts"]
    only_fixed_texts_spoken(kiosk)


ID_LIST = ["registration.id.driving_licence", "registration.id.residence_card", "voice.registration_ids.address",
           "registration.id.utility_bill", "voice.registration_ids.not_accepted", "registration.id.notification_card"]


@pytest.mark.parametrize("language", ["ja", "en"])
def test_registration_without_the_card_on_the_keypad_speaks_the_ids_and_the_tickets_number(
        audio_kiosk: KioskProcess, language: str) -> None:
    kiosk = audio_kiosk
    start_with_any_key(kiosk)
    if language == "en":
        in_english(kiosk)
    key(kiosk, "numpad4")  # 4 番、利用者カードの新規登録
    kiosk.wait_screen("registration_intro")
    said(kiosk, "voice.registration_intro", *menu("registration.intro.with_card", "registration.intro.without_card"))
    key(kiosk, "numpad2")  # without the card
    kiosk.wait_screen("registration_ids", timeout=20)
    ids_menu = menu("action.counter_ticket", "common.done")
    state = kiosk.wait_for(lambda s: ends_with(s, *ids_menu) and "voice.registration_ids" in s["spoken"], timeout=20)
    spoken = state["spoken"][state["spoken"].index("voice.registration_ids"):]
    listed = spoken[1:-len(ids_menu)]
    assert [k for k in listed if k in ID_LIST] == ID_LIST, "the IDs, then what else, then what is not accepted"
    assert all(k.startswith("registration.id.") or k.startswith("voice.registration_ids.") for k in listed), listed
    assert "voice.registration_ids.others" not in listed, "every ID of the library's list has its catalogue name"
    before = printed_tickets(kiosk)
    key(kiosk, "numpad1")  # 1 番、整理券を発行
    result = ["voice.ticket_result.ok", "voice.ticket_number", *menu("action.what_was_sent", "common.done")]
    state = said(kiosk, *result, timeout=30)
    assert state["language"] == language and len(printed_tickets(kiosk)) == len(before) + 1
    number = next(t for t in state["texts"] if re.fullmatch(r"[A-Z]-\d{3}", t))
    only_fixed_texts_spoken(kiosk, ticket=number)  # the number was said, spelt out; nothing else with a value
    key(kiosk, "numpad" + choice_number(state, "common.done"))
    kiosk.wait_screen("attract")


PHONE = "0952242900"


@pytest.mark.parametrize("language", ["ja", "en"])
def test_registration_with_the_card_on_the_keypad_alone(audio_card_kiosk: KioskProcess, insert_card, test_pki,  # type: ignore[no-untyped-def]
                                                        language: str) -> None:
    persona = test_pki.personas["no_old_link"]  # a My Number card linked to no library card
    insert_card("no_old_link")
    kiosk = audio_card_kiosk
    start_with_any_key(kiosk)
    if language == "en":
        in_english(kiosk)
    key(kiosk, "numpad4")
    kiosk.wait_screen("registration_intro")
    key(kiosk, "numpad1")  # with the My Number card (on the reader already)
    kiosk.wait_screen("migrate_same_pin", timeout=30)
    said(kiosk, "voice.migrate_same_pin", *menu("migrate.samepin.same", "migrate.samepin.different"))
    key(kiosk, "numpad2")  # different: the 券面事項入力補助 PIN first
    state = said(kiosk, "voice.pin_pad", *STAFF, timeout=20)
    before = len(state["spoken"])
    type_digits(kiosk, persona.text_pin)
    kiosk.wait_for(lambda s: "● ● ● ●" in s["texts"])
    assert len(kiosk.state()["spoken"]) == before, "no PIN digit is ever spoken"
    key(kiosk, "numpadenter")
    # The 利用者証明用 PIN next: a new step, said as one.
    kiosk.wait_for(lambda s: s["screen"] == "pin_pad" and s["spoken"][before:][-1 - len(STAFF):] == ["voice.pin_pad",
                                                                                                   *STAFF], timeout=30)
    type_digits(kiosk, persona.auth_pin)
    key(kiosk, "numpadenter")
    kiosk.wait_screen("registration_review", timeout=30)
    # The card's facts are on the screen, not read out; the e-mail is by touch only, and the choices say so.
    review_menu = menu("registration.review.edit_phone", "registration.review.send",
                       note=("voice.keypad.email_by_touch",))
    said(kiosk, "voice.registration_review", *review_menu)
    key(kiosk, "numpad2")  # send with no way to reach the patron: refused, said as an error
    said(kiosk, "voice.registration_review.error", *review_menu)
    key(kiosk, "numpad1")  # the phone number, on the keypad's digits
    kiosk.wait_screen("registration_contact")
    state = said(kiosk, "voice.registration_contact.phone", *STAFF)
    before = len(state["spoken"])
    type_digits(kiosk, PHONE + "9")
    kiosk.wait_for(lambda s: PHONE + "9" in s["texts"])
    key(kiosk, "numpadsubstract")  # Back: the last digit (訂正)
    kiosk.wait_for(lambda s: PHONE in s["texts"] and PHONE + "9" not in s["texts"])
    assert len(kiosk.state()["spoken"]) == before, "the digits of the phone number are not spoken"
    key(kiosk, "numpadenter")
    state = said(kiosk, "voice.registration_review", "voice.registration_review.phone", *review_menu)
    assert any(PHONE in t for t in state["texts"]), "on the screen, not in the speech"
    key(kiosk, "numpad2")  # send
    state = kiosk.wait_for(lambda s: s["screen"] == "registration_result" and ends_with(s, "common.done", *STAFF),
                           timeout=40)
    result = state["spoken"][state["spoken"].index("voice.registration_result.ok", before):]
    assert result == ["voice.registration_result.ok", *menu("action.counter_ticket", "common.done")], result
    assert state["language"] == language
    reference = next(t for t in state["texts"] if t.startswith("N") and len(t) == 6)
    server = kiosk.server  # type: ignore[attr-defined]
    listed = requests.get(server.base_url + "/v1/staff/registration-applications", headers=staff_headers(server),
                          timeout=10).json()
    assert [(a["reference_code"], a["phone"]) for a in listed] == [(reference, PHONE)]
    before = printed_tickets(kiosk)
    key(kiosk, "numpad1")  # 1 番、整理券を発行 (the retry is not offered: the numbers have no gap)
    ticket = ["voice.ticket_result.ok", "voice.ticket_number", *menu("action.what_was_sent", "common.done")]
    state = said(kiosk, *ticket, timeout=30)
    assert len(printed_tickets(kiosk)) == len(before) + 1
    number = next(t for t in state["texts"] if re.fullmatch(r"[A-Z]-\d{3}", t))
    only_fixed_texts_spoken(kiosk, ticket=number)  # no name, address, phone, reference or PIN was synthesised
    key(kiosk, "numpad" + choice_number(state, "common.done"))
    kiosk.wait_screen("attract")
