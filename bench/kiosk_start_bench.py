"""Kiosk cold start to the attract screen's first frame, against a bare Kivy window started the same way.

Both run as fresh processes on one private Xvfb display, windowed at the kiosk's size, N times each,
interleaved so that both see the same machine; the figure is the median wall time of the whole process.
    python -m bench.kiosk_start_bench
"""

from __future__ import annotations

import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scripts.xvfb import xvfb

ROOT = Path(__file__).resolve().parent.parent
RUNS = 5
GOAL_RATIO = 1.5
# Compiled before timing, as deploy/kiosk/install.sh does on a real kiosk: where Python does not write its caches
# itself (PYTHONDONTWRITEBYTECODE) every start would compile the sources, and the figure would time the compiler.
SOURCES = ("kiosk", "screens", "protocol", "bench")


def _time(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   timeout=120)
    return time.perf_counter() - start


def main(runs: int = RUNS) -> dict:
    """Median start-to-first-frame of the kiosk and of a bare Kivy app, and their ratio."""
    for name in SOURCES:
        compileall.compile_dir(ROOT / name, quiet=1)
    with xvfb() as display, tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, DISPLAY=display, KIVY_HOME=home, KIVY_NO_ARGS="1", KIOSK_EXIT_AFTER_FIRST_FRAME="1",
                   KIOSK_DISPLAY_FULLSCREEN="0", KIVY_NO_CONSOLELOG="1")
        env.pop("SDL_VIDEODRIVER", None)
        kiosk_cmd = [sys.executable, str(ROOT / "main.py")]
        bare_cmd = [sys.executable, "-m", "bench.bare_kivy"]
        _time(bare_cmd, env)  # warm the file cache for both: the first start of anything reads from disk
        _time(kiosk_cmd, env)
        kiosk, bare = [], []
        for _ in range(runs):
            bare.append(_time(bare_cmd, env))
            kiosk.append(_time(kiosk_cmd, env))
    figures = {
        "runs": runs,
        "kiosk_median_s": round(statistics.median(kiosk), 3),
        "bare_kivy_median_s": round(statistics.median(bare), 3),
    }
    figures["ratio"] = round(figures["kiosk_median_s"] / figures["bare_kivy_median_s"], 2)
    figures["goal_ratio"] = GOAL_RATIO
    print(f"kiosk start to first frame   {figures['kiosk_median_s']:.3f} s (median of {runs})")
    print(f"bare Kivy window, same way   {figures['bare_kivy_median_s']:.3f} s")
    print(f"ratio                        {figures['ratio']:.2f}x (goal <= {GOAL_RATIO}x)")
    return figures


if __name__ == "__main__":
    main()
