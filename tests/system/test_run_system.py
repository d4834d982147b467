"""`make run`'s orchestrator as a person uses it: everything comes up, Ctrl-C stops everything, twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.support.ports import free_port
from tests.support.waiting import eventually

ROOT = Path(__file__).resolve().parents[2]


def descendants(pid: int) -> set[int]:
    """Every process whose parent chain leads to ``pid``."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def run_once(env: dict[str, str], shots: Path) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "scripts.run_system"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    seen: list[str] = []
    deadline = time.monotonic() + 90
    for line in proc.stdout:
        seen.append(line)
        if "kiosk started" in line or time.monotonic() > deadline:
            break
    assert any("server ready" in s for s in seen), "".join(seen)
    assert any("virtual My Number card" in s for s in seen), "".join(seen)
    assert any("kiosk started" in s for s in seen), "".join(seen)

    eventually(lambda: (shots / "kiosk.png").exists(), "the live screenshot", interval=0.2)
    assert (shots / "kiosk.png").stat().st_size > 10_000, "the live screenshot of the kiosk is written"

    children = descendants(proc.pid)
    assert len(children) >= 4, "server, pcscd, card server, Xvfb and kiosk run under make run"
    proc.send_signal(signal.SIGINT)  # what Ctrl-C sends
    rest, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, rest
    assert "stopped" in rest
    # Reaped by now or in a moment (an orphan's exit is collected by init): none may stay.
    eventually(lambda: not [pid for pid in children if alive(pid)], "nothing left running", interval=0.1)


def test_make_run_starts_everything_and_ctrl_c_stops_everything_twice() -> None:
    work = Path(tempfile.mkdtemp(prefix="saga-run-"))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "PCSCLITE_CSOCK_NAME")}
    env.update(
        SERVER_PORT=str(port),
        SERVER_DATABASE_URL=f"sqlite:///{work / 'server.db'}",
        KIOSK_SERVER_URL=f"http://127.0.0.1:{port}",
        VIRTUALCARD_CONTROL_PORT=str(free_port()),
        KIOSK_RUN_SCREENSHOT_DIR=str(work / "screens"),
        KIVY_HOME=str(work / "kivy"),
    )
    run_once(env, work / "screens")
    run_once(env, work / "screens")  # the same ports again: nothing was left holding them


def test_make_run_stops_at_a_bad_setting_with_its_name_and_no_traceback(tmp_path: Path) -> None:
    """`make run` starts the server and the kiosk with the same settings loaders: one line names the setting."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SERVER_", "KIOSK_"))}
    env.update(SERVER_PORT=str(free_port()), SERVER_DATABASE_URL=f"sqlite:///{tmp_path / 'server.db'}")
    kiosk = subprocess.run([sys.executable, "-m", "scripts.run_system"], cwd=ROOT, capture_output=True, text=True,
                           env={**env, "KIOSK_SESSION_IDLE_TIMOUT_S": "30"}, timeout=120)
    assert kiosk.returncode == 2 and "Traceback" not in kiosk.stderr
    assert kiosk.stderr.splitlines() == [kiosk.stderr.strip()] and "KIOSK_SESSION_IDLE_TIMOUT_S" in kiosk.stderr
    server = subprocess.run([sys.executable, "-m", "scripts.run_system"], cwd=ROOT, capture_output=True, text=True,
                            env={**env, "SERVER_COUNTER_HOURS_WEEKDAY": '["09:00", "25:00"]'}, timeout=120)
    assert server.returncode != 0 and "Traceback" not in server.stderr
    assert server.stderr.splitlines()[0].startswith("server: bad setting counter_hours_weekday: '25:00'")
    assert server.stderr.splitlines()[1:] == ["[make run] the server exited with status 2"]
