"""Find a Japanese font for the ticket image and load its faces at the sizes the layout asks for."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from PIL import ImageFont

from kiosk.printer.errors import FontNotFoundError

# Debian paths, best first: (regular, bold or None). Noto's .ttc holds JP, KR, SC, TC, HK faces; index 0 is JP.
KNOWN_FONTS: tuple[tuple[str, str | None], ...] = (
    (
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    ),
    ("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf", None),
    ("/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf", None),
    ("/usr/share/fonts/truetype/fonts-japanese-gothic.ttf", None),
)

# Characters a usable font must draw as real glyphs (from the library's own name).
PROBE_TEXT = "佐賀県立図書館"
# A code point no font maps, so the font draws its .notdef ("tofu") glyph for it.
TOFU_PROBE = "\U0010fffd"


@dataclass(frozen=True)
class FontFiles:
    """The regular and bold font files used for a ticket; bold is None when it is emulated with a stroke."""

    regular: Path
    bold: Path | None = None

    def face(self, size: int, *, bold: bool = False) -> ImageFont.FreeTypeFont:
        """The face at a pixel size, cached because loading a CJK collection takes milliseconds."""
        path = self.bold if bold and self.bold else self.regular
        return _load(str(path), size)

    def needs_fake_bold(self, bold: bool) -> bool:
        """True when bold was asked for but there is no bold file, so text is drawn with a stroke."""
        return bold and self.bold is None


@functools.lru_cache(maxsize=64)
def _load(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size, index=0)


def draws_glyphs(font: ImageFont.FreeTypeFont, text: str) -> bool:
    """True when every character of text is drawn as a glyph of its own, not as the font's tofu box."""
    return not missing_glyphs(font, text)


def missing_glyphs(font: ImageFont.FreeTypeFont, text: str) -> set[str]:
    """The characters of text the font draws as its tofu box; each one is drawn once, however often it occurs."""
    tofu = _mask_bytes(font, TOFU_PROBE)
    return {ch for ch in dict.fromkeys(text) if not ch.isspace() and _mask_bytes(font, ch) == tofu}


def _mask_bytes(font: ImageFont.FreeTypeFont, ch: str) -> tuple[tuple[int, int], bytes]:
    mask = font.getmask(ch)
    return mask.size, bytes(mask)


def resolve_fonts(configured: str | Path | None = None) -> FontFiles:
    """Use the configured font if given (and fail if it is unusable), else the first known font installed."""
    if configured:
        path = Path(configured)
        if not path.is_file():
            raise FontNotFoundError(f"printer.font: {path} does not exist")
        if not draws_glyphs(_load(str(path), 32), PROBE_TEXT):
            raise FontNotFoundError(f"printer.font: {path} has no Japanese glyphs")
        bold = _sibling_bold(path)
        return FontFiles(path, bold)
    for regular, known_bold in KNOWN_FONTS:
        if Path(regular).is_file():
            bold_path = Path(known_bold) if known_bold and Path(known_bold).is_file() else None
            return FontFiles(Path(regular), bold_path)
    raise FontNotFoundError(
        "no Japanese font found; install fonts-noto-cjk or set printer.font (tried "
        + ", ".join(r for r, _ in KNOWN_FONTS)
        + ")"
    )


def _sibling_bold(path: Path) -> Path | None:
    """The bold file next to a configured regular one, for fonts named *-Regular.*."""
    if "Regular" not in path.name:
        return None
    candidate = path.with_name(path.name.replace("Regular", "Bold"))
    return candidate if candidate.is_file() else None
