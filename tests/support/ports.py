"""Local TCP ports for the processes the tests start: a free one, and waiting until one is served."""

from __future__ import annotations

import socket
import subprocess
import time

from tests.support.waiting import WAIT_S


def free_port() -> int:
    """A TCP port nobody listens on at 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_listening(port: int, process: subprocess.Popen, timeout: float) -> None:
    """Return once 127.0.0.1:``port`` accepts a connection; fail if ``process`` ends first or time runs out
    (``timeout`` is raised to WAIT_S: a busy machine starts processes slowly)."""
    timeout = max(timeout, WAIT_S)
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if process.poll() is not None:
                errors = process.stderr.read() if process.stderr else ""
                raise AssertionError(f"{process.args[0]} ended with {process.returncode}: {errors!r}") from None
            if time.monotonic() > deadline:
                raise AssertionError(f"nothing listens on port {port} after {timeout} s") from None
            time.sleep(0.05)
