"""A local HTTP server that answers every request with one canned answer, for the kiosk client's tests."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class CannedServer(ThreadingHTTPServer):
    """Answers every request with `answer`: (status, content type, body), or drops it when status is 0."""

    answer: tuple[int, str, bytes] = (200, "application/json", b"{}")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    def _reply(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        status, content_type, body = self.server.answer  # type: ignore[attr-defined]
        if status == 0:
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _reply  # noqa: N815 - http.server's names

    def log_message(self, *args: object) -> None:
        """Quiet."""


@contextmanager
def canned_server() -> Iterator[CannedServer]:
    """A CannedServer on a free loopback port, served from a thread until the block ends."""
    server = CannedServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
