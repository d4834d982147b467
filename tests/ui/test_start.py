"""What the kiosk loads before the attract screen's first frame (bench/kiosk_start_bench.py times it): the work
a patron or staff member starts later loads later, so a change that pulls it back in fails here, not only in
the benchmark's figures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.kiosk_app import ROOT, kiosk_env

# Module prefixes the first frame does not need, and what loads them later.
LATER = (
    "kiosk.flows",  # the flows' state classes: the first flow (or the warm-up, a second after start)
    "kiosk.statistics",  # with the first flow
    "screens.routes",  # with the first flow
    "screens.privacy_slip",  # 送信した情報, when first shown
    "kiosk.maintenance.session",  # the maintenance core: the warm-up
    "requests",  # the server client: the warm-up
    "kiosk.printer.ticket_image",  # the ticket renderer: the first print
    "kivy.core.audio",  # Kivy's audio providers: the first sound (a second after start)
)
# Kivy logs this once the app is built and started, before its clock first ticks: nothing scheduled for later
# (the warm-up, the cue sounds) has run yet, however slowly this machine draws.
LOOP_STARTS = "Start application main loop"


def _imported_before_the_loop(display: str, tmp_path: Path) -> list[str]:
    """Modules main.py imports (``-X importtime`` lists each one as its import ends) before Kivy's loop starts."""
    env = kiosk_env(display, tmp_path / "kivy", KIOSK_EXIT_AFTER_FIRST_FRAME="1", KIVY_NO_ARGS="1",
                    KIOSK_SERVER_URL="http://127.0.0.1:9")  # no server: the first frame must not wait for one
    result = subprocess.run([sys.executable, "-X", "importtime", str(ROOT / "main.py")], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    lines = result.stderr.splitlines()
    end = next(i for i, line in enumerate(lines) if LOOP_STARTS in line)
    return [line.rsplit("|", 1)[1].strip() for line in lines[:end]
            if line.startswith("import time:") and "imported package" not in line]


def test_the_first_frame_loads_no_flow_no_staff_core_and_no_sound(display: str, tmp_path: Path) -> None:
    modules = _imported_before_the_loop(display, tmp_path)
    assert "screens.app" in modules  # the probe saw the start itself
    early = sorted(m for m in modules if any(m == prefix or m.startswith(f"{prefix}.") for prefix in LATER))
    assert early == []
