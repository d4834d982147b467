"""Which languages a font file can draw: a language whose text would come out as boxes is not offered."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from PIL import ImageFont

from kiosk import i18n
from kiosk.printer.fonts import missing_glyphs

log = logging.getLogger(__name__)

# Keys whose text stands for a language at start-up: its name, the library's name and the first prompt.
# (Every character of every catalogue is checked in the tests; at start that would cost a fifth of a second.)
SAMPLE_KEYS = ("language.name", "app.library_name", "attract.prompt")


def drawable_languages(font: Path, languages: Iterable[str]) -> list[str]:
    """The ``languages`` whose sample text ``font`` (its first face) draws as real glyphs, in their order;
    each one left out is logged as an error (e.g. Korean with a Japanese-only fallback font)."""
    face = ImageFont.truetype(str(font), 24, index=0)
    samples = [(code, "".join(i18n.translate(key, code) for key in SAMPLE_KEYS)) for code in languages]
    # Checked once for all languages: they share many characters (kana, kanji and hanzi, Latin), and drawing
    # each one is the cost of this check at start.
    missing = missing_glyphs(face, "".join(sample for _code, sample in samples))
    kept = []
    for code, sample in samples:
        if missing.isdisjoint(sample):
            kept.append(code)
        else:
            log.error("language %s is not offered: %s has no glyphs for it", code, font)
    return kept
