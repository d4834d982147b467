"""Kiosk accounts and request verification (HMAC-SHA256, see protocol.signing).

Replay protection lives in the database (kiosk_nonces), so every server process agrees.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from protocol import signing
from server.errors import ApiError
from server.models import Kiosk, KioskNonce


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


def verify_request(
    *,
    session: Session,
    headers: dict[str, str],
    method: str,
    path_with_query: str,
    body: bytes,
    now: datetime,
    window_seconds: int,
) -> Kiosk:
    """The authenticated kiosk, or ApiError (401) when unsigned, wrong, stale, replayed or unknown."""
    kiosk_id = headers.get(signing.HEADER_KIOSK_ID.lower())
    timestamp = headers.get(signing.HEADER_TIMESTAMP.lower())
    nonce = headers.get(signing.HEADER_NONCE.lower())
    signature = headers.get(signing.HEADER_SIGNATURE.lower())
    if not (kiosk_id and timestamp and nonce and signature) or len(nonce) > 128 or len(kiosk_id) > 64:
        raise ApiError("unauthenticated")
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise ApiError("unauthenticated") from None
    if abs(now.timestamp() - sent_at) > window_seconds:
        raise ApiError("stale_request")
    kiosk = session.get(Kiosk, kiosk_id)
    if kiosk is None or not kiosk.active:
        raise ApiError("unknown_kiosk")
    if not signing.signature_matches(
        secret=kiosk.secret,
        method=method,
        path_with_query=path_with_query,
        timestamp=timestamp,
        nonce=nonce,
        body=body,
        signature=signature,
    ):
        raise ApiError("unauthenticated")
    _remember_nonce(session=session, kiosk_id=kiosk_id, nonce=nonce, now=now, window_seconds=window_seconds)
    return kiosk


def _remember_nonce(*, session: Session, kiosk_id: str, nonce: str, now: datetime, window_seconds: int) -> None:
    """Store the nonce in its own committed transaction; a duplicate means a replay."""
    # Nonces older than twice the window can never be accepted again (the timestamp check
    # rejects them first), so they are dropped here instead of by a separate job.
    session.execute(delete(KioskNonce).where(KioskNonce.seen_at < now - timedelta(seconds=2 * window_seconds)))
    session.add(KioskNonce(kiosk_id=kiosk_id, nonce=nonce, seen_at=now))
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise ApiError("replayed_request") from None
