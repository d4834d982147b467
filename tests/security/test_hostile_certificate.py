"""A hostile card's certificate whose outer DER parses but whose issuer name does not (cryptography reads
fields lazily): the server answers 422 malformed_certificate, not 500. Found by
tests/security/test_fuzz_parsers.py::test_mutated_certificate_parses_or_is_malformed_on_kiosk_and_server."""

from __future__ import annotations

import base64
import uuid
import warnings

import pytest
import requests
from cryptography import x509
from cryptography.utils import CryptographyDeprecationWarning

from kiosk.api import HmacAuth
from tests.support.server_proc import ServerProcess


def broken_issuer_certificate(der: bytes) -> bytes:
    """The first one-byte edit of `der` that still loads (with its key) but whose issuer cannot be read."""
    for position in range(len(der)):
        for mask in (0x01, 0x80, 0xFF, 0x40):
            candidate = bytearray(der)
            candidate[position] ^= mask
            try:
                with warnings.catch_warnings():  # edits that make the serial negative: loadable, and noisy
                    warnings.simplefilter("ignore", CryptographyDeprecationWarning)
                    cert = x509.load_der_x509_certificate(bytes(candidate))
                cert.public_key()
            except Exception:  # cryptography raises several types for an unloadable certificate
                continue
            try:
                _ = cert.issuer
            except ValueError:
                return bytes(candidate)
    raise AssertionError("no such edit")  # pragma: no cover


@pytest.mark.parametrize("path", ["/v1/migrations", "/v1/cards/by-mynumber/expiry"])
def test_certificate_with_unreadable_issuer_is_malformed_not_a_crash(
    security_server: ServerProcess, test_pki, path: str  # type: ignore[no-untyped-def]
) -> None:
    auth = HmacAuth(security_server.kiosk_id, security_server.kiosk_secret)
    challenge = requests.post(security_server.base_url + "/v1/migrations/challenges", json={}, auth=auth,
                              headers={"Idempotency-Key": str(uuid.uuid4())}, timeout=10).json()
    persona = test_pki.personas["normal"]
    body = {"challenge_id": challenge["challenge_id"],
            "certificate": base64.b64encode(broken_issuer_certificate(persona.cert_der)).decode(),
            "signature": base64.b64encode(b"\x01" * 256).decode()}
    if path == "/v1/migrations":
        body["card_number"] = persona.library_card
    response = requests.post(security_server.base_url + path, json=body, auth=auth,
                             headers={"Idempotency-Key": str(uuid.uuid4())}, timeout=10)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "malformed_certificate"
