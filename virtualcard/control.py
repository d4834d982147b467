"""The card server's loopback control port: one text line in ('insert KEY', 'remove', 'status'), one out."""

from __future__ import annotations

import os
import socket
import socketserver
import threading
from collections.abc import Callable

DEFAULT_CONTROL_PORT = 35990
CONTROL_PORT_ENV = "VIRTUALCARD_CONTROL_PORT"


def default_control_port() -> int:
    """The control port from $VIRTUALCARD_CONTROL_PORT, else 35990."""
    return int(os.environ.get(CONTROL_PORT_ENV, DEFAULT_CONTROL_PORT))


class ControlServer(socketserver.ThreadingTCPServer):
    """Loopback-only server that hands each command line to `handle_line` and writes back its answer."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, handle_line: Callable[[str], str]) -> None:
        self.handle_line = handle_line
        super().__init__(("127.0.0.1", port), _Handler)
        self.thread = threading.Thread(target=self.serve_forever, daemon=True, name="virtualcard-control")

    @property
    def port(self) -> int:
        """The bound port (useful when 0 was asked)."""
        return self.server_address[1]

    def start(self) -> ControlServer:
        """Serve in a background thread."""
        self.thread.start()
        return self


class _Handler(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        line = self.rfile.readline(256).decode("utf-8", "replace").strip()
        server = self.server
        assert isinstance(server, ControlServer)
        try:
            answer = server.handle_line(line)
        except Exception as exc:  # The control port must keep serving after a bad command.
            answer = f"error {exc}"
        self.wfile.write((answer + "\n").encode())


def send_command(line: str, port: int | None = None, timeout: float = 10.0) -> str:
    """Send one command line to a running card server and return its answer line."""
    with socket.create_connection(("127.0.0.1", port or default_control_port()), timeout=timeout) as sock:
        sock.sendall(line.encode() + b"\n")
        chunks = []
        while True:
            chunk = sock.recv(4096)
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks).decode().strip()
