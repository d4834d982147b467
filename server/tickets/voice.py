"""The spoken call of the lobby display: a chime, the Japanese words, then the English words, as one WAV.

Japanese is Open JTalk (pyopenjtalk-plus: its dictionary and the mei voice ship in the wheel, so kanji
are read as written); English is espeak-ng (a Debian package, as on the kiosk). Both are given the kiosk's
reading hints (protocol/readings.py: 番の方 said かた, a ticket's letter エー, "A-12" so that espeak-ng does
not read A as the article), so a number sounds the same at the kiosk and in the lobby. The chime is drawn
here. The server never imports the kiosk's speech code: the two are deployed apart.

Synthesis takes about a second of CPU, so it runs in a worker thread, one call at a time, and never
on the event loop; the board event that shows the number does not wait for it (the page plays the
audio when it arrives). Rendered calls are kept by their text's key (callout.Announcement.key), a
few dozen at most: a call recalled, or fetched by a second display, is not synthesised again.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import subprocess
import threading
import wave
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from protocol import readings
from server.tickets.callout import Announcement

RATE = 24_000  # Hz, mono, 16-bit: plenty for speech, half the size of Open JTalk's 48 kHz
# "ピンポーン": E5 then C5, the second starting before the first has died away.
CHIME_TONES = ((659.25, 0.0), (523.25, 0.42))
CHIME_SECONDS = 1.3
CHIME_PEAK = 0.5
SPEECH_PEAK = 0.7  # both voices brought to the same loudness, a little above the chime
GAP_AFTER_CHIME_S = 0.35
GAP_BETWEEN_LANGUAGES_S = 0.7
TAIL_S = 0.3
ENGLISH_VOICE = "en-gb"
WORDS_PER_MINUTE = 150  # as the kiosk's guidance: heard once, across a lobby
ESPEAK_TIMEOUT_S = 30
CACHE_SIZE = 32

Samples = npt.NDArray[np.float64]


@dataclass(frozen=True)
class CallAudio:
    """A rendered call: the WAV file, and where each part lies in it, (name, start s, end s)."""

    wav: bytes
    parts: tuple[tuple[str, float, float], ...]


def chime() -> Samples:
    """Two struck tones with a little of their octave, each dying away."""
    t = np.arange(int(CHIME_SECONDS * RATE)) / RATE
    out = np.zeros_like(t)
    for frequency, start in CHIME_TONES:
        local = np.clip(t - start, 0.0, None)
        envelope = np.where(t >= start, np.exp(-local * 3.2), 0.0) * np.minimum(local * 200.0, 1.0)
        out += envelope * (np.sin(2 * np.pi * frequency * local) + 0.25 * np.sin(4 * np.pi * frequency * local))
    return out * (CHIME_PEAK / np.max(np.abs(out)))


def _resample(samples: Samples, rate: int) -> Samples:
    """To RATE: halving averages pairs (a little low-pass first), anything else interpolates."""
    if rate == RATE:
        return samples
    if rate == 2 * RATE:
        even = samples[: len(samples) // 2 * 2]
        return even.reshape(-1, 2).mean(axis=1)
    duration = len(samples) / rate
    return np.interp(np.arange(int(duration * RATE)) / RATE, np.arange(len(samples)) / rate, samples)


def _normalised(samples: Samples) -> Samples:
    peak = float(np.max(np.abs(samples))) if len(samples) else 0.0
    if peak == 0.0:
        raise RuntimeError("the synthesiser returned silence")
    return samples * (SPEECH_PEAK / peak)


def japanese(text: str) -> Samples:
    """Open JTalk's reading of `text`, at RATE, peak SPEECH_PEAK."""
    # Imported on first use: loading the dictionary is not a start-up cost. Its import prints a note
    # about an optional ONNX model to stdout, which is not the server's log.
    with contextlib.redirect_stdout(io.StringIO()):
        import pyopenjtalk

    samples, rate = pyopenjtalk.tts(readings.spoken(text, "ja"))
    return _normalised(_resample(np.asarray(samples, dtype=np.float64), int(rate)))


def english(text: str, command: str = "espeak-ng") -> Samples:
    """espeak-ng's reading of `text`, at RATE, peak SPEECH_PEAK (the text goes in on stdin, never as an option)."""
    done = subprocess.run([command, "-v", ENGLISH_VOICE, "-s", str(WORDS_PER_MINUTE), "--stdout"],
                          input=readings.spoken(text, "en").encode(), capture_output=True, timeout=ESPEAK_TIMEOUT_S,
                          check=True)
    # espeak-ng streams: its header gives no real length, so read what is there.
    with wave.open(io.BytesIO(done.stdout)) as source:
        rate, width = source.getframerate(), source.getsampwidth()
        frames = source.readframes(source.getnframes())
    if width != 2:
        raise RuntimeError(f"espeak-ng wrote {8 * width}-bit audio")
    samples = np.frombuffer(frames[: len(frames) // 2 * 2], dtype="<i2").astype(np.float64) / 32768.0
    return _normalised(_resample(samples, rate))


def to_wav(samples: Samples) -> bytes:
    """16-bit mono PCM WAV at RATE."""
    pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).round().astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(pcm.tobytes())
    return buffer.getvalue()


def _silence(seconds: float) -> Samples:
    return np.zeros(int(seconds * RATE))


def render(announcement: Announcement) -> CallAudio:
    """Chime, Japanese, English, with short pauses between, as one WAV."""
    pieces = [("chime", chime()), ("", _silence(GAP_AFTER_CHIME_S)), ("ja", japanese(announcement.ja)),
              ("", _silence(GAP_BETWEEN_LANGUAGES_S)), ("en", english(announcement.en)), ("", _silence(TAIL_S))]
    parts, at = [], 0
    for name, samples in pieces:
        if name:
            parts.append((name, at / RATE, (at + len(samples)) / RATE))
        at += len(samples)
    return CallAudio(wav=to_wav(np.concatenate([samples for _, samples in pieces])), parts=tuple(parts))


class CallVoice:
    """One per server process: rendered calls by key, synthesis in a worker thread, one at a time."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._done: OrderedDict[str, bytes] = OrderedDict()
        self._pending: dict[str, asyncio.Task[bytes]] = {}
        self._synthesising = threading.Lock()  # one synthesis at a time: a burst of calls queues, not the CPU

    def cached(self, key: str) -> bytes | None:
        """A call already rendered, else None."""
        wav = self._done.get(key)
        if wav is not None:
            self._done.move_to_end(key)
        return wav

    async def audio(self, announcement: Announcement) -> bytes:
        """The WAV of a call; rendered once however many displays ask at the same time. A request that
        goes away does not cancel the rendering: the next one finds it done."""
        wav = self.cached(announcement.key)
        if wav is not None:
            return wav
        task = self._pending.get(announcement.key)
        if task is None:
            task = asyncio.create_task(self._render_and_keep(announcement))
            self._pending[announcement.key] = task
        return await asyncio.shield(task)

    async def _render_and_keep(self, announcement: Announcement) -> bytes:
        try:
            wav = await asyncio.to_thread(self._render, announcement)
        finally:
            del self._pending[announcement.key]
        self._done[announcement.key] = wav
        while len(self._done) > self.size:
            self._done.popitem(last=False)
        return wav

    def _render(self, announcement: Announcement) -> bytes:
        with self._synthesising:
            return render(announcement).wav
