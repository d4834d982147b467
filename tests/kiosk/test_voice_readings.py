"""How the voices read the library's words (protocol/readings.py), through the real synthesisers: Open JTalk
for Japanese and やさしい日本語, espeak-ng's cmn-latn-pinyin for Mandarin. docs/voice-review.md is the
review these pin down."""

from __future__ import annotations

import array
import contextlib
import io
import re
import subprocess
import wave
from pathlib import Path

import pytest

from kiosk import i18n
from kiosk.a11y import speech
from kiosk.a11y.cues import TICKET_NUMBER_KEY, spoken_text
from kiosk.a11y.speech import Synthesiser
from protocol import readings
from scripts.voice_review import phrases

with contextlib.redirect_stdout(io.StringIO()):  # its import prints a note about an optional model
    import pyopenjtalk

VOICES = {"ja": "openjtalk", "ja-easy": "openjtalk", "zh": "espeak-ng:cmn-latn-pinyin"}

# Every term of the library's prompts, screens and call-outs, and how a Japanese ear expects it (Open JTalk's
# reading of what the synthesiser is given, long vowels as ー).
TERMS = {
    "利用者証明用電子証明書": "リヨーシャショーメーヨーデンシショーメーショ",
    "券面事項入力補助": "ケンメンジコーニューリョクホジョ",
    "暗証番号": "アンショーバンゴー",
    "図書館カード": "トショカンカード",
    "利用者カード": "リヨーシャカード",
    "マイナンバーカード": "マイナンバーカード",
    "マイキーID": "マイキーアイディー",
    "整理券": "セーリケン",
    "2階": "ニカイ",
    "二階総合カウンター": "ニカイソーゴーカウンター",
    "3番窓口": "サンバンマドグチ",
    "総合カウンター": "ソーゴーカウンター",
    "有効期限": "ユーコーキゲン",
    "更新": "コーシン",
    "令和8年6月1日": "レーワハチネンロクガツツイタチ",
    "2026年6月20日": "ニセンニジューロクネンロクガツハツカ",
    "残り1回": "ノコリイッカイ",
    "暗証番号四桁": "アンショーバンゴーヨンケタ",
    "QRコード": "キューアールコード",
    "個人番号": "コジンバンゴー",
    "佐賀県立図書館": "サガケンリツトショカン",
    "カード読み取り機": "カードヨミトリキ",
    "番号は": "バンゴーワ",  # the particle は as said
    # These needed a hint: Open JTalk read 方 as ホー, PIN letter by letter, a letter as the symbol エイ (Ａ),
    # and ran the spelt digits of a ticket's number into one word (エイゼロイチニ), which the lobby calls
    # エーの12番.
    "PIN": "ピン",
    "連携済みの方": "レンケーズミノカタ",
    "次の方": "ツギノカタ",
    "ご用の方は": "ゴヨーノカタワ",
    "受付番号、A の 12 番の方": "ウケツケバンゴー、エーノジューニバンノカタ",
    "受付番号、K の 3 番の方": "ウケツケバンゴー、ケーノサンバンノカタ",
    "番号は A 0 1 2 です。": "バンゴーワエーノジューニバンデス。",  # as the lobby calls it
    "番号は M 0 0 7 です。": "バンゴーワエムノナナバンデス。",
}


# Accent phrases (／) and pauses (、) where Open JTalk got them wrong: 利用者カード as two words, やさしい日本語's
# kana terms split (あん／しょうばんごう, に／かいの), a pause between a quoted button name and its particle.
PHRASES = {
    ("ja", "利用者カードの番号で"): "リヨーシャカードノ／バンゴーデ",
    ("ja", "入力して、「決定」を押してください。"): "ニューリョクシテ、ケッテーヲ／オシテクダサイ",
    ("ja-easy", "あんしょうばんごう よっつの すうじを"): "アンショーバンゴー／ヨッツノ／スージヲ",
    ("ja-easy", "にかいの カウンターに きて ください。"): "ニカイノ／カウンターニ／キテクダサイ",
    ("ja-easy", "マイナンバーカードの れんけいを かえる"): "マイナンバーカードノ／レンケーヲ／カエル",
    ("ja-easy", "えいごの あんない、English"): "エーゴノ／アンナイ、イングリッシュ",
    ("ja-easy", "さがけんりつ としょかんです。"): "サガケンリツ／トショカンデス",
    ("ja-easy", "1 ばん、"): "イチバン",
    ("ja-easy", "9 ばん、"): "キューバン",
}


def reading(text: str, language: str = "ja") -> str:
    return pyopenjtalk.g2p(readings.spoken(text, language), kana=True)


def samples(path: Path) -> array.array:
    with wave.open(str(path)) as w:
        return array.array("h", w.readframes(w.getnframes()))


@pytest.mark.parametrize(("term", "expected"), TERMS.items())
def test_open_jtalk_reads_every_library_term_as_a_patron_expects(term: str, expected: str) -> None:
    assert reading(term) == expected


@pytest.mark.parametrize(("language", "text"), PHRASES)
def test_open_jtalk_phrases_the_library_terms_as_one_word_and_pauses_only_where_written(language: str,
                                                                                      text: str) -> None:
    assert phrases(readings.spoken(text, language)) == PHRASES[language, text]
    assert text in "".join(i18n.catalogue(language).values()), "a prompt's own words"


def test_every_japanese_prompt_reads_方_as_a_person_and_no_letter_as_a_symbol() -> None:
    """No prompt (nor its spoken number, nor any screen text) says の方 as ホー, or leaves a letter to Open
    JTalk's symbol reading (Ａ in its kana), or runs spelt digits together."""
    for language in ("ja", "ja-easy"):
        for key, text in i18n.catalogue(language).items():
            if key == TICKET_NUMBER_KEY:
                text = spoken_text(key, language, {"number": "A 0 1 2"})
            text = re.sub(r"\{\w+\}", "", text)  # a screen's value (a date, a count) is never spoken
            said = reading(text, language)
            assert "ノホー" not in said, f"{language} {key}: {said}"
            assert not re.search(r"[Ａ-Ｚａ-ｚ]", said), f"{language} {key}: {said}"
        number = reading(spoken_text(TICKET_NUMBER_KEY, language, {"number": "A 0 1 2"}), language)
        assert "エーノジューニバン" in number, number


@pytest.mark.parametrize(("language", "key", "said"), [
    # The keypad's choice of the expiry check by card (a button label the menu speaks).
    ("ja", "expiry.method.by_card", "マイナンバーカードで（新方式で連携済みのカタ）"),
    ("ja", TICKET_NUMBER_KEY, "番号は エーの 12番 です。"),
    ("ja-easy", TICKET_NUMBER_KEY, "あなたの ばんごうは エーの 12番 です。"),
])
def test_the_kiosk_synthesises_a_prompt_from_its_reading_hint(tmp_path: Path, language: str, key: str,
                                                              said: str) -> None:
    """The WAV the kiosk plays is Open JTalk given the hinted text, not the written one (the screen's)."""
    text = spoken_text(key, language, {"number": "A 0 1 2"})
    path = Synthesiser(VOICES, tmp_path).wav(text, language)
    assert path is not None
    played = samples(path)
    hinted, rate = pyopenjtalk.tts(said)
    written, _ = pyopenjtalk.tts(text)
    assert list(played) == [int(s) for s in speech.level(hinted, int(rate))]
    assert len(played) != len(written) or list(played) != [int(s) for s in speech.level(written, int(rate))]


def test_the_kiosk_says_a_tickets_number_in_english_as_the_lobby_calls_it(tmp_path: Path) -> None:
    """espeak-ng read "Your number is A 0 1 2" with A as the article (ə); now the letter, then twelve."""
    voices = {"en": "espeak-ng:en-gb"}
    text = spoken_text(TICKET_NUMBER_KEY, "en", {"number": "A 0 1 2"})
    assert text == "Your number is A 0 1 2."
    assert "a# z'i@roU" in phonemes(text, "en-gb")
    assert "'eI _ tw'Elv" in phonemes(readings.spoken(text, "en"), "en-gb")
    path = Synthesiser(voices, tmp_path).wav(text, "en")
    assert path is not None
    out = tmp_path / "direct.wav"
    subprocess.run(["espeak-ng", "-v", "en-gb", "-s", str(speech.ESPEAK_WPM), "-w", str(out), "--",
                    "Your number is A-12."], check=True, capture_output=True, timeout=30)
    assert samples(path) == samples(out)


def test_a_new_reading_hint_makes_a_new_cache_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    synth = Synthesiser(VOICES, tmp_path)
    text = i18n.translate("expiry.method.by_card", "ja")
    before = synth.cache_path(text, "ja")
    monkeypatch.setitem(readings._HINTS, "ja", ())
    assert synth.cache_path(text, "ja") != before, "the cache is named by what the synthesiser is given"


def test_open_jtalk_prompts_are_levelled_below_full_scale_not_clipped(tmp_path: Path) -> None:
    """Open JTalk's raw samples pass 16-bit full scale on some words (電話番号を入力: 1.9 times); the kiosk's
    WAV keeps every peak below full scale at the speech level of the others."""
    raw, _ = pyopenjtalk.tts("電話番号を入力")
    assert max(abs(s) for s in raw) > 32767, "the case this guards"
    synth = Synthesiser(VOICES, tmp_path)
    path = synth.wav("電話番号を入力", "ja")
    assert path is not None
    pcm = samples(path)
    assert max(abs(s) for s in pcm) <= speech.PEAK_CEILING < 32767, "no sample at full scale"


# -- Mandarin ------------------------------------------------------------------------------------------------

def phonemes(text: str, voice: str = "cmn-latn-pinyin") -> str:
    done = subprocess.run(["espeak-ng", "-v", voice, "-q", "-x", "--", text], capture_output=True, text=True,
                          check=True, timeout=30)
    return done.stdout


def test_espeak_ng_reads_the_chinese_prompts_in_mandarin_with_their_hints() -> None:
    # The plain cmn voice turns a hanzi into pinyin and then says its tone digit in English ("qing three").
    assert "(en)" in phonemes("请把卡放在读卡器上", "cmn")
    assert "(en)" not in phonemes("请把卡放在读卡器上")
    # Polyphones espeak-ng gets wrong, given as tone-numbered pinyin: 重试 chóng shì, 处理 chǔ lǐ, 个人 gè rén.
    assert "ts.'ong" in phonemes("重试") and "ts.h'ong35" in phonemes(readings.spoken("重试", "zh"))
    assert "ts.h'u51" in phonemes("处理") and "ts.h'u35" in phonemes(readings.spoken("处理", "zh"))
    assert "k'o-51" in phonemes(readings.spoken("个人", "zh"))
    assert readings.spoken("English", "zh") == "英语"


def test_the_kiosk_says_a_chinese_prompt_from_its_pinyin_hint(tmp_path: Path) -> None:
    """重试 (the retry choice) is played as espeak-ng reads "chong2试", not as it reads 重试."""
    path = Synthesiser(VOICES, tmp_path).wav("重试", "zh")
    assert path is not None

    def espeak(text: str) -> array.array:
        out = tmp_path / "direct.wav"
        subprocess.run(["espeak-ng", "-v", "cmn-latn-pinyin", "-s", str(speech.ESPEAK_WPM), "-w", str(out), "--",
                        text], check=True, capture_output=True, timeout=30)
        return samples(out)

    assert samples(path) == espeak("chong2试") != espeak("重试")


def test_every_chinese_prompt_is_spoken_in_mandarin(tmp_path: Path) -> None:
    from kiosk import config

    voices = config.load(config.DEFAULT_PATH, environ={}).accessibility.voices()
    assert voices["zh"] == "espeak-ng:cmn-latn-pinyin", "Mandarin has a voice"
    synth = Synthesiser(voices, tmp_path)
    chinese = [(language, text) for language, text in speech.prompts(["zh"])]
    chinese.append(("zh", spoken_text(TICKET_NUMBER_KEY, "zh", {"number": "A 0 1 2"})))
    assert synth.warm(chinese) == len({synth.cache_path(text, "zh") for _lang, text in chinese})
    for _language, text in chinese:
        path = synth.cache_path(text, "zh")
        assert path is not None and path.parent.name == "espeak-ng-cmn-latn-pinyin" and path.is_file(), text
        pcm = samples(path)
        with wave.open(str(path)) as w:
            seconds = w.getnframes() / w.getframerate()
        rms = (sum(s * s for s in pcm) / len(pcm)) ** 0.5
        assert rms > 1000, f"{text}: (nearly) silent, RMS {rms:.0f}"
        # A hanzi, a tone-numbered pinyin syllable (a hint), a digit or a Latin word: one syllable or more each.
        syllables = len(re.findall(r"[\u4e00-\u9fff]|[a-z]+[1-5]|[0-9]|[A-Za-z]+", readings.spoken(text, "zh")))
        assert 0.2 < seconds / syllables < 1.0, f"{text}: {seconds:.1f} s for {syllables} syllables"
        assert "(en)" not in phonemes(readings.spoken(text, "zh")), f"{text}: read as English"
