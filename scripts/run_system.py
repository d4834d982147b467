"""`make run`: the central server, the card reader side and the kiosk, started together and stopped together.

1. The server on embedded SQLite (var/server.db, created and migrated on first start) with the demo
   data set, on the port from config/server.toml.
2. The card side: when no hardware PC/SC reader is attached, a private pcscd with the virtual My Number
   card (persona from KIOSK_DEMO_PERSONA, default "normal"); `python -m virtualcard insert/remove`
   changes it while the kiosk runs.
3. The kiosk app fullscreen; with no display, on a virtual one (Xvfb), with a screenshot written
   every few seconds so a person can see it.
Ctrl-C or SIGTERM stops every process started here, in reverse order.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import requests

from kiosk.config import KioskSettings
from kiosk.maintenance.actions import RESTART_EXIT_CODE
from scripts.xvfb import xvfb

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def say(message: str) -> None:
    """One line of progress for the person at the terminal."""
    print(f"[make run] {message}", flush=True)


class Supervisor:
    """Child processes in their own sessions (so Ctrl-C reaches only us), stopped in reverse order."""

    def __init__(self) -> None:
        self.children: list[tuple[str, subprocess.Popen[bytes]]] = []
        self.stopping = threading.Event()

    def spawn(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        """Start a child process."""
        proc = subprocess.Popen(args, cwd=ROOT, env=env, start_new_session=True)
        self.children.append((name, proc))
        return proc

    def wait_any(self, restart: dict[str, Callable[[], subprocess.Popen[bytes]]] | None = None) -> None:
        """Block until a child exits (one in ``restart`` that exits with RESTART_EXIT_CODE is started again)."""
        restart = restart or {}
        while not self.stopping.wait(0.2):
            for i, (name, proc) in enumerate(self.children):
                if proc.poll() is None:
                    continue
                if proc.returncode == RESTART_EXIT_CODE and name in restart:
                    say(f"{name} asked to restart; starting it again")
                    self.children.pop(i)
                    restart[name]()
                    break
                say(f"{name} exited with status {proc.returncode}; stopping the rest")
                return

    def stop_all(self) -> None:
        """Terminate every child (SIGTERM, then SIGKILL after a grace period)."""
        for name, proc in reversed(self.children):
            if proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    say(f"{name} did not stop in time; killing it")
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
        self.children.clear()


def kiosk_settings() -> KioskSettings:
    """The kiosk's settings (config/kiosk.toml and KIOSK_* overrides)."""
    from kiosk import config

    return config.load()


def server_url() -> str:
    """The server's base URL from the kiosk's settings (they must agree)."""
    return kiosk_settings().server.url


def wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    """Poll /health until the server answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"[make run] the server exited with status {proc.returncode}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(f"{url}/health", timeout=1).ok:
                return
        time.sleep(0.2)
    raise SystemExit("[make run] the server did not become healthy in time")


def start_server(sup: Supervisor) -> None:
    """The central server with the demo data set."""
    env = dict(os.environ, SERVER_DEMO="true", SERVER_USE_TEST_PKI="true")
    proc = sup.spawn("server", [PY, "-m", "server", "serve"], env)
    url = server_url()
    wait_healthy(url, proc)
    say(f"server ready at {url} (API document at {url}/docs)")


def start_kiosk(sup: Supervisor, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """The kiosk app."""
    return sup.spawn("kiosk", [PY, "main.py"], env)


def main() -> int:
    """Run the whole system until Ctrl-C."""
    sup = Supervisor()

    def on_signal(signum: int, _frame: object) -> None:
        sup.stopping.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    from kiosk.config import ConfigError

    try:
        kiosk_settings()  # before anything starts: a bad kiosk setting is one line, as from main.py
    except ConfigError as exc:
        print(f"kiosk: configuration error: {exc}", file=sys.stderr)
        return 2
    with contextlib.ExitStack() as stack:
        stack.callback(sup.stop_all)
        start_server(sup)
        kiosk_env = dict(os.environ)
        kiosk_env.update(start_card_side(sup, stack))
        if not os.environ.get("DISPLAY"):
            shots = Path(os.environ.get("KIOSK_RUN_SCREENSHOT_DIR", ROOT / "var" / "screens"))
            display = stack.enter_context(xvfb())
            kiosk_env.update(DISPLAY=display, KIOSK_DISPLAY_SCREENSHOT_DIR=str(shots))
            say(f"no display: the kiosk runs on virtual display {display}; see {shots / 'kiosk.png'} "
                "(refreshed every 3 s)")
        start_kiosk(sup, kiosk_env)
        if kiosk_settings().printer.backend == "file":
            say(f"no printer configured: queue tickets are written as PNG into {ROOT / 'var' / 'tickets'}")
        say("kiosk started; press Ctrl-C to stop everything")
        sup.wait_any(restart={"kiosk": lambda: start_kiosk(sup, kiosk_env)})
        say("stopping")
    say("stopped")
    return 0


HARDWARE_PROBE = """
from smartcard.System import readers
print("\\n".join(str(r) for r in readers() if "Virtual PCD" not in str(r)))
"""


def hardware_readers() -> list[str]:
    """PC/SC readers the system pcscd sees, virtual ones left out (none when pcscd is not running)."""
    env = {k: v for k, v in os.environ.items() if k != "PCSCLITE_CSOCK_NAME"}
    try:
        result = subprocess.run([PY, "-c", HARDWARE_PROBE], env=env, capture_output=True, text=True, timeout=10)
    except subprocess.TimeoutExpired:
        return []
    return [line for line in result.stdout.splitlines() if line.strip()] if result.returncode == 0 else []


def start_card_side(sup: Supervisor, stack: contextlib.ExitStack) -> dict[str, str]:
    """Environment the kiosk needs to reach the card reader: the hardware one, else the virtual card."""
    found = hardware_readers()
    if found:
        say(f"hardware reader found ({found[0]}): the virtual card stays off")
        return {}
    from virtualcard.control import default_control_port
    from virtualcard.stack import start_private_stack

    persona = os.environ.get("KIOSK_DEMO_PERSONA", "normal")
    # The well-known control port, so `python -m virtualcard insert PERSONA` needs no flag.
    card = start_private_stack(persona, control_port=default_control_port(), set_env=False)
    stack.callback(card.stop)
    say(f"no hardware reader: virtual My Number card '{persona}' in a private pcscd "
        f"(control port {card.control_port})")
    say("  switch card:  .venv/bin/python -m virtualcard insert PERSONA   (list: .venv/bin/python -m virtualcard list)")
    say("  pull it out:  .venv/bin/python -m virtualcard remove")
    return dict(card.env)


if __name__ == "__main__":
    sys.exit(main())
