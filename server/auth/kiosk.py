"""Kiosk accounts and request verification (HMAC-SHA256, see protocol.signing).

Verifying a request is two steps. `check_signature` is pure: window, kiosk and signature, against the
kiosk's secret as `KioskKeys` (a short-lived per-process copy) or the database knows it. `record_nonce`
then stores the nonce in the database with one statement that also re-checks, in the database, that the
kiosk is active and the secret is still its own; it runs in the transaction of the request's own
change when there is one (server/api/idempotent.py), so a state change commits once. Replay protection
lives in the database (kiosk_nonces), so every server process agrees.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import Insert, bindparam, delete, select
from sqlalchemy.orm import Session

from protocol import signing
from server.auth.models import Kiosk, KioskNonce
from server.db import Timestamp, insert_for, table_of
from server.errors import ApiError

# Old nonces are dropped by one request in this many: each costs a statement, and a nonce older
# than the window can never be accepted again anyway (the timestamp check refuses it first).
PRUNE_ONE_IN = 64
_TIMESTAMP = re.compile(r"[0-9]{1,12}")


@dataclass(frozen=True)
class KioskKey:
    """What the signature check needs to know about a kiosk."""

    secret: str
    active: bool


@dataclass(frozen=True)
class SignedRequest:
    """A request whose signature matched `secret`; its nonce is not recorded yet (record_nonce)."""

    kiosk_id: str
    nonce: str
    secret: str


@dataclass(frozen=True)
class AuthenticatedKiosk:
    """The kiosk behind a request that was verified and whose nonce is recorded."""

    kiosk_id: str


def create_kiosk(*, session: Session, kiosk_id: str, now: datetime, name: str = "", secret: str | None = None) -> Kiosk:
    """Register a kiosk; a random secret is generated unless one is given."""
    kiosk = Kiosk(
        kiosk_id=kiosk_id, name=name, secret=secret or secrets.token_urlsafe(32), active=True, created_at=now
    )
    session.add(kiosk)
    session.flush()
    return kiosk


def list_kiosks(*, session: Session) -> list[Kiosk]:
    """All kiosks, by id."""
    return list(session.scalars(select(Kiosk).order_by(Kiosk.kiosk_id)))


def kiosk_key(*, session: Session, kiosk_id: str) -> KioskKey | None:
    """The kiosk's secret and state from the database (None: no such kiosk)."""
    row = session.execute(select(Kiosk.secret, Kiosk.active).where(Kiosk.kiosk_id == kiosk_id)).first()
    return KioskKey(secret=row.secret, active=bool(row.active)) if row else None


@dataclass(frozen=True)
class SignedHeaders:
    """The four signed headers of a request, well-formed and inside the window."""

    kiosk_id: str
    timestamp: str
    nonce: str
    signature: str


def signed_headers(*, headers: dict[str, str], now: datetime, window_seconds: int) -> SignedHeaders:
    """The request's signed headers, or ApiError (401) when missing, malformed or stale."""
    kiosk_id = headers.get(signing.HEADER_KIOSK_ID.lower())
    timestamp = headers.get(signing.HEADER_TIMESTAMP.lower())
    nonce = headers.get(signing.HEADER_NONCE.lower())
    signature = headers.get(signing.HEADER_SIGNATURE.lower())
    if not (kiosk_id and timestamp and nonce and signature) or len(nonce) > 128 or len(kiosk_id) > 64:
        raise ApiError("unauthenticated")
    # Unix seconds as the client sends them: a few hundred digits would overflow the float arithmetic below.
    if not _TIMESTAMP.fullmatch(timestamp):
        raise ApiError("unauthenticated")
    sent_at = int(timestamp)
    if abs(now.timestamp() - sent_at) > window_seconds:
        raise ApiError("stale_request")
    return SignedHeaders(kiosk_id=kiosk_id, timestamp=timestamp, nonce=nonce, signature=signature)


def check_signature(*, signed: SignedHeaders, key: KioskKey | None, method: str, path_with_query: str,
                    body: bytes) -> SignedRequest:
    """The verified request, or ApiError (401) when the kiosk is unknown or revoked or the signature wrong."""
    if key is None or not key.active:
        raise ApiError("unknown_kiosk")
    if not signing.signature_matches(
        secret=key.secret, method=method, path_with_query=path_with_query, timestamp=signed.timestamp,
        nonce=signed.nonce, body=body, signature=signed.signature,
    ):
        raise ApiError("unauthenticated")
    return SignedRequest(kiosk_id=signed.kiosk_id, nonce=signed.nonce, secret=key.secret)


@cache
def _insert_nonce(dialect_name: str) -> Insert:
    """INSERT the nonce only while the kiosk is active with the given secret (built once per dialect)."""
    kiosks, nonces = table_of(Kiosk), table_of(KioskNonce)
    # Bind names differ from column names: SQLAlchemy keeps those for the VALUES of inserts.
    kiosk_id = bindparam("b_kiosk_id", type_=nonces.c.kiosk_id.type)
    source = select(kiosk_id, bindparam("b_nonce", type_=nonces.c.nonce.type), bindparam("b_seen_at", type_=Timestamp)
                    ).where(kiosks.c.kiosk_id == kiosk_id, kiosks.c.active.is_(True),
                            kiosks.c.secret == bindparam("b_secret", type_=kiosks.c.secret.type))
    columns = ["kiosk_id", "nonce", "seen_at"]
    # RETURNING says whether a row went in (rowcount of an INSERT is not reported by every driver).
    return (insert_for(dialect_name)(nonces).from_select(columns, source).on_conflict_do_nothing()
            .returning(nonces.c.seen_at))


def record_nonce(*, session: Session, request: SignedRequest, now: datetime, window_seconds: int) -> None:
    """Store the nonce in the caller's transaction, in one statement that only inserts while the kiosk is
    active with the secret the request was verified with; ApiError (401) when it is a replay, or the
    kiosk was revoked or its secret rotated since that secret was read."""
    connection = session.connection()
    inserted = connection.execute(_insert_nonce(connection.dialect.name), {
        "b_kiosk_id": request.kiosk_id, "b_nonce": request.nonce, "b_seen_at": now, "b_secret": request.secret,
    }).first()
    if inserted is None:
        key = kiosk_key(session=session, kiosk_id=request.kiosk_id)
        if key is None or not key.active:
            raise ApiError("unknown_kiosk")
        raise ApiError("unauthenticated" if key.secret != request.secret else "replayed_request")
    if secrets.randbelow(PRUNE_ONE_IN) == 0:
        session.execute(delete(KioskNonce).where(KioskNonce.seen_at < now - timedelta(seconds=2 * window_seconds)))


def verify_request(
    *,
    session: Session,
    headers: dict[str, str],
    method: str,
    path_with_query: str,
    body: bytes,
    now: datetime,
    window_seconds: int,
) -> AuthenticatedKiosk:
    """Check a request against the database and record its nonce in a committed transaction of its own;
    the kiosk, or ApiError (401) when unsigned, wrong, stale, replayed or unknown."""
    signed = signed_headers(headers=headers, now=now, window_seconds=window_seconds)
    with session.begin():
        key = kiosk_key(session=session, kiosk_id=signed.kiosk_id)
        request = check_signature(signed=signed, key=key, method=method, path_with_query=path_with_query, body=body)
        record_nonce(session=session, request=request, now=now, window_seconds=window_seconds)
    return AuthenticatedKiosk(kiosk_id=request.kiosk_id)
