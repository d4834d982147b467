"""The accessibility core: which cue and prompt belong to a state, the tones, speech, the palettes."""

from __future__ import annotations

import array
import math
import re
import wave
from datetime import date, datetime
from pathlib import Path

import pytest

from kiosk import i18n
from kiosk.a11y import palette, speech, tones
from kiosk.a11y.cues import (
    TICKET_NUMBER_KEY,
    Cue,
    cue_for,
    kind,
    listed_keys,
    prompt_key,
    prompt_keys,
    spoken_text,
    spoken_values,
)
from kiosk.a11y.speech import Synthesiser
from kiosk.api.wire import AcceptedId, AcceptedIds
from kiosk.cardnumber import Problem
from kiosk.flows import card_steps as cs
from kiosk.flows import checkup, common, expiry, registration, renewal, ticket
from kiosk.flows import migration as mig
from kiosk.flows.card_steps import CardFacts, CardTrouble, EnteringPin, LastTryWarning, PinStep, WaitingForCard
from protocol import readings

CARD = "2000000030"
FACTS = CardFacts(b"der", date(2030, 1, 1), auth_tries=3, text_tries=3)
FACTS_READ = renewal.Facts("山田 花子", "鳥栖市本町二丁目", date(1980, 4, 1))
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
    (renewal.Review(CARD, FACTS_READ, renewal.Comparison(renewal.Eligibility.EXPIRED, True)), "renewal_review"),
    (renewal.Sent(CARD, "R-2026-0042", address_differs=True), "renewal_result"),
]
# Kanji numerals in a row (四桁 is one, 二〇二六 would be four): how a value would look in a kanji prompt.
KANJI_NUMBER = re.compile(r"[〇一二三四五六七八九十百千万]{2,}")


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
        assert not KANJI_NUMBER.search(text), f"{key} speaks a number in kanji: {text}"
        assert not any(part in text for part in (*FACTS_READ.name.split(), "鳥栖市")), f"{key} speaks a name"
        assert "{" not in i18n.catalogue(language)[key], f"{key} has a placeholder"


@pytest.mark.parametrize(("state", "screen"), PERSONAL)
def test_the_only_value_ever_spoken_is_a_queue_tickets_number(state: object, screen: str) -> None:
    values = spoken_values(state)
    if isinstance(state, ticket.Printed):
        assert values == {"number": "A 0 1 2"}, "spelt out, one character at a time"
        assert prompt_keys(screen, state, Cue.OK) == ["voice.ticket_result.ok", TICKET_NUMBER_KEY]
        assert spoken_text(TICKET_NUMBER_KEY, "ja", values) == "番号は A 0 1 2 です。"
        assert spoken_text(TICKET_NUMBER_KEY, "en", values) == "Your number is A 0 1 2."
    else:
        assert values == {}
        assert all(TICKET_NUMBER_KEY not in prompt_keys(screen, state, cue) for cue in Cue)
    assert spoken_text("voice.card_number", "ja", {"number": "2000000030"}) == spoken_text("voice.card_number", "ja")


REGISTRATION_FACTS = registration.Facts("山田 花子", "鳥栖市本町二丁目", date(1980, 4, 1), "2")
PHONE = "0952242900"


def test_the_registration_screens_say_the_ids_they_list_but_nothing_typed_or_read_from_the_card() -> None:
    """Without the card the accepted IDs are spoken, each by its catalogue name (one the catalogues do not name is
    on the screen only, and said to be); with the card, that a phone number was typed, never which."""
    ids = AcceptedIds(ids=(AcceptedId("passport", "パスポート", "Passport"), AcceptedId("own_card", "館の証", "Own")),
                      address_proofs=(AcceptedId("utility_bill", "公共料金", "Utility bill"),),
                      not_accepted=(AcceptedId("notification_card", "通知カード", "Notification card"),))
    listed = prompt_keys("registration_ids", registration.WhatToBring(ids), Cue.NEXT)
    assert listed == ["voice.registration_ids", "registration.id.passport", "voice.registration_ids.address",
                      "registration.id.utility_bill", "voice.registration_ids.not_accepted",
                      "registration.id.notification_card", "voice.registration_ids.others"]
    fallback = prompt_keys("registration_ids", registration.WhatToBring(None), Cue.NEXT)
    assert fallback == ["voice.registration_ids", "registration.ids.fallback"]
    review = registration.Review(REGISTRATION_FACTS, registration.Signature("c", b"der", b"sig"), FACTS, phone=PHONE)
    said = prompt_keys("registration_review", review, Cue.NEXT)
    assert said == ["voice.registration_review", "voice.registration_review.phone"]
    refused = registration.Review(REGISTRATION_FACTS, review.signature, FACTS,
                                  problem=registration.ContactProblem.REQUIRED)
    assert prompt_keys("registration_review", refused, kind(refused)) == ["voice.registration_review.error"]
    phone = registration.EnteringContact(review, registration.Contact.PHONE, PHONE[:4])
    email = registration.EnteringContact(review, registration.Contact.EMAIL, "sakura@")
    assert prompt_keys("registration_contact", phone, Cue.NEXT) == ["voice.registration_contact.phone"]
    assert prompt_keys("registration_contact", email, Cue.NEXT) == ["voice.registration_contact.email"]
    assert prompt_key("registration_contact", phone, Cue.KEY) is None, "a key typed is a tick, not a prompt"
    keys = {*listed, *fallback, *said, "voice.registration_contact.phone", "voice.registration_contact.email"}
    assert {key for key in keys if not key.startswith("voice.")} <= listed_keys()
    for language in i18n.languages():
        for key in keys:
            text = spoken_text(key, language)
            assert text != key and "{" not in i18n.catalogue(language)[key], (language, key)
            assert not re.search(r"[0-9０-９]", text) and "山田" not in text and "鳥栖" not in text, (language, text)
    ahead = set(speech.prompts(["ja", "en"]))  # the names are synthesised ahead like the prompts
    assert ("ja", "パスポート") in ahead and ("en", i18n.translate("registration.id.utility_bill", "en")) in ahead


def test_every_voice_key_is_plain_text_in_every_catalogue_and_japanese_is_written_as_on_screen() -> None:
    for language in i18n.languages():
        for key, text in i18n.catalogue(language).items():
            if key.startswith("voice."):
                holes = re.findall(r"\{(\w+)\}", text)
                assert holes == (["number"] if key == TICKET_NUMBER_KEY else []), (language, key)
                # The one digit ever in a prompt: a keypad choice's own number (「1 番、」), the key to press.
                number = re.fullmatch(r"voice\.keypad\.choice_(\d)", key)
                assert re.findall(r"[0-9]", text) == ([number.group(1)] if number else []), (language, key)
                if language.startswith("ja"):
                    # Open JTalk reads は and へ as particles: no more espeak-ng spellings (わ, え) for the ear.
                    assert not re.search(r"[ぁ-んァ-ヶー一-龯][わえ][、。 ]", text), f"spelt for espeak-ng: {text}"
    # Japanese prompts are in kanji like the screens (the kana copies were for espeak-ng only).
    ja = {k: v for k, v in i18n.catalogue("ja").items() if k.startswith("voice.")}
    assert all(re.search(r"[\u4e00-\u9fff]", text) for text in ja.values()), "every Japanese prompt in kanji"


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


VOICES = {"ja": "openjtalk", "ja-easy": "openjtalk", "en": "espeak-ng:en-gb", "zh": "espeak-ng:cmn-latn-pinyin",
          "ko": "espeak-ng:ko"}


def loudness(path: Path) -> tuple[float, float]:
    """(seconds, RMS) of a 16-bit mono WAV file."""
    with wave.open(str(path)) as w:
        assert w.getsampwidth() == 2 and w.getnchannels() == 1
        samples = array.array("h", w.readframes(w.getnframes()))
        seconds = w.getnframes() / w.getframerate()
    return seconds, math.sqrt(sum(s * s for s in samples) / max(1, len(samples)))


def peak(path: Path) -> int:
    """The largest sample of a 16-bit WAV file, in magnitude."""
    with wave.open(str(path)) as w:
        return max(map(abs, array.array("h", w.readframes(w.getnframes()))), default=0)


def moras(reading: str) -> int:
    """Morae of a katakana reading: every kana but the small ones that join the one before, and no punctuation."""
    kana = sum(1 for ch in reading if "ァ" <= ch <= "ヶ" or ch == "ー")
    return kana - sum(reading.count(small) for small in "ャュョァィゥェォ")


@pytest.fixture(scope="module")
def japanese_voice(tmp_path_factory: pytest.TempPathFactory) -> Synthesiser:
    """Every Japanese and やさしい日本語 prompt synthesised ahead with the real Open JTalk, as the kiosk does."""
    synth = Synthesiser(VOICES, tmp_path_factory.mktemp("voice"))
    japanese = [(language, text) for language, text in speech.prompts(i18n.languages()) if language.startswith("ja")]
    # Once per text and voice (the two Japanese catalogues share a voice and some button labels).
    assert synth.warm(japanese) == len({synth.cache_path(text, language) for language, text in japanese})
    assert synth.warm(japanese) == 0, "synthesised once"
    return synth


@pytest.mark.parametrize("language", ["ja", "ja-easy"])
def test_every_japanese_prompt_is_spoken_by_open_jtalk_as_a_sentence(japanese_voice: Synthesiser,
                                                                      language: str) -> None:
    import pyopenjtalk

    for key, text in i18n.catalogue(language).items():
        if not key.startswith("voice."):
            continue
        text = spoken_text(key, language, {"number": "A 0 1 2"})
        path = japanese_voice.wav(text, language)
        assert path is not None and path.parent.name == "openjtalk", key
        seconds, rms = loudness(path)
        assert rms > 1000, f"{key} is (nearly) silent: RMS {rms:.0f}"
        assert peak(path) <= speech.PEAK_CEILING, f"{key} reaches full scale: clipped"
        count = moras(pyopenjtalk.g2p(readings.spoken(text, language), kana=True))
        assert 0.06 < seconds / count < 0.3, f"{key}: {seconds:.1f} s for {count} morae"


# Terms of the prompts and how a Japanese ear expects them (Open JTalk's reading, long vowels as ー).
READINGS = {
    "利用者証明用電子証明書": "リヨーシャショーメーヨーデンシショーメーショ",
    "暗証番号四桁": "アンショーバンゴーヨンケタ",
    "利用者カード": "リヨーシャカード",
    "二階総合カウンター": "ニカイソーゴーカウンター",
    "整理券": "セーリケン",
    "佐賀県立図書館": "サガケンリツトショカン",
    "有効期限": "ユーコーキゲン",
    "カード読み取り機": "カードヨミトリキ",
    "職員": "ショクイン",
    "マイナンバーカード連携の切り替え": "マイナンバーカードレンケーノキリカエ",
    "番号は": "バンゴーワ",  # the particle は as said
}


def test_open_jtalk_reads_the_kanji_of_the_prompts_as_a_patron_expects() -> None:
    import pyopenjtalk

    assert pyopenjtalk.g2p("利用者証明用電子証明書", kana=True) == "リヨーシャショーメーヨーデンシショーメーショ"
    for term, reading in READINGS.items():
        assert pyopenjtalk.g2p(term, kana=True) == reading, term
    # In context too: each term in a prompt is read the same there.
    used = set()
    for key, text in i18n.catalogue("ja").items():
        if key.startswith("voice."):
            said = pyopenjtalk.g2p(spoken_text(key, "ja", {"number": "A 0 1 2"}), kana=True)
            for term, reading in READINGS.items():
                if term in text:
                    assert reading in said, f"{term} in {key} read as {said}"
                    used.add(term)
    assert len(used) >= 8, "the terms are the prompts' own"
    # A ticket's number is said as the lobby calls it, エーの12番 (protocol/readings.py).
    said = readings.spoken(spoken_text(TICKET_NUMBER_KEY, "ja", {"number": "A 0 1 2"}), "ja")
    assert pyopenjtalk.g2p(said) == "b a N g o o w a e e n o j u u n i b a N d e s U"


def test_an_utterance_is_joined_from_the_cached_prompts_without_synthesising_them_again(
        japanese_voice: Synthesiser) -> None:
    on, attract = (spoken_text(k, "ja") for k in ("voice.guidance_on", "voice.attract"))
    parts = [japanese_voice.cache_path(t, "ja") for t in (on, attract)]
    assert all(p is not None and p.is_file() for p in parts)
    before = [p.stat().st_mtime_ns for p in parts if p is not None]
    joined = japanese_voice.wav([on, attract], "ja")
    assert joined is not None and joined.parent.name == "joined"
    assert [p.stat().st_mtime_ns for p in parts if p is not None] == before, "the prompts came from the cache"
    seconds = [loudness(p)[0] for p in parts if p is not None]
    assert loudness(joined)[0] == pytest.approx(sum(seconds) + speech.PAUSE_S, abs=0.01)
    # The first prompts a patron hears are synthesised first.
    order = speech.prompts(["ja", "en"])
    first = speech.heard_first()  # guidance on, the attract screen, and the keypad's start and first menu
    assert first[:2] == ["voice.guidance_on", "voice.attract"] and "voice.keypad.on" in first
    assert order[:2 * len(first)] == [(lang, spoken_text(k, lang)) for lang in ("ja", "en") for k in first]
    assert all("{" not in text for _lang, text in order), "a prompt with a value is made when it is said"


@pytest.mark.parametrize("language", ["en", "ko"])
def test_espeak_ng_speaks_english_and_korean_once_into_the_cache(tmp_path: Path, language: str) -> None:
    synth = Synthesiser(VOICES, tmp_path)
    text = spoken_text("voice.pin_pad", language)
    path = synth.wav(text, language)
    assert path is not None and path.parent.name.startswith("espeak-ng")
    seconds, rms = loudness(path)
    assert seconds > 1.0 and rms > 300, "a sentence, not a blip"
    mtime = path.stat().st_mtime_ns
    assert synth.wav(text, language) == path and path.stat().st_mtime_ns == mtime, "cached"


def test_espeak_ng_prompts_are_made_at_install_by_the_module_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    for name, value in {"KIOSK_ACCESSIBILITY_VOICE_CACHE_DIR": str(tmp_path), "KIOSK_SESSION_LANGUAGES": "en",
                        "KIOSK_SESSION_DEFAULT_LANGUAGE": "en"}.items():
        monkeypatch.setenv(name, value)
    assert speech.main() == 0
    english = speech.prompts(["en"])
    assert f"speech: {len(english)} prompts synthesised into {tmp_path}" in capsys.readouterr().out
    synth = Synthesiser(VOICES, tmp_path)
    assert all((path := synth.cache_path(text, "en")) is not None and path.is_file() for _lang, text in english)
    assert speech.main() == 0 and "speech: 0 prompts" in capsys.readouterr().out, "made once"


def test_a_missing_synthesiser_or_voice_speaks_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no espeak-ng
    synth = Synthesiser(VOICES, tmp_path)
    assert synth.wav("Hello", "en") is None and synth.voice("en") is None
    assert synth.voice("zh") is None and synth.wav("请", "zh") is None, "no espeak-ng, no Mandarin"
    unvoiced = Synthesiser({k: v for k, v in VOICES.items() if k != "zh"}, tmp_path)
    assert unvoiced.cache_path("x", "zh") is None and unvoiced.wav("请", "zh") is None, "a language without a voice"


def test_each_language_has_its_voice_in_the_settings() -> None:
    from kiosk import config

    settings = config.load(config.DEFAULT_PATH, environ={})
    assert settings.accessibility.voices() == VOICES
    assert config.load(config.DEFAULT_PATH, environ={"KIOSK_ACCESSIBILITY_VOICE_JA_EASY": ""}).accessibility.voices() \
        == {k: v for k, v in VOICES.items() if k != "ja-easy"}
    with pytest.raises(config.ConfigError, match=r"accessibility\.voice_zh"):
        config.load(config.DEFAULT_PATH, environ={"KIOSK_ACCESSIBILITY_VOICE_ZH": "festival"})
    with pytest.raises(config.ConfigError, match=r"accessibility\.speech_speed"):
        config.load(config.DEFAULT_PATH, environ={"KIOSK_ACCESSIBILITY_SPEECH_SPEED": "5"})


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
