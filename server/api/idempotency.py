"""Idempotency keys: the first answer to a state-changing kiosk request, stored per kiosk.

A request claims its key (a row with status 0) in the same transaction as its state change and the
answer it stores, so the claim is never seen half done: a concurrent twin with the same key waits on
the row (PostgreSQL: on the unique key; SQLite: on the write lock) and then finds the answer. A claim
left in progress (a process that died between two transactions, as older versions claimed in a
transaction of their own) is waited for, and taken over once abandoned.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

from sqlalchemy import Insert, Integer, String, Text, bindparam, delete, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from server.db import Base, Timestamp, insert_for, table_of
from server.errors import ApiError


class IdempotencyRecord(Base):
    """The first answer to a state-changing kiosk request, replayed on retries with the same key."""

    __tablename__ = "idempotency_records"

    kiosk_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response_body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(Timestamp)


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


_RECORDS = table_of(IdempotencyRecord)
# Bind names differ from column names: SQLAlchemy keeps those for the VALUES / SET of inserts and updates.
_THIS_KEY = (_RECORDS.c.kiosk_id == bindparam("b_kiosk_id")) & (_RECORDS.c.key == bindparam("b_key"))
_READ = select(_RECORDS.c.request_hash, _RECORDS.c.status_code, _RECORDS.c.response_body,
               _RECORDS.c.created_at).where(_THIS_KEY)
_ANSWER = update(_RECORDS).where(_THIS_KEY)


@cache
def _claim(dialect_name: str) -> Insert:
    # RETURNING says whether the row went in (rowcount of an INSERT is not reported by every driver).
    return insert_for(dialect_name)(_RECORDS).on_conflict_do_nothing().returning(_RECORDS.c.status_code)


def claim_or_answer(
    *, session: Session, kiosk_id: str, key: str, fingerprint: str, now: datetime
) -> StoredAnswer | bool:
    """In the caller's transaction: True if this request now owns the key, the stored answer of the
    request that used it first, or False if a claim is still in progress. A different request under
    the key is refused."""
    connection = session.connection()
    claimed = connection.execute(_claim(connection.dialect.name), {
        "kiosk_id": kiosk_id, "key": key, "request_hash": fingerprint, "status_code": IN_PROGRESS,
        "response_body": "{}", "created_at": now,
    }).first()
    if claimed is not None:
        return True
    record = connection.execute(_READ, {"b_kiosk_id": kiosk_id, "b_key": key}).first()
    if record is None:  # released after a transient failure between the two statements: claim again
        return False
    if record.request_hash != fingerprint:
        raise ApiError("idempotency_key_reused")
    if record.status_code != IN_PROGRESS:
        return StoredAnswer(status_code=record.status_code, body=json.loads(record.response_body))
    if now - _aware(record.created_at) < ABANDONED_AFTER:
        return False
    # Abandoned: take it over (only one taker can match the old timestamp).
    return connection.execute(
        update(_RECORDS)
        .where(_THIS_KEY, _RECORDS.c.status_code == IN_PROGRESS, _RECORDS.c.created_at == record.created_at)
        .values(created_at=now),
        {"b_kiosk_id": kiosk_id, "b_key": key},
    ).rowcount == 1


def store_answer(*, session: Session, kiosk_id: str, key: str, status_code: int, body: dict) -> None:
    """Record the answer on the claimed key, in the caller's transaction."""
    session.connection().execute(_ANSWER, {
        "b_kiosk_id": kiosk_id, "b_key": key, "status_code": status_code,
        "response_body": json.dumps(body, ensure_ascii=False, default=str),
    })


def release_claim(*, session: Session, kiosk_id: str, key: str) -> None:
    """Forget a claim whose request failed transiently, so a retry runs again (caller's transaction)."""
    session.connection().execute(delete(_RECORDS).where(_THIS_KEY, _RECORDS.c.status_code == IN_PROGRESS),
                                 {"b_kiosk_id": kiosk_id, "b_key": key})
