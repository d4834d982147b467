"""Kiosk "call staff" alerts: raised by a kiosk, listed and acknowledged on the counter console."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from server import audit
from server.errors import ApiError
from server.tickets.events import publish
from server.tickets.models import KioskAlert

# Alerts listed on the console besides the open ones (recently acknowledged, for context).
_RECENT_ACKNOWLEDGED = 5


def raise_alert(
    *, session: Session, kiosk_id: str, reason: str, now: datetime, ticket_number: str | None = None
) -> KioskAlert:
    """Record a kiosk's request for staff and wake the consoles."""
    alert = KioskAlert(kiosk_id=kiosk_id, reason=reason, ticket_number=ticket_number, created_at=now)
    session.add(alert)
    session.flush()
    publish(session=session, kind="alert.raised", at=now, detail={"alert": alert.id, "kiosk": kiosk_id})
    audit.record(session=session, at=now, actor_type="kiosk", actor_id=kiosk_id, action="alert.raise", outcome="ok",
                 detail={"alert": alert.id, "reason": reason})
    return alert


def list_alerts(*, session: Session) -> list[KioskAlert]:
    """Open alerts, oldest first, then the last few acknowledged ones."""
    open_alerts = session.scalars(
        select(KioskAlert).where(KioskAlert.acknowledged_at.is_(None)).order_by(KioskAlert.id)
    ).all()
    done = session.scalars(
        select(KioskAlert).where(KioskAlert.acknowledged_at.is_not(None))
        .order_by(KioskAlert.id.desc()).limit(_RECENT_ACKNOWLEDGED)
    ).all()
    return [*open_alerts, *done]


def acknowledge(*, session: Session, alert_id: int, staff_id: str, now: datetime) -> KioskAlert:
    """A member of staff takes the alert (acknowledging twice keeps the first)."""
    alert = session.get(KioskAlert, alert_id)
    if alert is None:
        raise ApiError("unknown_alert")
    if alert.acknowledged_at is None:
        alert.acknowledged_at, alert.acknowledged_by = now, staff_id
        publish(session=session, kind="alert.acknowledged", at=now, detail={"alert": alert.id})
        audit.record(session=session, at=now, actor_type="staff", actor_id=staff_id, action="alert.acknowledge",
                     outcome="ok", detail={"alert": alert.id, "kiosk": alert.kiosk_id})
    return alert
