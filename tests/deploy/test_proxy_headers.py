"""What the server needs from the reverse proxy (deploy/server/nginx-saga.conf), through the real server:
uvicorn takes the scheme and host from X-Forwarded-* only when they come from a trusted proxy address
(FORWARDED_ALLOW_IPS), so a ticket's status URL says https behind nginx and a client cannot fake it."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from protocol import signing
from tests.support.server_proc import ServerProcess, start_server

ALWAYS_OPEN = {"SERVER_COUNTER_HOURS_WEEKDAY": '["00:00","24:00"]', "SERVER_COUNTER_HOURS_WEEKEND": '["00:00","24:00"]',
               "SERVER_CLOSED_WEEKDAYS": "[]", "SERVER_CLOSED_DATES": "[]"}


def _server(directory: Path, trusted: str) -> ServerProcess:
    return start_server(database_url=f"sqlite:///{directory / ('proxy_' + uuid.uuid4().hex[:8] + '.db')}",
                        settings={**ALWAYS_OPEN, "FORWARDED_ALLOW_IPS": trusted})


def _issue(server: ServerProcess, extra: dict[str, str]) -> str:
    path = "/v1/tickets"
    body = json.dumps({"service": "mynumber"}).encode()
    headers = {**signing.signed_headers(kiosk_id=server.kiosk_id, secret=server.kiosk_secret, method="POST",
                                        path_with_query=path, body=body),
               "Content-Type": "application/json", "Idempotency-Key": uuid.uuid4().hex, **extra}
    response = requests.post(server.base_url + path, data=body, headers=headers, timeout=10)
    assert response.status_code == 201, response.text
    return response.json()["status_url"]


@pytest.fixture
def behind_proxy(tmp_path: Path) -> Iterator[ServerProcess]:
    """A server trusting its local proxy, as the unit sets it (FORWARDED_ALLOW_IPS=127.0.0.1)."""
    server = _server(tmp_path, "127.0.0.1")
    try:
        yield server
    finally:
        server.stop()


def test_scheme_and_host_come_from_the_trusted_proxy(behind_proxy: ServerProcess, tmp_path: Path) -> None:
    forwarded = {"X-Forwarded-Proto": "https", "Host": "queue.library.example"}
    assert _issue(behind_proxy, forwarded).startswith("https://queue.library.example/t/")
    assert _issue(behind_proxy, {}).startswith("http://127.0.0.1:")
    # From an address that is not a trusted proxy, the same headers change nothing.
    untrusting = _server(tmp_path, "192.0.2.1")
    try:
        assert _issue(untrusting, forwarded).startswith("http://queue.library.example/t/")
    finally:
        untrusting.stop()
