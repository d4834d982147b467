"""Make a Japanese font Kivy's default, before any widget is built (Roboto has no Japanese glyphs)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from kivy.core.text import DEFAULT_FONT, LabelBase

from kiosk.config import ROOT, ConfigError

log = logging.getLogger(__name__)


def find_font(candidates: Iterable[str]) -> Path:
    """The first font file of ``candidates`` that exists (relative paths are from the project root)."""
    tried = []
    for name in candidates:
        path = Path(name) if Path(name).is_absolute() else ROOT / name
        if path.is_file():
            return path
        tried.append(str(path))
    raise ConfigError(f"display.fonts: none of these Japanese fonts exists: {', '.join(tried) or '(empty list)'}")


def register_default_font(candidates: Iterable[str]) -> Path:
    """Register the first available Japanese font as the default for every label."""
    path = find_font(candidates)
    LabelBase.register(DEFAULT_FONT, str(path))
    return path


# Keys whose text stands for a language at start-up: its name, the library's name and the first prompt
# (the whole catalogues are checked glyph by glyph in tests/ui/test_languages.py; that takes too long here).
SAMPLE_KEYS = ("language.name", "app.library_name", "attract.prompt")


def drawable_languages(font: Path, languages: Iterable[str]) -> list[str]:
    """The ``languages`` whose sample text ``font`` draws as real glyphs; others are left out of the picker
    with an error in the log (e.g. Korean with a Japanese-only fallback font), rather than shown as boxes."""
    from PIL import ImageFont

    from kiosk import i18n
    from kiosk.printer.fonts import draws_glyphs

    face = ImageFont.truetype(str(font), 24, index=0)
    kept = []
    for code in languages:
        sample = "".join(i18n.translate(key, code) for key in SAMPLE_KEYS)
        if draws_glyphs(face, sample):
            kept.append(code)
        else:
            log.error("language %s left out of the picker: %s has no glyphs for it", code, font)
    return kept
