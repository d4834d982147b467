"""Writing statistics: one counter increment per kiosk outcome, and the ticket rollup retention runs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from server.clock import LIBRARY_TZ
from server.db import rowcount
from server.errors import ApiError
from server.stats.models import KioskOutcome, TicketHourlyStats
from server.stats.schemas import OutcomeCreate
from server.tickets.models import NO_SHOW, SERVED, Ticket
from server.tickets.queries import aware

# A kiosk's clock is within the signing window of the server's at send time (the signature is refused
# otherwise), so an outcome dated after tomorrow is a bug; one older than the statistics' retention
# would be deleted by the next retention run anyway. Both are refused. The reference is the real
# clock, not a pinned "today" (tests and demos pin the date, kiosks keep the real one).
NEWEST_DAYS = 1


def _upsert(session: Session) -> Callable[[Any], Any]:
    """The dialect's INSERT with ON CONFLICT (SQLite and PostgreSQL both have it)."""
    return (postgresql if session.get_bind().dialect.name == "postgresql" else sqlite).insert


def record_outcome(*, session: Session, kiosk_id: str, event: OutcomeCreate, now: datetime, keep_days: int) -> None:
    """Add one to the event's row: a single statement, so kiosks reporting at once never lose a count."""
    today = now.astimezone(LIBRARY_TZ).date()
    if not today - timedelta(days=keep_days) <= event.day <= today + timedelta(days=NEWEST_DAYS):
        raise ApiError("invalid_request")
    insert = _upsert(session)(KioskOutcome).values(
        day=event.day, hour=event.hour, kiosk_id=kiosk_id, service=event.service, outcome=event.outcome,
        reason=event.reason or "", count=1)
    session.execute(insert.on_conflict_do_update(
        index_elements=["day", "hour", "kiosk_id", "service", "outcome", "reason"],
        set_={"count": KioskOutcome.count + 1}))


class TicketTimes(Protocol):
    """What ticket_hours reads of a ticket: a Ticket, or a row of these columns."""

    day: date
    service: str
    status: str
    issued_at: datetime
    called_at: datetime | None


def ticket_hours(tickets: Iterable[TicketTimes]) -> dict[tuple[date, int, str], dict[str, int]]:
    """Tickets summed per (library day, hour of issue, service): issued, served, no_show, called, wait_seconds."""
    sums: dict[tuple[date, int, str], dict[str, int]] = defaultdict(
        lambda: {"issued": 0, "served": 0, "no_show": 0, "called": 0, "wait_seconds": 0})
    for ticket in tickets:
        issued = aware(ticket.issued_at)
        row = sums[(ticket.day, issued.astimezone(LIBRARY_TZ).hour, ticket.service)]
        row["issued"] += 1
        row["served"] += ticket.status == SERVED
        row["no_show"] += ticket.status == NO_SHOW
        if ticket.called_at is not None:
            row["called"] += 1
            row["wait_seconds"] += max(0, round((aware(ticket.called_at) - issued).total_seconds()))
    return sums


def roll_up_tickets(*, session: Session, before: date) -> int:
    """Sum the tickets of days before `before` into ticket_hourly_stats (retention calls this, then deletes
    them); returns the rows written."""
    tickets = session.execute(select(Ticket.day, Ticket.service, Ticket.status, Ticket.issued_at,
                                     Ticket.called_at).where(Ticket.day < before))
    sums = ticket_hours(tickets)
    for (day, hour, service), counts in sums.items():
        row = session.get(TicketHourlyStats, (day, hour, service))
        if row is None:
            session.add(TicketHourlyStats(day=day, hour=hour, service=service, **counts))
        else:
            for field, value in counts.items():
                setattr(row, field, getattr(row, field) + value)
    session.flush()
    return len(sums)


def prune(*, session: Session, before: date) -> int:
    """Delete statistics of days before `before` (retention_statistics_days); returns rows deleted."""
    deleted = rowcount(session.execute(delete(KioskOutcome).where(KioskOutcome.day < before)))
    return deleted + rowcount(session.execute(delete(TicketHourlyStats).where(TicketHourlyStats.day < before)))
