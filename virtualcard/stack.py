"""Start and stop a whole private virtual-card stack (pcscd + card server) from another program."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from virtualcard.control import send_command
from virtualcard.pcscd import READER_NAME, PcscdError, PrivatePcscd, _die_with_parent, free_port_pair

_REPO = Path(__file__).resolve().parent.parent


@dataclass
class PrivateStack:
    """A running private pcscd, the card server process, and what a pyscard client needs."""

    pcscd: PrivatePcscd
    card_server: subprocess.Popen[str]
    socket_path: Path
    control_port: int
    reader: str = READER_NAME
    env: dict[str, str] = field(default_factory=dict)

    def insert(self, persona: str) -> str:
        """Switch the card in the reader to `persona`."""
        return send_command(f"insert {persona}", self.control_port)

    def remove(self) -> str:
        """Pull the card out."""
        return send_command("remove", self.control_port)

    def stop(self) -> None:
        """Stop the card server and pcscd and wait for both (no orphans)."""
        if self.card_server.poll() is None:
            self.card_server.terminate()
            try:
                self.card_server.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.card_server.kill()
                self.card_server.wait()
        if self.card_server.stdout is not None:
            self.card_server.stdout.close()
        self.pcscd.stop()

    def __enter__(self) -> PrivateStack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def start_private_stack(
    persona: str | None = "normal",
    *,
    control_port: int = 0,
    apdu_log: bool = False,
    set_env: bool = True,
    personas_dir: Path | None = None,
    workdir: Path | None = None,
) -> PrivateStack:
    """Start a private pcscd and a card server holding `persona`'s card.

    With set_env (the default) os.environ gets PCSCLITE_CSOCK_NAME, so pyscard in
    this process reaches the private pcscd, provided it has made no PC/SC call
    yet; child processes inherit it. control_port=0 picks a free port. With
    apdu_log, pcscd logs every APDU (PINs included) to `workdir`/pcscd.log: tests only.
    A given `workdir` is left in place at stop(), a temporary one is removed.
    """
    pcscd = PrivatePcscd(port=free_port_pair(), apdu_log=apdu_log, workdir=workdir).start()
    argv = [sys.executable, "-m", "virtualcard", "serve", "--port", str(pcscd.port)]
    argv += ["--control-port", str(control_port)]
    if persona:
        argv += ["--persona", persona]
    if personas_dir is not None:
        argv += ["--personas-dir", str(personas_dir)]
    server = subprocess.Popen(
        argv,
        cwd=_REPO,
        stdout=subprocess.PIPE,
        text=True,
        preexec_fn=_die_with_parent,
        env={**os.environ, "PYTHONPATH": str(_REPO)},
    )
    assert server.stdout is not None
    line = server.stdout.readline()  # "ready control-port=N ..." (blocks until the server is up)
    if not line.startswith("ready"):
        server.kill()
        server.wait()
        pcscd.stop()
        raise PcscdError(f"card server did not start (exit {server.poll()})")
    port = int(line.split()[1].split("=")[1])
    if set_env:
        os.environ.update(pcscd.env)
    return PrivateStack(pcscd, server, pcscd.socket_path, port, env=dict(pcscd.env))
