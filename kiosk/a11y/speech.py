"""Spoken prompts for the audio guidance mode, synthesised with espeak-ng and cached as WAV files.

Only catalogue texts are ever synthesised (kiosk/a11y/cues.py picks the key), so nothing a patron
typed or a card holds is spoken. The cache file is named by a hash of voice and text: a changed
catalogue text is synthesised again, an unchanged one never.

espeak-ng's Japanese voice reads kana only (kanji come out as "Chinese letter"), so the Japanese
``voice.*`` texts are written in kana.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import threading
from pathlib import Path

log = logging.getLogger(__name__)

# Catalogue language -> espeak-ng voice; a language without one is not spoken (the cue tones still sound).
# No "zh": Debian's espeak-ng 1.51 Mandarin voice spells every hanzi out as "Chinese letter".
VOICES = {"ja": "ja", "ja-easy": "ja", "en": "en-gb", "ko": "ko"}
WORDS_PER_MINUTE = 150  # a little slower than espeak-ng's 175: prompts are heard once, in a lobby
TIMEOUT_S = 20


class Synthesiser:
    """Turns a prompt text into a WAV file, once."""

    def __init__(self, command: str, cache_dir: Path) -> None:
        self.command = shutil.which(command) if command else None
        self.cache_dir = cache_dir
        if command and self.command is None:
            log.warning("audio guidance: %s not found, prompts will not be spoken", command)

    @property
    def available(self) -> bool:
        """A synthesiser is installed."""
        return self.command is not None

    def cache_path(self, text: str, language: str) -> Path | None:
        """Where the prompt's WAV file is (or will be) cached; None when the language has no voice."""
        voice = VOICES.get(language)
        if voice is None:
            return None
        digest = hashlib.sha256(f"{voice}\0{WORDS_PER_MINUTE}\0{text}".encode()).hexdigest()[:24]
        return self.cache_dir / voice / f"{digest}.wav"

    def wav(self, text: str, language: str) -> Path | None:
        """The prompt as a WAV file, synthesised on first use (slow: call off the UI thread)."""
        path = self.cache_path(text, language)
        if path is None or not text.strip() or self.command is None:
            return None
        if path.is_file():
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.part")  # one per writer
        argv = [self.command, "-v", VOICES[language], "-s", str(WORDS_PER_MINUTE), "-w", str(tmp), "--", text]
        try:
            subprocess.run(argv, check=True, capture_output=True, timeout=TIMEOUT_S)
        except (OSError, subprocess.SubprocessError) as exc:
            log.warning("audio guidance: synthesis failed (%s)", type(exc).__name__)
            tmp.unlink(missing_ok=True)
            return None
        tmp.replace(path)
        return path
