"""What a patron would have heard: the file SDL's disk audio driver writes, read as sound time, not wall time."""

from __future__ import annotations

import array
import time
from collections.abc import Callable
from pathlib import Path

from tests.support.kiosk_app import WAIT_S

# SDL's disk driver writes what the mixer plays (44.1 kHz, 16-bit stereo) at the pace of a sound card.
BYTES_PER_S = 44100 * 2 * 2


class DiskAudio:
    """The file SDL's disk audio driver writes: what a patron would have heard."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def size(self) -> int:
        return self.path.stat().st_size if self.path.exists() else 0

    def peak_since(self, offset: int) -> int:
        """The loudest sample written after ``offset`` bytes."""
        with self.path.open("rb") as f:
            f.seek(offset - offset % 4)
            data = f.read()
        samples = array.array("h", data[: len(data) // 2 * 2])
        return max((abs(s) for s in samples), default=0)

    def heard(self, action: Callable[[], object] = lambda: None, seconds: float = 1.2) -> int:
        """Run ``action`` and return the loudest sample written from its start to ``seconds`` of sound after it
        (sound time, not wall time: on a busy machine the driver writes more slowly; a tap may wait too)."""
        start = self.size()
        action()
        self.wait_bytes(self.size() + int(seconds * BYTES_PER_S))
        return self.peak_since(start)

    def play_on(self, seconds: float) -> None:
        """Wait until ``seconds`` more of sound are written (a cue under way is over by then)."""
        self.wait_bytes(self.size() + int(seconds * BYTES_PER_S))

    def wait_bytes(self, target: int) -> None:
        deadline = time.monotonic() + WAIT_S
        while self.size() < target:
            assert time.monotonic() < deadline, "the disk audio driver stopped writing"
            time.sleep(0.05)


def sounding_seconds(audio: DiskAudio, offset: int) -> float:
    """How long, in 10 ms windows, something was playing after ``offset``."""
    with audio.path.open("rb") as f:
        f.seek(offset - offset % 4)
        samples = array.array("h", f.read())
    window = 441 * 2  # 10 ms of stereo samples
    loud = sum(1 for i in range(0, len(samples), window) if max(map(abs, samples[i:i + window]), default=0) > 300)
    return loud / 100
