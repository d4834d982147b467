"""KioskApiClient against small real HTTP servers that fail in the ways a network does."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from kiosk.api import ApiError, KioskApiClient, ServerError, ServerUnreachableError
from protocol import signing


class Recorder(BaseHTTPRequestHandler):
    """Answers from a script; remembers what it received."""

    script: ClassVar[list[tuple[int, str, bytes]]] = []
    seen: ClassVar[list[dict[str, str]]] = []

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        type(self).seen.append({k.lower(): v for k, v in self.headers.items()})
        status, content_type, body = type(self).script.pop(0)
        if status == 0:  # drop the connection without answering
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def stub() -> Iterator[tuple[str, type[Recorder]]]:
    handler = type("Handler", (Recorder,), {"script": [], "seen": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()


def client(url: str) -> KioskApiClient:
    return KioskApiClient(url, "kiosk-test", "s" * 32, timeout=3)


def test_signs_every_request(stub) -> None:  # type: ignore[no-untyped-def]
    url, handler = stub
    handler.script.append((200, "application/json", b'{"status": "ok", "database": "ok"}'))
    assert client(url).health()["status"] == "ok"
    headers = handler.seen[0]
    for name in signing.SIGNED_HEADERS:
        assert name.lower() in headers
    assert signing.signature_matches(secret="s" * 32, method="GET", path_with_query="/health",
                                     timestamp=headers["x-timestamp"], nonce=headers["x-nonce"], body=b"",
                                     signature=headers["x-signature"])


def test_maps_html_500_and_json_errors(stub) -> None:  # type: ignore[no-untyped-def]
    url, handler = stub
    handler.script += [
        (502, "text/html", b"<html>Bad Gateway</html>"),
        (503, "application/json", json.dumps({"error": {"code": "mykey_unavailable", "message_ja": "接続できません",
                                                        "message_en": "down"}}).encode()),
        (200, "text/html", b"<html>captive portal</html>"),
    ]
    with pytest.raises(ServerError) as info:
        client(url).health()
    assert info.value.status == 502
    with pytest.raises(ApiError) as api_info:
        client(url).card_expiry("2000000014")
    assert (api_info.value.code, api_info.value.status, api_info.value.message_ja) == (
        "mykey_unavailable", 503, "接続できません")
    with pytest.raises(ServerError):
        client(url).health()


def test_retries_a_dropped_state_change_with_the_same_key(stub) -> None:  # type: ignore[no-untyped-def]
    url, handler = stub
    answer = {"challenge_id": "c1", "challenge": "AAAA", "expires_at": "2026-06-15T00:00:00+00:00"}
    handler.script += [(0, "", b""), (201, "application/json", json.dumps(answer).encode())]
    challenge = client(url).migration_challenge()
    assert challenge.challenge_id == "c1"
    keys = [seen["idempotency-key"] for seen in handler.seen]
    assert len(keys) == 2 and keys[0] == keys[1]
    # ...but two different signatures and nonces: a resend is a new request on the wire.
    assert handler.seen[0]["x-nonce"] != handler.seen[1]["x-nonce"]


def test_reads_are_not_retried_and_unreachable_is_typed(stub) -> None:  # type: ignore[no-untyped-def]
    url, handler = stub
    handler.script += [(0, "", b"")]
    with pytest.raises(ServerUnreachableError):
        client(url).health()
    assert len(handler.seen) == 1
