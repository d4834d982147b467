"""Kiosk request signing: HMAC-SHA256 over a canonical string.

The canonical string is built in exactly one place (`canonical_string`) and both
the kiosk client and the server import it, so they cannot drift apart.

    METHOD \n PATH?QUERY \n TIMESTAMP \n NONCE \n hex(SHA-256(body))

The timestamp is Unix seconds (UTC); the nonce is random and single use (the server
stores it in its database for the length of the window to reject replays).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

HEADER_KIOSK_ID = "X-Kiosk-Id"
HEADER_TIMESTAMP = "X-Timestamp"
HEADER_NONCE = "X-Nonce"
HEADER_SIGNATURE = "X-Signature"
HEADER_IDEMPOTENCY_KEY = "Idempotency-Key"

SIGNED_HEADERS = (HEADER_KIOSK_ID, HEADER_TIMESTAMP, HEADER_NONCE, HEADER_SIGNATURE)


def canonical_string(*, method: str, path_with_query: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    """The exact bytes that are signed for one request."""
    body_hash = hashlib.sha256(body).hexdigest()
    return "\n".join((method.upper(), path_with_query, timestamp, nonce, body_hash)).encode("utf-8")


def sign(*, secret: str, method: str, path_with_query: str, timestamp: str, nonce: str, body: bytes) -> str:
    """Hex HMAC-SHA256 signature of one request."""
    message = canonical_string(
        method=method, path_with_query=path_with_query, timestamp=timestamp, nonce=nonce, body=body
    )
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signature_matches(
    *, secret: str, method: str, path_with_query: str, timestamp: str, nonce: str, body: bytes, signature: str
) -> bool:
    """Constant-time check of a received signature."""
    if not signature.isascii():  # compare_digest raises TypeError on such a str: it is simply not the signature
        return False
    expected = sign(
        secret=secret, method=method, path_with_query=path_with_query, timestamp=timestamp, nonce=nonce, body=body
    )
    return hmac.compare_digest(expected, signature.lower())


def signed_headers(
    *, kiosk_id: str, secret: str, method: str, path_with_query: str, body: bytes, now: float | None = None
) -> dict[str, str]:
    """Headers a kiosk adds to one request (fresh timestamp and nonce each time)."""
    timestamp = str(int(time.time() if now is None else now))
    nonce = secrets.token_hex(16)
    return {
        HEADER_KIOSK_ID: kiosk_id,
        HEADER_TIMESTAMP: timestamp,
        HEADER_NONCE: nonce,
        HEADER_SIGNATURE: sign(
            secret=secret, method=method, path_with_query=path_with_query, timestamp=timestamp, nonce=nonce, body=body
        ),
    }
