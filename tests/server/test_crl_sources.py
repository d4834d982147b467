"""Revocation from CRL files and from a CRL URL (served here by a real local HTTP server)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from server.errors import ApiError
from server.jpki import load_trust_store
from tests.support.ports import free_port


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def crl_url(test_pki) -> Iterator[str]:  # type: ignore[no-untyped-def]
    path = test_pki.crl_path
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(path.parent)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/{path.name}"
    server.shutdown()
    server.server_close()


def roots(test_pki) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(p) for p in test_pki.root_pem_paths]


def test_revoked_certificate_found_through_a_crl_url(test_pki, crl_url: str) -> None:  # type: ignore[no-untyped-def]
    trust = load_trust_store(root_paths=roots(test_pki), crl_paths=[crl_url])
    now = datetime.now(UTC)
    with pytest.raises(ApiError) as info:
        trust.verify(test_pki.personas["revoked_cert"].cert, at=now)
    assert info.value.code == "certificate_revoked"
    assert trust.verify(test_pki.personas["blocked"].cert, at=now).serial


def test_unreachable_crl_url_fails_closed(test_pki) -> None:  # type: ignore[no-untyped-def]
    trust = load_trust_store(root_paths=roots(test_pki), crl_paths=[f"http://127.0.0.1:{free_port()}/crl.pem"])
    with pytest.raises(ApiError) as info:
        trust.verify(test_pki.personas["normal"].cert, at=datetime.now(UTC))
    assert info.value.code == "revocation_unavailable"


def test_without_the_crl_the_revoked_certificate_would_pass(test_pki) -> None:  # type: ignore[no-untyped-def]
    # Guards the tests above: the refusal comes from the CRL, not from another check.
    trust = load_trust_store(root_paths=roots(test_pki), crl_paths=[])
    assert trust.verify(test_pki.personas["revoked_cert"].cert, at=datetime.now(UTC)).serial
