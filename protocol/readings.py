"""How the voices read the library's words, as the kiosk's guidance and the lobby's call-outs must both say them.

A synthesiser reads a text by its own rules, and a few of the library's words come out wrong: Open JTalk says
方 as ホー (direction) where the library means かた (a person: 12 番の方, 連携済みの方), PIN as ピーアイエヌ, a
ticket's letter as the symbol エイ (NHK and every counter say エー), splits 利用者カード and some kana words of
やさしい日本語 into two accent phrases, pauses at quotation marks, and dropped the spaces of a spelt ticket
number ("A 0 1 2"), running the digits into one word: the kiosk now says that number as the lobby calls it.
espeak-ng reads a lone A before a number as the article (ə), and its Mandarin reads 重试 as zhòng shì and 处理
as chù lǐ. ``spoken`` rewrites only the copy of a text that goes to the synthesiser (kana or kanji for Open
JTalk, tone-numbered pinyin for espeak-ng's ``cmn-latn-pinyin``, which reads Latin as pinyin); the screens and
the catalogues keep the written form. Shared by kiosk/a11y/speech.py and server/tickets/voice.py so a number
sounds the same at the kiosk and in the lobby.

Each hint is a whole phrase, not a lone character, so it changes only the words it was written for
(tests/kiosk/test_voice_readings.py pins the reading of every term and every prompt that needs one).
"""

from __future__ import annotations

import re

# Japanese: the written phrase, then what Open JTalk is given. Katakana, not hiragana: after hiragana かた
# Open JTalk reads the particle は as ハ.
JAPANESE: tuple[tuple[str, str], ...] = (
    # 方 meaning a person (かた): the call-out's "12 番の方", the check's "連携済みの方", "次の方", "ご用の方".
    ("番の方", "番のカタ"),
    ("済みの方", "済みのカタ"),
    ("次の方", "次のカタ"),
    ("用の方", "用のカタ"),
    ("待ちの方", "待ちのカタ"),
    ("PIN", "ピン"),
    # One word with its compound accent (リヨーシャ[カ]ード); Open JTalk made two phrases of it, 利用者／カード.
    ("利用者カード", "リヨーシャカード"),
    # やさしい日本語 writes these in kana, and Open JTalk split or misread them: あん／しょうばんごう, に／かいの,
    # れんけい and えいご with a plain i (not レンケー, エーゴ), さが／けんりつ. The kanji go to the voice only.
    ("あんしょうばんごう", "暗証番号"),
    ("にかいの", "二階の"),
    ("れんけい", "連携"),
    ("えいご", "英語"),
    ("さがけんりつ としょかん", "佐賀県立図書館"),
)

# A letter on its own (a ticket's series, "A の 12 番"): its Japanese name, as NHK's announcers say it. As a
# word of its own it also takes the particle after it (エーの), where the symbol stood apart (エイ|ノ).
LETTERS = dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                   ("エー ビー シー ディー イー エフ ジー エイチ アイ ジェー ケー エル エム エヌ オー ピー キュー "
                    "アール エス ティー ユー ブイ ダブリュー エックス ワイ ゼット").split(), strict=True))
_LONE_LETTER = re.compile(r"(?<![A-Za-z])[A-Z](?![A-Za-z])")
# A ticket's number as the kiosk's prompt spells it ("A 0 1 2", kiosk/a11y/cues.spoken_values) is said the way
# the lobby calls it (server/tickets/callout.py): "A の 12 番", "A 12". Open JTalk dropped the spaces and ran
# the digits into one word (エイゼロイチニ), and a patron who cannot see would hear one number in two forms.
_SPELT_NUMBER = re.compile(r"(?<![A-Za-z0-9])((?:[A-Z] )+)((?:[0-9] )*[0-9])(?![A-Za-z0-9])")
# espeak-ng reads a lone "A" before a number as the article (ə: "a twelve"); "A-12" is the letter, a pause,
# the number. Also the lobby's own English words, "Ticket number A 12".
_EN_LETTERS_NUMBER = re.compile(r"(?<![A-Za-z0-9])([A-Z]{1,3}) (?=[0-9])")
# やさしい日本語's "1 ばん、" (a keypad choice): ばん in kana is not read as the counter 番 (イチ／バン).
_COUNTER = re.compile(r"(?<=[0-9]) ?ばん(?!ご)")
# Quotation marks around a button's name are for the eye: Open JTalk pauses at each, so 「決定」を押して was
# said ケッテー、ヲ, the particle cut off from its word.
_QUOTES = re.compile(r"[「」]")

# Mandarin (espeak-ng cmn-latn-pinyin): polyphones it reads with the wrong tone or sound, and the one Latin word.
MANDARIN: tuple[tuple[str, str], ...] = (
    ("重试", "chong2试"),
    ("重新", "chong2新"),
    ("重设", "chong2设"),
    ("处理", "chu3理"),
    ("个人", "ge4人"),
    ("English", "英语"),  # the choice that switches to English: pinyin rules would say "eng li sh"
    ("・", "、"),  # the Japanese middle dot in an ID's name (健康保险证・资格确认书) was said "Japanese"
)

# A Japanese name in brackets after the Chinese one (通知卡（通知カード）) is for showing at the counter: its
# kana are said "Japanese, Japanese", so the voice leaves it out.
_JAPANESE_ASIDE = re.compile(r"（[^）]*[\u3040-\u30ff][^）]*）")

_HINTS: dict[str, tuple[tuple[str, str], ...]] = {"ja": JAPANESE, "ja-easy": JAPANESE, "zh": MANDARIN}


def called(letters: str, digits: str, language: str) -> str:
    """A ticket's number as the lobby calls it: its letters, then the number without leading zeros."""
    number = str(int(digits))
    return f"{letters} の {number} 番" if language in ("ja", "ja-easy") else f"{letters}-{number}"


def spoken(text: str, language: str) -> str:
    """The copy of ``text`` to give the synthesiser of ``language`` (the text itself where nothing needs a hint)."""
    for written, said in _HINTS.get(language, ()):
        text = text.replace(written, said)
    if language in ("ja", "ja-easy", "en"):  # the languages the lobby calls in
        text = _SPELT_NUMBER.sub(
            lambda m: called(m.group(1).replace(" ", ""), m.group(2).replace(" ", ""), language), text)
    if language == "en":
        text = _EN_LETTERS_NUMBER.sub(r"\1-", text)
    if language == "zh":
        text = _JAPANESE_ASIDE.sub("", text)
    if language in ("ja", "ja-easy"):
        text = _QUOTES.sub("", text)
        text = _COUNTER.sub("番", text)
        text = _LONE_LETTER.sub(lambda match: LETTERS[match.group()], text)
    return text
