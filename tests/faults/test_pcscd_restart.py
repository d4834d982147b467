"""pcscd stopped while a kiosk process runs, then started again: the kiosk says the reader is unavailable
(a service event, and a card step ends in "reader gone"), then card events and card steps work again."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.server_proc import REPO_ROOT
from virtualcard.card import VirtualCard
from virtualcard.pcscd import PrivatePcscd
from virtualcard.vpcd import CardServer

# The kiosk core as the app runs it: the reader watch for events, the Performer for card steps.
KIOSK_CORE = textwrap.dedent("""
    import json, sys, threading
    from kiosk.card.watch import ReaderWatch, ServiceChanged
    from kiosk.config import load
    from kiosk.effects import Performer
    from kiosk.flows import migration as mig

    lock = threading.Lock()

    def say(**fields):
        with lock:  # events come from several threads: one whole line each
            sys.stdout.write(json.dumps(fields) + "\\n")
            sys.stdout.flush()

    def on_event(event):
        if isinstance(event, ServiceChanged):
            say(event="service", available=event.available)
        else:
            say(event=event.kind.value)

    performer = Performer(load())
    watch = ReaderWatch(on_event, poll_s=0.3).start()
    for _line in sys.stdin:
        result = performer.perform(mig.ReadCard())
        say(read=type(result).__name__, trouble=str(getattr(result, "trouble", "")))
    watch.stop()
""")


class Kiosk:
    """The kiosk core process; its JSON lines arrive on a queue."""

    def __init__(self, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", KIOSK_CORE], cwd=REPO_ROOT, env=env, text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.lines: queue.Queue[dict[str, Any]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(json.loads(line))

    def expect(self, timeout: float = 15.0, **fields: object) -> dict[str, Any]:
        """Wait for a line with these fields (earlier other lines are skipped)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                raise AssertionError(f"kiosk never said {fields}") from None
            if all(line.get(k) == v for k, v in fields.items()):
                return line

    def read_card(self) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write("read\n")
        self.proc.stdin.flush()
        deadline = time.monotonic() + 20
        while True:
            line = self.lines.get(timeout=max(deadline - time.monotonic(), 0.01))
            if "read" in line:
                return line

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()


@pytest.fixture
def own_pcscd() -> Iterator[PrivatePcscd]:
    """A pcscd of this test's own (the session's stays untouched), in a directory that outlives a restart."""
    workdir = Path(tempfile.mkdtemp(prefix="pcscd-restart-"))
    daemon = PrivatePcscd(workdir=workdir)
    yield daemon
    daemon.stop()
    subprocess.run(["rm", "-rf", str(workdir)], check=False)


def start(daemon: PrivatePcscd) -> CardServer:
    daemon.socket_path.unlink(missing_ok=True)  # a stale socket would look like a started daemon
    daemon.start()
    return CardServer(daemon.port)


def test_pcscd_restart_while_the_kiosk_runs(own_pcscd: PrivatePcscd, test_pki, tmp_path: Path) -> None:
    cards = start(own_pcscd)
    cards.insert(VirtualCard.for_persona(test_pki.personas["normal"]))
    env = {**os.environ, **own_pcscd.env, "KIOSK_PRINTER_DIRECTORY": str(tmp_path / "printed")}
    kiosk = Kiosk(env)
    try:
        kiosk.expect(event="service", available=True)
        kiosk.expect(event="card_inserted")
        assert kiosk.read_card()["read"] == "CardRead"

        cards.close()
        own_pcscd.stop()
        kiosk.expect(event="service", available=False)
        assert kiosk.read_card() == {"read": "CardFailed", "trouble": "reader_gone"}, "the reader is unavailable"

        cards = start(own_pcscd)
        kiosk.expect(event="service", available=True)
        cards.insert(VirtualCard.for_persona(test_pki.personas["normal"]))
        kiosk.expect(event="card_inserted")  # events resume: the monitor was rebuilt
        assert kiosk.read_card()["read"] == "CardRead"
        cards.remove()
        kiosk.expect(event="card_removed")
        assert kiosk.proc.poll() is None, "the kiosk kept running throughout"
    finally:
        kiosk.stop()
        cards.close()
