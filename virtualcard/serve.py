"""`python -m virtualcard serve`: a persona's card in the vpcd reader, switchable through the control port."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

from virtualcard.card import VirtualCard
from virtualcard.control import ControlServer
from virtualcard.personas import Persona
from virtualcard.pki import load_or_create
from virtualcard.vpcd import CardServer


class PersonaSwitcher:
    """Keeps one VirtualCard per persona (so tries counters persist) and answers control commands."""

    def __init__(self, server: CardServer, personas: dict[str, Persona]) -> None:
        self.server = server
        self.personas = personas
        self.cards: dict[str, VirtualCard] = {}
        self.current: str | None = None

    def insert(self, key: str) -> None:
        """Put persona `key`'s card in the reader."""
        if key not in self.personas:
            raise KeyError(f"unknown persona {key!r}; try: {', '.join(sorted(self.personas))}")
        card = self.cards.setdefault(key, VirtualCard.for_persona(self.personas[key]))
        self.server.insert(card)
        self.current = key

    def handle_line(self, line: str) -> str:
        """Run one control command: 'insert KEY', 'remove' or 'status'."""
        words = line.split()
        if words[:1] == ["insert"] and len(words) == 2:
            self.insert(words[1])
            return f"ok inserted {words[1]}"
        if words == ["remove"]:
            self.server.remove()
            return "ok removed"
        if words == ["status"]:
            inserted = self.server.inserted and self.current
            return f"ok inserted {self.current}" if inserted else "ok empty"
        return "error commands: insert PERSONA | remove | status"


def serve(port: int, persona: str | None, control_port: int, personas_dir: Path | None = None) -> int:
    """Run until SIGTERM/SIGINT; prints 'ready control-port=N' once listening."""
    pki = load_or_create(personas_dir)
    server = CardServer(port)
    switcher = PersonaSwitcher(server, pki.personas)
    control = ControlServer(control_port, switcher.handle_line).start()
    if persona:
        switcher.insert(persona)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    print(f"ready control-port={control.port} vpcd-port={port}", flush=True)
    stop.wait()
    control.shutdown()
    control.server_close()
    server.close()
    return 0

