"""The cue sounds, generated as short WAV files with the stdlib (no binary assets to keep in git).

Each cue has its own shape so it can be told apart without looking: a rising pair for done, one short
beep for a new step, two equal beeps for a warning, a low falling buzz for an error, a tick for a key.
The files are written once (deterministically) into the configured directory, on first use.
"""

from __future__ import annotations

import math
import os
import struct
import wave
from pathlib import Path

from kiosk.a11y.cues import Cue

RATE = 22050
# (frequency Hz, milliseconds) per note; frequency 0 is a pause.
_NOTES: dict[Cue, tuple[tuple[int, int], ...]] = {
    Cue.NEXT: ((880, 110),),
    Cue.OK: ((660, 110), (0, 30), (990, 170)),
    Cue.WARNING: ((620, 140), (0, 90), (620, 140)),
    Cue.ERROR: ((330, 180), (0, 40), (247, 260)),
    Cue.KEY: ((1400, 25),),
}
_LEVEL = {Cue.KEY: 0.25}
FADE_MS = 8  # a short fade in and out: no click at a note's edges


def samples(cue: Cue) -> list[int]:
    """16-bit mono samples of a cue."""
    out: list[int] = []
    amplitude = 32767 * _LEVEL.get(cue, 0.5)
    fade = RATE * FADE_MS // 1000
    for freq, ms in _NOTES[cue]:
        n = RATE * ms // 1000
        for i in range(n):
            if freq == 0:
                out.append(0)
                continue
            envelope = min(1.0, i / fade, (n - 1 - i) / fade)
            # A square-ish wave (sine plus a third harmonic) carries better through a lobby's noise.
            t = 2 * math.pi * freq * i / RATE
            out.append(int(amplitude * envelope * (0.8 * math.sin(t) + 0.2 * math.sin(3 * t))))
    return out


def write(cue: Cue, path: Path) -> None:
    """Write one cue as a WAV file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")  # two kiosk processes (tests) may write at once
    with wave.open(str(tmp), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(struct.pack(f"<{len(data)}h", *data) if (data := samples(cue)) else b"")
    tmp.replace(path)


def ensure(directory: Path) -> dict[Cue, Path]:
    """Every cue's WAV file in ``directory``, written the first time."""
    paths = {cue: directory / f"{cue.value}.wav" for cue in Cue}
    for cue, path in paths.items():
        if not path.is_file():
            write(cue, path)
    return paths
