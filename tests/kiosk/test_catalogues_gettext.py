"""The catalogues are gettext files that GNU gettext's own checker accepts, not only our reader.

The kiosk reads them with its own small parser (kiosk/i18n.py), which takes Python's string escapes; a
translator's tools (Poedit, msgfmt, Weblate) take gettext's. A ``\\u00a0`` in the Chinese catalogue read well
here and was a fatal error in msgfmt, so the library's translator could not have opened the file.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from kiosk.i18n import LOCALE_DIR, catalogue

LANGUAGES = sorted(p.name for p in LOCALE_DIR.iterdir() if (p / "LC_MESSAGES" / "kiosk.po").is_file())


@pytest.mark.parametrize("language", LANGUAGES)
def test_msgfmt_accepts_the_catalogue(language: str, tmp_path: Path) -> None:
    po = LOCALE_DIR / language / "LC_MESSAGES" / "kiosk.po"
    mo = tmp_path / "kiosk.mo"
    done = subprocess.run(["msgfmt", "--check-format", "--check-domain", "-o", str(mo), str(po)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    # And gettext reads every message as the kiosk does.
    import gettext

    with mo.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    ours = catalogue(language)
    assert {key: compiled.gettext(key) for key in ours} == ours

