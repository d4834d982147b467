"""Patron-facing text from gettext catalogues (kiosk/locale/<lang>/LC_MESSAGES/kiosk.po).

Message ids are stable keys such as ``attract.migrate.title``; every language, Japanese included,
is a translation of them, so no patron-facing sentence lives in code. The .po files are read
directly (a small strict reader below) so there is no compile step to forget.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from functools import cache
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "kiosk"


class CatalogueError(Exception):
    """A .po file could not be read."""


def parse_po(text: str, origin: str = "<po>") -> dict[str, str]:
    """Parse msgid/msgstr pairs of a .po file; fuzzy and empty translations are left out."""
    entries: dict[str, str] = {}
    msgid: list[str] | None = None
    msgstr: list[str] | None = None
    current: list[str] | None = None
    fuzzy = pending_fuzzy = False

    def flush() -> None:
        if msgid is not None and msgstr is not None:
            key, value = "".join(msgid), "".join(msgstr)
            if key and value and not fuzzy:
                entries[key] = value

    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            if line.startswith("#,") and "fuzzy" in line:
                pending_fuzzy = True
            continue
        if line.startswith("msgid "):
            flush()
            msgid, msgstr = [], None
            fuzzy, pending_fuzzy = pending_fuzzy, False
            current = msgid
            line = line[len("msgid ") :]
        elif line.startswith("msgstr "):
            if msgid is None:
                raise CatalogueError(f"{origin}:{lineno}: msgstr without msgid")
            msgstr = []
            current = msgstr
            line = line[len("msgstr ") :]
        if current is None or len(line) < 2 or not (line.startswith('"') and line.endswith('"')):
            raise CatalogueError(f"{origin}:{lineno}: cannot read {raw!r}")
        inner = line[1:-1]
        if "\\" not in inner and '"' not in inner:
            current.append(inner)  # nothing to unescape: most lines (literal_eval is the slow part at start-up)
            continue
        try:
            current.append(ast.literal_eval(line))
        except (ValueError, SyntaxError):
            raise CatalogueError(f"{origin}:{lineno}: bad string {raw!r}") from None
    flush()
    return entries


@cache
def catalogue(language: str) -> dict[str, str]:
    """The messages of one language."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    try:
        return parse_po(path.read_text(encoding="utf-8"), str(path))
    except FileNotFoundError:
        raise CatalogueError(f"no catalogue for language {language!r} at {path}") from None


def languages() -> list[str]:
    """Languages that have a catalogue."""
    return sorted(p.name for p in LOCALE_DIR.iterdir() if (p / "LC_MESSAGES" / f"{DOMAIN}.po").is_file())


def translate(key: str, language: str, **values: object) -> str:
    """The text for ``key`` in ``language``; a missing key shows itself rather than crash a patron's session."""
    text = catalogue(language).get(key, key)
    return text.format(**values) if values else text


def missing_keys(keys: Iterable[str], language: str) -> list[str]:
    """Keys with no translation in ``language`` (used by the tests)."""
    have = catalogue(language)
    return [k for k in keys if k not in have]
