"""The accessibility core: which cue and prompt belong to a state, the tones, speech, the palettes."""

from __future__ import annotations

import re
import wave
from datetime import date, datetime
from pathlib import Path

import pytest

from kiosk import i18n
from kiosk.a11y import palette, tones
from kiosk.a11y.cues import (
    TICKET_NUMBER_KEY,
    Cue,
    cue_for,
    kind,
    prompt_key,
    prompt_keys,
    spoken_text,
    spoken_values,
)
from kiosk.a11y.speech import Synthesiser
from kiosk.cardnumber import Problem
from kiosk.flows import card_steps as cs
from kiosk.flows import checkup, common, expiry, renewal, ticket
from kiosk.flows import migration as mig
from kiosk.flows.card_steps import CardFacts, CardTrouble, EnteringPin, LastTryWarning, PinStep, WaitingForCard

CARD = "2000000030"
FACTS = CardFacts(b"der", date(2030, 1, 1), auth_tries=3, text_tries=3)
VIEW = expiry.ExpiryView(date(2027, 1, 1), date(2026, 10, 1), 200, expiry.CardStatus.VALID)
TICKET = ticket.TicketView("t1", "A-012", "other", "その他", "Other", datetime(2026, 6, 15, 10), 2, 6, "https://x")


def test_a_new_step_sounds_next_and_results_sound_by_outcome() -> None:
    assert cue_for(None, mig.Intro()) is Cue.NEXT
    assert cue_for(mig.Intro(), mig.Consent()) is Cue.NEXT
    assert cue_for(mig.Migrating(CARD, FACTS, PinStep.AUTH), mig.Completed(CARD, date(2026, 6, 15))) is Cue.OK
    assert cue_for(ticket.Printing(TICKET), ticket.Printed(TICKET)) is Cue.OK
    assert kind(mig.Pending(CARD, "R-1")) is Cue.WARNING
    assert kind(expiry.Shown(CARD, VIEW)) is Cue.OK
    expired = expiry.ExpiryView(date(2026, 1, 1), date(2025, 10, 1), 0, expiry.CardStatus.EXPIRED)
    assert kind(expiry.Shown(CARD, expired)) is Cue.WARNING
    pin = EnteringPin(CARD, FACTS, PinStep.AUTH, digits=4)
    assert cue_for(pin, LastTryWarning(pin)) is Cue.WARNING


@pytest.mark.parametrize("state", [
    expiry.Failed(CARD, expiry.Failure.SERVER_UNREACHABLE),
    ticket.PrintFailed(TICKET, ticket.PrintFailure.PAPER_OUT),
    ticket.IssueFailed("other", "k", ticket.IssueFailure.CLOSED),
    mig.Refused(CARD, mig.Refusal.LINKED_ELSEWHERE),
    cs.CertificateExpired(CARD, date(2026, 1, 1)),
    WaitingForCard(CARD, CardTrouble.NOT_MY_NUMBER),
    EnteringPin(CARD, FACTS, PinStep.AUTH, wrong=True),
])
def test_every_error_state_sounds_an_error(state: object) -> None:
    assert cue_for(object(), state) is Cue.ERROR


def test_a_pad_ticks_per_key_sounds_an_error_per_refused_submit_and_is_silent_on_a_rerender() -> None:
    empty, one = common.Entering(), common.Entering("1")
    assert cue_for(empty, one) is Cue.KEY
    assert cue_for(one, empty) is Cue.KEY
    refused = common.Entering("1", Problem.WRONG_LENGTH)
    assert cue_for(one, refused) is Cue.ERROR
    assert cue_for(refused, refused) is Cue.ERROR, "the same refused submit again is heard again"
    full = common.Entering("1234567890")
    assert cue_for(full, full) is None, "a key that changed nothing"
    assert cue_for(mig.CardNumber(empty), mig.CardNumber(one)) is Cue.KEY
    pin = EnteringPin(CARD, FACTS, PinStep.TEXT)
    assert cue_for(pin, EnteringPin(CARD, FACTS, PinStep.TEXT, digits=1)) is Cue.KEY


def test_a_checkup_report_is_ok_when_nothing_is_to_be_done_and_a_warning_otherwise() -> None:
    view = checkup.CheckupView(checkup.Link.MYKEY, CARD, VIEW, None, "C-1")
    assert kind(checkup.Report(date(2030, 1, 1), False, view, (checkup.Step.NOTHING,))) is Cue.OK
    steps = (checkup.Step.RENEW_CERTIFICATE,)
    assert kind(checkup.Report(date(2026, 8, 1), True, view, steps)) is Cue.WARNING
    assert kind(checkup.Failed(checkup.Failure.SERVER_UNREACHABLE)) is Cue.ERROR
    assert prompt_key("checkup_result", None, Cue.OK) == "voice.checkup_result.ok"
    assert prompt_key("checkup_result", None, Cue.WARNING) == "voice.checkup_result.warning"
    assert prompt_key("checkup_intro", None, Cue.NEXT) == "voice.checkup_intro"


def test_an_unknown_state_of_a_later_flow_falls_back_on_its_name() -> None:
    class RenewalFailed:
        pass

    class Reviewing:
        failure = None

    assert kind(RenewalFailed()) is Cue.ERROR
    assert kind(Reviewing()) is Cue.NEXT


def test_prompts_prefer_the_screens_own_key_then_a_generic_one_and_never_speak_key_presses() -> None:
    assert prompt_key("pin_pad", None, Cue.NEXT) == "voice.pin_pad"
    assert prompt_key("pin_pad", None, Cue.ERROR) == "voice.pin_pad.error"
    assert prompt_key("expiry_result", None, Cue.ERROR) == "voice.error"
    assert prompt_key("some_new_screen", None, Cue.NEXT) == "voice.next"
    assert prompt_key("idle", None, Cue.WARNING) == "voice.idle.warning"
    assert prompt_key("pin_pad", None, Cue.KEY) is None


def test_the_renewal_flow_sounds_like_the_others_and_its_review_is_never_read_out() -> None:
    assert cue_for(renewal.CardNumber(), renewal.CardNumber(common.Entering("2"))) is Cue.KEY
    assert kind(renewal.CardNumber(common.Entering("2", Problem.WRONG_LENGTH))) is Cue.ERROR
    assert kind(renewal.Sent(CARD, "R-1", address_differs=True)) is Cue.OK
    assert kind(renewal.NotYet(CARD, date(2026, 9, 1))) is Cue.WARNING
    assert kind(renewal.Failed(CARD, next(iter(renewal.Failure)))) is Cue.ERROR
    assert prompt_key("renewal_review", None, Cue.NEXT) == "voice.renewal_review"


def test_the_what_was_sent_view_has_its_own_prompt_that_reads_no_field() -> None:
    assert prompt_key("privacy_slip", None, Cue.NEXT) == "voice.privacy_slip"
    for language in i18n.languages():  # the lists themselves are on screen and on the slip, not spoken
        assert "{" not in i18n.translate("voice.privacy_slip", language)


# States holding everything personal a screen may show: card number, PIN digits, birth date, reference.
PERSONAL = [
    (common.Entering("2000000030"), "card_number"),
    (EnteringPin(CARD, FACTS, PinStep.SHARED, digits=3, birth_date=date(1980, 4, 1)), "pin_pad"),
    (EnteringPin(CARD, FACTS, PinStep.AUTH, wrong=True), "pin_pad"),
    (mig.Completed(CARD, date(2026, 6, 15)), "migrate_result"),
    (mig.Pending(CARD, "R-2026-0042"), "migrate_result"),
    (expiry.Shown(CARD, VIEW), "expiry_result"),
    (ticket.Printed(TICKET), "ticket_result"),
    (checkup.Report(date(2026, 8, 1), True, checkup.CheckupView(checkup.Link.OLD, CARD, VIEW, "M-77", "C-2026-9"),
                    (checkup.Step.MIGRATE,)), "checkup_result"),
]


@pytest.mark.parametrize(("state", "screen"), PERSONAL)
@pytest.mark.parametrize("language", i18n.languages())
def test_no_spoken_prompt_carries_a_number_or_a_value(state: object, screen: str, language: str) -> None:
    for cue in Cue:
        key = prompt_key(screen, state, cue)
        if key is None:
            continue
        text = spoken_text(key, language)
        assert text != key, f"{key} is missing in {language}"
        assert not re.search(r"[0-9０-９]", text), f"{key} speaks digits: {text}"
        assert "{" not in i18n.catalogue(language)[key], f"{key} has a placeholder"


@pytest.mark.parametrize(("state", "screen"), PERSONAL)
def test_the_only_value_ever_spoken_is_a_queue_tickets_number(state: object, screen: str) -> None:
    values = spoken_values(state)
    if isinstance(state, ticket.Printed):
        assert values == {"number": "A 0 1 2"}, "spelt out, one character at a time"
        assert prompt_keys(screen, state, Cue.OK) == ["voice.ticket_result.ok", TICKET_NUMBER_KEY]
        assert spoken_text(TICKET_NUMBER_KEY, "ja", values) == "ばんごうわ A 0 1 2 です。"
        assert spoken_text(TICKET_NUMBER_KEY, "en", values) == "Your number is A 0 1 2."
    else:
        assert values == {}
        assert all(TICKET_NUMBER_KEY not in prompt_keys(screen, state, cue) for cue in Cue)
    assert spoken_text("voice.card_number", "ja", {"number": "2000000030"}) == spoken_text("voice.card_number", "ja")


def test_every_voice_key_is_plain_text_in_every_catalogue_and_japanese_is_kana() -> None:
    kanji = re.compile(r"[\u4e00-\u9fff]")
    for language in i18n.languages():
        for key, text in i18n.catalogue(language).items():
            if key.startswith("voice."):
                holes = re.findall(r"\{(\w+)\}", text)
                assert holes == (["number"] if key == TICKET_NUMBER_KEY else []), (language, key)
                assert not re.search(r"[0-9]", text), (language, key)
                if language.startswith("ja"):
                    assert not kanji.search(text), f"espeak-ng cannot read the kanji in {key}: {text}"
                    # Kana are read as written: the particles は and へ are spelt わ and え (as said).
                    assert not re.search(r"[はへ][、。 ]", text), f"particle は/へ in {key}: {text}"


def test_cue_tones_are_distinct_short_wav_files_written_once(tmp_path: Path) -> None:
    paths = tones.ensure(tmp_path)
    assert set(paths) == set(Cue)
    contents = {path.read_bytes() for path in paths.values()}
    assert len(contents) == len(Cue), "each cue sounds different"
    for path in paths.values():
        with wave.open(str(path)) as w:
            assert w.getframerate() == tones.RATE and w.getsampwidth() == 2
            assert 0.02 < w.getnframes() / tones.RATE < 0.6, "a cue is short"
    before = {p: p.stat().st_mtime_ns for p in paths.values()}
    tones.ensure(tmp_path)
    assert before == {p: p.stat().st_mtime_ns for p in paths.values()}
    assert tones.samples(Cue.OK) == tones.samples(Cue.OK), "deterministic"


@pytest.mark.parametrize("language", ["ja", "en"])
def test_espeak_ng_speaks_each_prompt_once_into_the_cache(tmp_path: Path, language: str) -> None:
    synth = Synthesiser("espeak-ng", tmp_path)
    text = spoken_text("voice.pin_pad", language)
    path = synth.wav(text, language)
    assert path is not None and path.is_file()
    with wave.open(str(path)) as w:
        frames = w.readframes(w.getnframes())
        assert w.getnframes() / w.getframerate() > 1.0, "a sentence, not a blip"
    assert max(frames) > 0
    mtime = path.stat().st_mtime_ns
    assert synth.wav(text, language) == path and path.stat().st_mtime_ns == mtime, "cached"


def test_a_missing_synthesiser_or_voice_speaks_nothing(tmp_path: Path) -> None:
    assert Synthesiser("no-such-synthesiser", tmp_path).wav("こんにちは", "ja") is None
    assert Synthesiser("espeak-ng", tmp_path).cache_path("x", "xx") is None


@pytest.mark.parametrize(("name", "least"), [("standard", 4.5), ("high_contrast", 7.0)])
def test_every_text_colour_pair_meets_its_contrast_level(name: str, least: float) -> None:
    pal = palette.PALETTES[name]
    assert set(pal) == set(palette.STANDARD), "both palettes name the same colours"
    fg, bg, ratio = palette.worst_pair(pal)
    assert ratio >= least, f"{name}: {fg} on {bg} is {ratio:.2f}:1"
    fg, bg, ratio = palette.worst_pair(pal, palette.EDGE_PAIRS)
    assert ratio >= 3.0, f"{name}: a control's edge {fg} against {bg} is {ratio:.2f}:1"


def test_contrast_ratio_matches_wcag_reference_values() -> None:
    assert palette.contrast((0, 0, 0, 1), (1, 1, 1, 1)) == pytest.approx(21.0)
    assert palette.contrast((1, 1, 1, 1), (1, 1, 1, 1)) == pytest.approx(1.0)
    # #767676 on white is the well-known 4.54:1
    grey = 0x76 / 255
    assert palette.contrast((grey, grey, grey, 1), (1, 1, 1, 1)) == pytest.approx(4.54, abs=0.01)
