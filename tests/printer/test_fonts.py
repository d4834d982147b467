"""Japanese glyphs really render: the chosen font draws each character as its own glyph, not as tofu."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from kiosk import i18n
from kiosk.clock import LIBRARY_TZ
from kiosk.printer import FontNotFoundError
from kiosk.printer.fonts import KNOWN_FONTS, TOFU_PROBE, draws_glyphs, resolve_fonts
from kiosk.printer.layout import wrap
from kiosk.printer.ticket_image import LIBRARY_NAME, QR_CAPTION, WAIT_NOTE, BilingualLine, SlipPrint, TicketRenderer

LATIN_ONLY_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def test_default_font_is_an_installed_japanese_font() -> None:
    fonts = resolve_fonts()
    assert str(fonts.regular) in [regular for regular, _ in KNOWN_FONTS]
    assert fonts.regular.is_file()


def test_japanese_characters_are_distinct_glyphs_not_tofu() -> None:
    face = resolve_fonts().face(48)
    word = LIBRARY_NAME.ja  # 佐賀県立図書館
    tofu = bytes(face.getmask(TOFU_PROBE))
    masks = [bytes(face.getmask(ch)) for ch in word]
    assert all(m != tofu for m in masks)
    assert len(set(masks)) == len(set(word))  # seven different characters, seven different shapes
    for text in (WAIT_NOTE.ja, QR_CAPTION.ja, "利用者登録・更新", "2階総合カウンター"):
        assert draws_glyphs(face, text), text


def test_tofu_detection_catches_a_font_without_japanese() -> None:
    if not Path(LATIN_ONLY_FONT).is_file():
        pytest.fail(f"{LATIN_ONLY_FONT} is needed to prove tofu detection works (fonts-dejavu-core)")
    with pytest.raises(FontNotFoundError, match="no Japanese glyphs"):
        resolve_fonts(LATIN_ONLY_FONT)


def test_missing_configured_font_is_an_error_not_a_silent_fallback() -> None:
    with pytest.raises(FontNotFoundError, match=r"printer\.font"):
        resolve_fonts("/nonexistent/font.ttf")


def test_wrap_breaks_japanese_anywhere_and_english_between_words() -> None:
    face = resolve_fonts().face(20)
    ja = wrap("番号が呼ばれるまでお待ちください", face, 100)
    assert len(ja) > 1 and "".join(ja) == "番号が呼ばれるまでお待ちください"
    en = wrap("Please wait until your number is called", face, 120)
    assert len(en) > 1 and " ".join(en) == "Please wait until your number is called"
    assert all(face.getlength(line) <= 120 for line in en)
    long_word = wrap("https://library.example/a/very/long/path", face, 80)
    assert "".join(long_word) == "https://library.example/a/very/long/path"
    assert all(face.getlength(line) <= 80 for line in long_word)


def test_the_ticket_font_draws_every_catalogue_regular_and_bold() -> None:
    """Printed paper is Japanese and English today; the font still draws every catalogue (Hangul, Simplified
    Chinese, やさしい日本語), so a slip in the session's language would never print boxes."""
    fonts = resolve_fonts()
    for bold in (False, True):
        face = fonts.face(32, bold=bold)
        for language in i18n.languages():
            text = "".join(sorted({ch for ch in "".join(i18n.catalogue(language).values()) if not ch.isspace()}))
            assert draws_glyphs(face, text), (language, bold)


def test_korean_and_chinese_lines_print_on_a_slip() -> None:
    renderer = TicketRenderer()
    when = datetime(2026, 6, 15, 10, 0, tzinfo=LIBRARY_TZ)
    title = BilingualLine("控え", "Receipt")
    plain = renderer.render_slip(SlipPrint(title, [], when))
    lines = [BilingualLine(i18n.translate("receipt.migration.not_read", code), "") for code in ("ko", "zh")]
    slip = renderer.render_slip(SlipPrint(title, lines, when))
    assert slip.height > plain.height + 60, "two more paragraphs, each at least one line"
