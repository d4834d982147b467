"""A language is offered only when the screen font draws it."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from kiosk.config import LANGUAGES
from kiosk.glyphs import drawable_languages

NOTO_CJK = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
LATIN_ONLY = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def test_noto_cjk_draws_every_language_in_order() -> None:
    assert drawable_languages(NOTO_CJK, ["ko", "ja", "en", "zh", "ja-easy"]) == ["ko", "ja", "en", "zh", "ja-easy"]


def test_a_font_without_cjk_keeps_english_only_and_says_why(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="kiosk.glyphs"):
        assert drawable_languages(LATIN_ONLY, LANGUAGES) == ["en"]
    assert {r.getMessage().split()[1] for r in caplog.records} == {"ja", "ja-easy", "zh", "ko"}
