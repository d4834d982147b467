"""Make a Japanese font Kivy's default, before any widget is built (Roboto has no Japanese glyphs)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from kivy.core.text import DEFAULT_FONT, LabelBase

from kiosk.config import ROOT, ConfigError


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

