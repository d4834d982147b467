"""Append-only audit log. Callers pass small facts only: never a PIN, a 個人番号 or a certificate."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

from sqlalchemy import JSON, Integer, String, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from server.db import Base, Timestamp, table_of


class AuditEntry(Base):
    """Append-only audit log: who did what to which card, when, with what outcome."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(Timestamp, index=True)
    actor_type: Mapped[str] = mapped_column(String(16))  # kiosk | staff | admin_cli | system
    actor_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    card_number: Mapped[str | None] = mapped_column(String(10), index=True)
    outcome: Mapped[str] = mapped_column(String(64))  # "ok" or an error code
    # Small structured facts only: never a PIN, a 個人番号 or a certificate dump.
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


# Keys that must never reach the log, whatever a caller passes by mistake.
_FORBIDDEN_KEYS = {"pin", "auth_pin", "text_pin", "my_number", "kojin_bango", "certificate", "cert_der"}
_APPEND = insert(table_of(AuditEntry))


def cleaned(detail: dict | None) -> dict:
    """The detail as it may be logged: keys that must never reach the log are dropped."""
    return {k: v for k, v in (detail or {}).items() if k.lower() not in _FORBIDDEN_KEYS}


def record(
    *,
    session: Session,
    at: datetime,
    actor_type: str,
    actor_id: str,
    action: str,
    outcome: str,
    card_number: str | None = None,
    detail: dict | None = None,
) -> AuditEntry:
    """Append one audit row in the caller's transaction."""
    clean = cleaned(detail)
    entry = AuditEntry(
        at=at,
        actor_type=actor_type,
        actor_id=actor_id,
        action=action,
        outcome=outcome,
        card_number=card_number,
        detail=clean,
    )
    session.add(entry)
    return entry


def append(
    *,
    session: Session,
    at: datetime,
    actor_type: str,
    actor_id: str,
    action: str,
    outcome: str,
    card_number: str | None = None,
    detail: dict | None = None,
) -> None:
    """Append one audit row in the caller's transaction with a single INSERT, now (record() without the
    ORM's bookkeeping, for hot paths that need no AuditEntry back)."""
    clean = cleaned(detail)
    session.connection().execute(_APPEND, {
        "at": at, "actor_type": actor_type, "actor_id": actor_id, "action": action, "outcome": outcome,
        "card_number": card_number, "detail": clean,
    })


def append_many(*, session: Session, rows: list[dict]) -> None:
    """Append several audit rows (dicts of at, actor_type, actor_id, action, outcome, card_number, detail)
    with one INSERT in the caller's transaction (a group of tickets committed together)."""
    if rows:
        session.connection().execute(_APPEND, [{**row, "detail": cleaned(row.get("detail"))} for row in rows])


def entries(*, session: Session, card_number: str | None = None) -> list[AuditEntry]:
    """Audit rows in order, optionally for one card."""
    query = select(AuditEntry).order_by(AuditEntry.id)
    if card_number is not None:
        query = query.where(AuditEntry.card_number == card_number)
    return list(session.scalars(query))


def export_csv(*, session: Session) -> str:
    """The whole audit log as CSV text."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "at", "actor_type", "actor_id", "action", "card_number", "outcome", "detail"])
    for e in entries(session=session):
        writer.writerow(
            [e.id, e.at.isoformat(), e.actor_type, e.actor_id, e.action, e.card_number or "", e.outcome,
             json.dumps(e.detail, ensure_ascii=False, sort_keys=True)]
        )
    return out.getvalue()
