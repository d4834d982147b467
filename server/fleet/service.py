"""Fleet services: keyword-only functions over the session; routes only call these and commit."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import overload

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from server import audit
from server.audit import AuditEntry
from server.auth.models import Kiosk
from server.errors import ApiError
from server.fleet.models import KioskErrorEvent, KioskHeartbeat
from server.fleet.schemas import (
    HeartbeatCreate,
    KioskErrorPublic,
    KioskStateName,
    KioskStatusPublic,
    StaffActionCreate,
)

RECENT_ERRORS_KEPT = 20
RECENT_ERRORS_SHOWN = 5


@overload
def _aware(value: datetime) -> datetime: ...
@overload
def _aware(value: None) -> None: ...
@overload
def _aware(value: datetime | None) -> datetime | None: ...
def _aware(value: datetime | None) -> datetime | None:
    """SQLite gives naive datetimes back for timezone-aware columns; they were stored as UTC."""
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def record_heartbeat(*, session: Session, kiosk_id: str, beat: HeartbeatCreate, now: datetime) -> KioskHeartbeat:
    """Store the kiosk's latest state; a new last_error also goes to its recent errors."""
    row = session.get(KioskHeartbeat, kiosk_id)
    previous = (row.last_error, _aware(row.last_error_at)) if row else (None, None)
    if row is None:
        row = KioskHeartbeat(kiosk_id=kiosk_id)
        session.add(row)
    for field, value in beat.model_dump().items():
        setattr(row, field, value)
    row.received_at = now
    if beat.last_error and (beat.last_error, beat.last_error_at) != previous:
        session.add(KioskErrorEvent(kiosk_id=kiosk_id, at=beat.last_error_at or now, message=beat.last_error))
        session.flush()
        keep = select(KioskErrorEvent.id).where(KioskErrorEvent.kiosk_id == kiosk_id).order_by(
            KioskErrorEvent.id.desc()).limit(RECENT_ERRORS_KEPT)
        session.execute(delete(KioskErrorEvent).where(KioskErrorEvent.kiosk_id == kiosk_id,
                                                      KioskErrorEvent.id.not_in(keep.scalar_subquery())))
    session.flush()
    return row


def stale_after(*, interval_s: int, stale_intervals: int) -> timedelta:
    """How long without a heartbeat before a kiosk counts as stale."""
    return timedelta(seconds=interval_s * stale_intervals)


def kiosk_state(*, kiosk: Kiosk, beat: KioskHeartbeat | None, now: datetime, stale_intervals: int) -> KioskStateName:
    """The one word the fleet page shows; the worst condition wins."""
    if not kiosk.active:
        return "revoked"
    if beat is None:
        return "never_seen"
    received = _aware(beat.received_at)
    assert received is not None
    if now - received > stale_after(interval_s=beat.interval_s, stale_intervals=stale_intervals):
        return "stale"
    if not beat.in_service:
        return "out_of_service"
    if printer_problem(beat):
        return "printer_problem"
    return "up"


def printer_problem(beat: KioskHeartbeat | None) -> bool:
    """The printer cannot print, or its paper is nearly out."""
    return beat is not None and (not beat.printer_online or beat.printer_paper in ("out", "near_end", "unknown"))


def fleet_overview(*, session: Session, now: datetime, stale_intervals: int) -> list[KioskStatusPublic]:
    """Every kiosk (revoked ones last) with its state and latest report."""
    kiosks = list(session.scalars(select(Kiosk).order_by(Kiosk.active.desc(), Kiosk.kiosk_id)))
    beats = {b.kiosk_id: b for b in session.scalars(select(KioskHeartbeat))}
    errors: dict[str, list[KioskErrorPublic]] = {}
    for event in session.scalars(select(KioskErrorEvent).order_by(KioskErrorEvent.id.desc())):
        shown = errors.setdefault(event.kiosk_id, [])
        if len(shown) < RECENT_ERRORS_SHOWN:
            shown.append(KioskErrorPublic(at=_aware(event.at), message=event.message))
    out = []
    for kiosk in kiosks:
        beat = beats.get(kiosk.kiosk_id)
        received, kiosk_time = (_aware(beat.received_at), _aware(beat.kiosk_time)) if beat else (None, None)
        out.append(KioskStatusPublic(
            kiosk_id=kiosk.kiosk_id,
            name=kiosk.name,
            state=kiosk_state(kiosk=kiosk, beat=beat, now=now, stale_intervals=stale_intervals),
            printer_problem=printer_problem(beat),
            last_seen=received,
            stale_after_s=int(stale_after(interval_s=beat.interval_s, stale_intervals=stale_intervals)
                              .total_seconds()) if beat else None,
            version=beat.version if beat else None,
            in_service=beat.in_service if beat else None,
            reader=beat.reader if beat else None,
            reader_error=beat.reader_error if beat else None,
            printer_online=beat.printer_online if beat else None,
            printer_paper=beat.printer_paper if beat else None,
            printer_error=beat.printer_error if beat else None,
            outbox_length=beat.outbox_length if beat else None,
            clock_skew_s=round((kiosk_time - received).total_seconds(), 1) if received and kiosk_time else None,
            last_error=beat.last_error if beat else None,
            last_error_at=_aware(beat.last_error_at) if beat else None,
            recent_errors=errors.get(kiosk.kiosk_id, []),
        ))
    return out


def record_staff_action(*, session: Session, kiosk_id: str, action: StaffActionCreate, now: datetime) -> AuditEntry:
    """Audit a staff action reported by a kiosk: actor kiosk_staff/<staff id>, the signing kiosk in detail.

    The staff id is the kiosk's word (it checked the PIN offline), hence its own actor type.
    """
    detail = {**action.detail, "kiosk_id": kiosk_id, "kiosk_time": action.at.isoformat()}
    entry = audit.record(session=session, at=now, actor_type="kiosk_staff", actor_id=action.staff_id,
                         action=f"maintenance.{action.action}", outcome=action.outcome, detail=detail)
    session.flush()
    return entry


def rotate_kiosk_secret(*, session: Session, kiosk_id: str) -> str:
    """Give a kiosk a new random secret (the old one is refused from the next request on); returns it."""
    kiosk = session.get(Kiosk, kiosk_id)
    if kiosk is None:
        raise ApiError("unknown_kiosk")
    kiosk.secret = secrets.token_urlsafe(32)
    session.flush()
    return kiosk.secret
