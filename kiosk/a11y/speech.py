"""Spoken prompts for the audio guidance mode: synthesised ahead into a cache of WAV files, played from it.

Each catalogue language has a voice (``[accessibility] voice_<language>``): Japanese and やさしい日本語
speak with Open JTalk and its mei voice (the pyopenjtalk-plus package, in-process: it reads kanji, so a
prompt is written as the screen writes it), English, Mandarin (cmn-latn-pinyin) and Korean with espeak-ng; a
language without a voice is not spoken (its cue sounds still are).

A few words are given to the synthesiser with a reading hint (protocol/readings.py: 方 as かた, a ticket's
letter as エー, a pause between spelt digits, tone-numbered pinyin for Mandarin polyphones); the screen keeps
the written form. Open JTalk's samples go beyond 16-bit full scale on some words (バン, レンケー), so each
prompt is levelled to one loudness with its peak below full scale (``level``) rather than clipped.

Only catalogue texts are ever synthesised (kiosk/a11y/cues.py picks the key), so nothing a patron typed or
a card holds is spoken. A cache file is named by a hash of voice, speed and text: a changed catalogue text is
synthesised again, an unchanged one never. An utterance of several prompts (guidance on + the screen's
prompt, a result + the ticket's number) is joined from the prompts' own files, so every fixed prompt can be
synthesised ahead (``warm``: after the kiosk's first frame, or at install with ``python -m kiosk.a11y.speech``);
a prompt not in the cache yet is synthesised when it is asked for (Open JTalk: a tenth of a second or so).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import subprocess
import sys
import threading
import time
import wave
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from kiosk import i18n
from protocol import readings

log = logging.getLogger(__name__)

OPENJTALK = "openjtalk"
ESPEAK = "espeak-ng"
ESPEAK_WPM = 150  # at speed 1.0: a little slower than espeak-ng's 175, prompts are heard once, in a lobby
TIMEOUT_S = 20
PAUSE_S = 0.25  # between the prompts of one utterance
JOINED_KEPT = 16  # joined utterances kept on disk (the newest): a ticket's number makes each one new
FIRST_PROMPTS = ("voice.guidance_on", "voice.attract", "voice.keypad.on")  # heard first: synthesised ahead first
# Open JTalk's prompts are brought to one loudness: the RMS of their speech (not of the silence around it) at
# -20 dBFS, unless that would put a peak above -1 dBFS, where the peak sets the level instead.
SPEECH_RMS = 0.1 * 32767
PEAK_CEILING = 0.89 * 32767
RENDERING = "2"  # bumped when the way a prompt's WAV is made changes (2: levelled, not clipped): cached anew


@cache
def _openjtalk() -> ModuleType | None:
    """The pyopenjtalk module (imported on first use: numpy and the dictionary take a moment)."""
    try:
        import pyopenjtalk
    except ImportError:
        log.warning("audio guidance: pyopenjtalk-plus is not installed, Japanese prompts will not be spoken")
        return None
    return pyopenjtalk


@cache
def _openjtalk_version() -> str:
    # importlib.metadata (and the email package it loads) costs about 30 ms: not before the first frame.
    from importlib import metadata

    try:
        return metadata.version("pyopenjtalk-plus")
    except metadata.PackageNotFoundError:
        return "?"


class Synthesiser:
    """Turns a prompt text into a WAV file, once per voice, speed and text."""

    def __init__(self, voices: Mapping[str, str], cache_dir: Path, speed: float = 1.0) -> None:
        self.voices = dict(voices)
        self.cache_dir = cache_dir
        self.speed = speed
        self.espeak = shutil.which(ESPEAK)
        # A prompt to say now has an Open JTalk engine of its own: it never waits behind the warm-up's
        # (low-priority) synthesis of another prompt on the module's shared one.
        self._engine: object = None
        self._engine_lock = threading.Lock()
        if self.espeak is None and any(v.startswith(ESPEAK) for v in self.voices.values()):
            log.warning("audio guidance: %s not found, its languages will not be spoken", ESPEAK)

    def voice(self, language: str) -> str | None:
        """The voice that speaks ``language`` here, None when nothing can."""
        voice = self.voices.get(language)
        if voice is None:
            return None
        if voice == OPENJTALK:
            return voice if _openjtalk() is not None else None
        return voice if voice.startswith(f"{ESPEAK}:") and self.espeak is not None else None

    def cache_path(self, text: str, language: str) -> Path | None:
        """Where a prompt's WAV file is (or will be) cached; None when the language has no voice."""
        voice = self.voices.get(language)
        if voice is None:
            return None
        # A new voice release, or a new way of making the WAV, says it anew.
        version = f"{_openjtalk_version()}+{RENDERING}" if voice == OPENJTALK else ""
        # By what the synthesiser is given: a new reading hint says the prompt anew.
        said = readings.spoken(text, language)
        digest = hashlib.sha256(f"{voice}\0{version}\0{self.speed}\0{said}".encode()).hexdigest()[:24]
        return self.cache_dir / voice.replace(":", "-") / f"{digest}.wav"

    def joined_path(self, texts: Sequence[str], language: str) -> Path | None:
        """Where an utterance of several prompts is written."""
        voice = self.voices.get(language)
        if voice is None:
            return None
        said = [readings.spoken(text, language) for text in texts]
        digest = hashlib.sha256("\0".join([voice, str(self.speed), *said]).encode()).hexdigest()[:24]
        return self.cache_dir / "joined" / f"{digest}.wav"

    def wav(self, texts: str | Sequence[str], language: str) -> Path | None:
        """The prompt (or prompts, one after another) as one WAV file; a prompt not cached yet is synthesised
        now (slow: call off the UI thread)."""
        parts = [t for t in ([texts] if isinstance(texts, str) else texts) if t.strip()]
        if not parts or self.voice(language) is None:
            return None
        made = [(text, path) for text in parts if (path := self._part(text, language)) is not None]
        if len(made) <= 1:
            return made[0][1] if made else None
        joined = self.joined_path([text for text, _path in made], language)
        paths = [path for _text, path in made]
        assert joined is not None
        if not joined.is_file():
            _join(paths, joined)
            _prune(joined.parent, JOINED_KEPT)
        return joined

    def _part(self, text: str, language: str, ahead: bool = False) -> Path | None:
        path = self.cache_path(text, language)
        if path is None:
            return None
        if path.is_file():
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.part")  # one per writer
        voice = self.voices[language]
        said = readings.spoken(text, language)
        try:
            if voice == OPENJTALK:
                self._openjtalk(said, tmp, ahead)
            else:
                self._espeak(voice.partition(":")[2], said, tmp)
        except (OSError, subprocess.SubprocessError, RuntimeError, ValueError) as exc:
            log.warning("audio guidance: synthesis failed (%s)", type(exc).__name__)
            tmp.unlink(missing_ok=True)
            return None
        tmp.replace(path)
        return path

    def _openjtalk(self, text: str, out: Path, ahead: bool) -> None:
        module = _openjtalk()
        if module is None:
            raise RuntimeError("pyopenjtalk-plus missing")
        if ahead:
            samples, rate = module.tts(text, speed=self.speed)
        else:
            labels = module.extract_fullcontext(text)
            with self._engine_lock:
                if self._engine is None:
                    self._engine = module.HTSEngine(module.DEFAULT_HTS_VOICE)
                engine: Any = self._engine
                engine.set_speed(self.speed)
                samples, rate = engine.synthesize(labels), engine.get_sampling_frequency()
        pcm = level(samples, int(rate)).astype("<i2").tobytes()
        with wave.open(str(out), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(int(rate))
            w.writeframes(pcm)

    def _espeak(self, voice: str, text: str, out: Path) -> None:
        assert self.espeak is not None
        wpm = str(round(ESPEAK_WPM * self.speed))
        argv = [self.espeak, "-v", voice, "-s", wpm, "-w", str(out), "--", text]
        subprocess.run(argv, check=True, capture_output=True, timeout=TIMEOUT_S)

    # -- ahead of time -------------------------------------------------------------------
    def warm(self, prompts: Iterable[tuple[str, str]]) -> int:
        """Synthesise every (language, text) not cached yet; returns how many were synthesised."""
        made = 0
        for language, text in prompts:
            path = self.cache_path(text, language)
            if path is None or path.is_file() or self.voice(language) is None:
                continue
            made += self._part(text, language, ahead=True) is not None
        return made

    def warm_in_background(self, languages: Iterable[str]) -> threading.Thread:
        """``warm`` every prompt of ``languages`` in a thread of low priority, so the screen keeps its pace
        (Open JTalk releases the GIL while it synthesises; the nice value leaves the CPU to the UI first)."""
        languages = list(languages)

        def run() -> None:
            started = time.monotonic()
            first, rest = _prompts(languages)
            # The prompts heard first, at normal priority: Open JTalk's import and first use (its dictionaries)
            # happen here too, which a prompt to say now may be waiting on.
            made = self.warm(first)
            with contextlib.suppress(OSError, AttributeError):  # Linux: a thread's own nice value
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
            made += self.warm(rest)
            log.info("audio guidance: %d prompts synthesised ahead in %.1f s", made, time.monotonic() - started)

        thread = threading.Thread(target=run, name="speech-warm-up", daemon=True)
        thread.start()
        return thread


def level(samples: Any, rate: int) -> Any:
    """Open JTalk's samples (floats on a 16-bit scale) at one loudness, every peak below full scale: rounded,
    ready for 16-bit PCM. Its raw output reaches 2.8 times full scale on some words; clipped, they crackle."""
    import numpy as np

    samples = np.asarray(samples, dtype=np.float64)
    peak = float(np.max(np.abs(samples))) if samples.size else 0.0
    if peak == 0.0:
        return samples
    frame = max(1, rate // 100)  # 10 ms
    frames = samples[: samples.size // frame * frame].reshape(-1, frame)
    energy = np.sqrt(np.mean(frames**2, axis=1)) if frames.size else np.array([peak])
    speech = energy[energy > energy.max() / 30]  # within 30 dB of the loudest: the words, not the pauses
    rms = float(np.sqrt(np.mean(speech**2)))
    gain = min(SPEECH_RMS / rms, PEAK_CEILING / peak)
    return np.round(samples * gain)


def prompts(languages: Iterable[str]) -> list[tuple[str, str]]:
    """Every fixed spoken prompt as (language, text), those heard first first, and the buttons' labels the
    keypad's numbered choices say (kiosk/a11y/menus.py); prompts with a value (the ticket's number) are left
    out: they are synthesised when spoken."""
    first, rest = _prompts(languages)
    return first + rest


def heard_first() -> list[str]:
    """The prompt keys a patron hears first, in that order: guidance turned on, the attract screen, and the
    keypad's start and the attract screen's numbered choices (kiosk/a11y/menus.py)."""
    from kiosk.a11y import menus

    return list(dict.fromkeys([*FIRST_PROMPTS, *menus.first_menu()]))


def _prompts(languages: Iterable[str]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    from kiosk.a11y import cues, menus

    # The buttons' labels the keypad's numbered choices say, and the names a screen lists (the accepted IDs).
    labels = menus.spoken_labels() | cues.listed_keys()
    early = heard_first()
    first: list[tuple[str, str]] = []
    rest: list[tuple[str, str]] = []
    for language in languages:
        catalogue = i18n.catalogue(language)
        first += [(language, catalogue[key]) for key in early if key in catalogue]
        rest += [(language, text) for key, text in catalogue.items()
                 if (key.startswith("voice.") or key in labels) and "{" not in text and key not in early]
    # Once each: a button's label may be another's too (控えを印刷).
    seen = set(first)
    return list(dict.fromkeys(first)), [p for p in dict.fromkeys(rest) if p not in seen]


def _join(paths: Sequence[Path], out: Path) -> None:
    """One WAV file of ``paths`` (one voice: the same format) with a short pause between them."""
    frames: list[bytes] = []
    params = None
    for path in paths:
        with wave.open(str(path)) as w:
            params = params or w.getparams()
            if frames:
                frames.append(b"\0" * (int(params.framerate * PAUSE_S) * params.sampwidth * params.nchannels))
            frames.append(w.readframes(w.getnframes()))
    assert params is not None
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(f".{os.getpid()}.{threading.get_ident()}.part")
    with wave.open(str(tmp), "wb") as w:
        w.setnchannels(params.nchannels)
        w.setsampwidth(params.sampwidth)
        w.setframerate(params.framerate)
        w.writeframes(b"".join(frames))
    tmp.replace(out)


def _prune(directory: Path, keep: int) -> None:
    """Delete all but the newest ``keep`` WAV files in ``directory``."""
    files = sorted(directory.glob("*.wav"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for path in files[keep:]:
        path.unlink(missing_ok=True)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m kiosk.a11y.speech``: synthesise every prompt of the configured voices into the cache
    (at install time; the kiosk would otherwise do it after its first start)."""
    from kiosk import config

    del argv
    settings = config.load(enrolled=False)  # run by install.sh, before the kiosk is enrolled
    a = settings.accessibility
    synth = Synthesiser(a.voices(), config.ROOT / a.voice_cache_dir, a.speech_speed)
    started = time.monotonic()
    made = synth.warm(prompts(settings.session.languages))
    print(f"speech: {made} prompts synthesised into {synth.cache_dir} in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
