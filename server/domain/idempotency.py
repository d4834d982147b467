"""Idempotency keys: the first answer to a state-changing kiosk request, stored per kiosk.

A request first claims its key (a row with status 0, committed at once), so a concurrent
twin with the same key waits for the first answer instead of racing it; the answer is
written in the same transaction as the state change.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.errors import ApiError
from server.models import IdempotencyRecord

IN_PROGRESS = 0
# A claim older than this belongs to a process that died mid-request.
ABANDONED_AFTER = timedelta(seconds=60)


@dataclass(frozen=True)
class StoredAnswer:
    """A response replayed for a retried request."""

    status_code: int
    body: dict


def request_fingerprint(*, method: str, path: str, body: bytes) -> str:
    """What makes two requests "the same" for one key."""
    return hashlib.sha256(method.encode() + b"\n" + path.encode() + b"\n" + body).hexdigest()


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def claim_or_answer(
    *, session: Session, kiosk_id: str, key: str, fingerprint: str, now: datetime
) -> StoredAnswer | bool:
    """In its own transaction: the stored answer, True if this request now owns the key,
    False if a twin is still working on it. A different request under the key is refused."""
    with session.begin():
        record = session.get(IdempotencyRecord, (kiosk_id, key))
        if record is not None:
            if record.request_hash != fingerprint:
                raise ApiError("idempotency_key_reused")
            if record.status_code != IN_PROGRESS:
                return StoredAnswer(status_code=record.status_code, body=json.loads(record.response_body))
            if now - _aware(record.created_at) < ABANDONED_AFTER:
                return False
            session.delete(record)
            session.flush()
    try:
        with session.begin():
            session.add(
                IdempotencyRecord(
                    kiosk_id=kiosk_id, key=key, request_hash=fingerprint, status_code=IN_PROGRESS,
                    response_body="{}", created_at=now,
                )
            )
        return True
    except IntegrityError:
        session.rollback()
        return False


def store_answer(*, session: Session, kiosk_id: str, key: str, status_code: int, body: dict) -> None:
    """Record the answer on the claimed key, in the caller's transaction."""
    record = session.get(IdempotencyRecord, (kiosk_id, key))
    if record is None:  # the claim was taken over as abandoned: nothing sensible to store
        return
    record.status_code = status_code
    record.response_body = json.dumps(body, ensure_ascii=False, default=str)
    session.flush()


def release_claim(*, session: Session, kiosk_id: str, key: str) -> None:
    """Forget a claim whose request failed transiently, so a retry runs again."""
    with session.begin():
        session.execute(
            delete(IdempotencyRecord).where(
                IdempotencyRecord.kiosk_id == kiosk_id,
                IdempotencyRecord.key == key,
                IdempotencyRecord.status_code == IN_PROGRESS,
            )
        )
