"""Which languages a font file can draw: a language whose text would come out as boxes is not offered."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from PIL import ImageFont

from kiosk import i18n
from kiosk.printer.fonts import draws_glyphs

log = logging.getLogger(__name__)

# Keys whose text stands for a language at start-up: its name, the library's name and the first prompt.
# (Every character of every catalogue is checked in the tests; at start that would cost a fifth of a second.)
SAMPLE_KEYS = ("language.name", "app.library_name", "attract.prompt")


def drawable_languages(font: Path, languages: Iterable[str]) -> list[str]:
    """The ``languages`` whose sample text ``font`` (its first face) draws as real glyphs, in their order;
    each one left out is logged as an error (e.g. Korean with a Japanese-only fallback font)."""
    face = ImageFont.truetype(str(font), 24, index=0)
    kept = []
    for code in languages:
        sample = "".join(i18n.translate(key, code) for key in SAMPLE_KEYS)
        if draws_glyphs(face, sample):
            kept.append(code)
        else:
            log.error("language %s is not offered: %s has no glyphs for it", code, font)
    return kept
