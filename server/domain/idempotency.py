"""Idempotency keys: the first answer to a state-changing kiosk request, stored per kiosk."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from server.errors import ApiError
from server.models import IdempotencyRecord


@dataclass(frozen=True)
class StoredAnswer:
    """A response replayed for a retried request."""

    status_code: int
    body: dict


def request_fingerprint(*, method: str, path: str, body: bytes) -> str:
    """What makes two requests "the same" for one key."""
    return hashlib.sha256(method.encode() + b"\n" + path.encode() + b"\n" + body).hexdigest()


def find_answer(*, session: Session, kiosk_id: str, key: str, fingerprint: str) -> StoredAnswer | None:
    """The stored first answer for this key, or None; a different request under the key is refused."""
    record = session.get(IdempotencyRecord, (kiosk_id, key))
    if record is None:
        return None
    if record.request_hash != fingerprint:
        raise ApiError("idempotency_key_reused")
    return StoredAnswer(status_code=record.status_code, body=json.loads(record.response_body))


def store_answer(
    *, session: Session, kiosk_id: str, key: str, fingerprint: str, status_code: int, body: dict, now: datetime
) -> None:
    """Keep the first answer in the caller's transaction (the primary key rejects a concurrent twin)."""
    session.add(
        IdempotencyRecord(
            kiosk_id=kiosk_id,
            key=key,
            request_hash=fingerprint,
            status_code=status_code,
            response_body=json.dumps(body, ensure_ascii=False, default=str),
            created_at=now,
        )
    )
    session.flush()
