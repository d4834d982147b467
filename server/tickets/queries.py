"""Read models: a ticket's position and wait, the console overview, the lobby board, the status page.

Nothing here returns anything about a patron: tickets hold numbers and times only.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import bindparam, distinct, func, select
from sqlalchemy.orm import Session

from server.clock import LIBRARY_TZ
from server.db import table_of
from server.tickets.catalog import Catalog
from server.tickets.hours import OpeningHours, OpeningState
from server.tickets.models import CALLED, SERVED, WAITING, KioskAlert, Ticket
from server.tickets.schemas import CounterPublic, CounterTicketPublic, OverviewPublic, QueuePublic
from server.tickets.wait import ACTIVE_WINDOW, RECENT, estimate_wait_minutes

# How many past calls the lobby lists under the current ones.
RECENT_CALLS = 8


def aware(value: datetime) -> datetime:
    """SQLite returns naive datetimes for timezone-aware columns; they were stored as UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def local_iso(value: datetime | None) -> str | None:
    """An aware ISO 8601 string on the library's clock (+09:00)."""
    return aware(value).astimezone(LIBRARY_TZ).isoformat() if value else None


# Built once: these run for every ticket issued (its answer says how many are ahead and how long).
_TICKETS = table_of(Ticket)
_OF_SERVICE = (_TICKETS.c.day == bindparam("day")) & (_TICKETS.c.service == bindparam("service"))
_AHEAD = select(func.count()).where(_OF_SERVICE, _TICKETS.c.status == WAITING, _TICKETS.c.seq < bindparam("seq"))
_WAITING = select(func.count()).where(_OF_SERVICE, _TICKETS.c.status == WAITING)
_RECENT_SERVICE_TIMES = (
    select(_TICKETS.c.called_at, _TICKETS.c.finished_at)
    .where(_OF_SERVICE, _TICKETS.c.status == SERVED, _TICKETS.c.called_at.is_not(None),
           _TICKETS.c.finished_at.is_not(None))
    .order_by(_TICKETS.c.finished_at.desc())
    .limit(RECENT)
)
_COUNTERS_SERVING = select(func.count(distinct(_TICKETS.c.counter_id))).where(
    _OF_SERVICE, _TICKETS.c.last_called_at >= bindparam("since", type_=_TICKETS.c.last_called_at.type))


def people_ahead(*, session: Session, ticket: Ticket) -> int:
    """Waiting tickets of the same service and day issued before this one (0 once called)."""
    if ticket.status != WAITING:
        return 0
    return waiting_before(session=session, service=ticket.service, day=ticket.day, seq=ticket.seq)


def waiting_before(*, session: Session, service: str, day: date, seq: int) -> int:
    """Waiting tickets of a service and day numbered before `seq`."""
    return session.connection().execute(_AHEAD, {"day": day, "service": service, "seq": seq}).scalar_one() or 0


def waiting_count(*, session: Session, service: str, day: date) -> int:
    """Tickets of a service still waiting on a day."""
    return session.connection().execute(_WAITING, {"day": day, "service": service}).scalar_one() or 0


def wait_basis(*, session: Session, service: str, day: date, now: datetime) -> tuple[list[float], int]:
    """What wait.py estimates from: today's recent service times in minutes (empty: none served yet)
    and the counters serving (only read when there are service times)."""
    connection = session.connection()
    rows = connection.execute(_RECENT_SERVICE_TIMES, {"day": day, "service": service}).all()
    minutes = [(aware(done) - aware(called)).total_seconds() / 60 for called, done in rows]
    if not minutes:
        return minutes, 0
    serving = connection.execute(
        _COUNTERS_SERVING, {"day": day, "service": service, "since": now - ACTIVE_WINDOW}).scalar_one() or 0
    return minutes, serving


def wait_minutes(*, session: Session, service: str, day: date, ahead: int, now: datetime) -> int | None:
    """The estimate of wait.py from today's recent service times and the counters serving."""
    if ahead <= 0:
        return 0
    minutes, serving = wait_basis(session=session, service=service, day=day, now=now)
    return estimate_wait_minutes(people_ahead=ahead, service_minutes=minutes, counters_serving=serving)


def counter_ticket_public(ticket: Ticket) -> CounterTicketPublic:
    """A ticket as staff see it."""
    return CounterTicketPublic(
        ticket_id=ticket.ticket_id, number=ticket.number, service=ticket.service, status=ticket.status,  # type: ignore[arg-type]  # a str column; pydantic checks it
        day=ticket.day, issued_at=aware(ticket.issued_at),
        called_at=aware(ticket.called_at) if ticket.called_at else None, counter=ticket.counter_id,
        call_count=ticket.call_count, finished_at=aware(ticket.finished_at) if ticket.finished_at else None,
        reason=ticket.reason, reference=ticket.reference,
    )


def _opening_fields(opening: OpeningState) -> dict:
    return {
        "open": opening.open,
        "opens_at": opening.opens_at.isoformat() if opening.opens_at else None,
        "closes_at": opening.closes_at.isoformat() if opening.closes_at else None,
    }


def overview(
    *, session: Session, catalog: Catalog, hours: OpeningHours, now: datetime, today: date
) -> OverviewPublic:
    """Queue lengths, each counter's current ticket, and the number of open kiosk alerts."""
    opening = hours.state(now=now, today=today)
    queues = []
    for service in catalog.services:
        waiting = session.scalars(
            select(Ticket).where(Ticket.day == today, Ticket.service == service.id, Ticket.status == WAITING)
            .order_by(Ticket.seq).limit(1)
        ).first()
        count = waiting_count(session=session, service=service.id, day=today)
        counts = dict(session.execute(
            select(Ticket.status, func.count()).where(Ticket.day == today, Ticket.service == service.id)
            .group_by(Ticket.status)
        ).all())
        queues.append(QueuePublic(
            service=service.id, prefix=service.prefix, name_ja=service.name_ja, name_en=service.name_en,
            waiting=count, next_number=waiting.number if waiting else None,
            wait_minutes=wait_minutes(session=session, service=service.id, day=today, ahead=count, now=now),
            served_today=counts.get(SERVED, 0), issued_today=sum(counts.values()),
        ))
    counters = []
    for counter in catalog.counters:
        current = session.scalars(
            select(Ticket).where(Ticket.counter_id == counter.id, Ticket.status == CALLED)
            .order_by(Ticket.last_called_at.desc()).limit(1)
        ).first()
        counters.append(CounterPublic(id=counter.id, name_ja=counter.name_ja, name_en=counter.name_en,
                                      current=counter_ticket_public(current) if current else None))
    alerts = session.scalar(select(func.count()).where(KioskAlert.acknowledged_at.is_(None))) or 0
    return OverviewPublic(day=today, open=opening.open, opens_at=opening.opens_at, closes_at=opening.closes_at,
                          queues=queues, counters=counters, open_alerts=alerts)


def _call_entry(catalog: Catalog, ticket: Ticket) -> dict:
    service = catalog.service(ticket.service)
    counter = catalog.counter_or_none(ticket.counter_id)
    return {
        "number": ticket.number,
        "service": ticket.service,
        "service_ja": service.name_ja,
        "service_en": service.name_en,
        "counter": ticket.counter_id,
        "counter_ja": counter.name_ja if counter else ticket.counter_id,
        "counter_en": counter.name_en if counter else ticket.counter_id,
        "called_at": local_iso(ticket.last_called_at),
        "call_count": ticket.call_count,
    }


def lobby_board(*, session: Session, catalog: Catalog, hours: OpeningHours, now: datetime, today: date) -> dict:
    """What the lobby display shows: numbers being called and where, the last few calls, the queues."""
    called = session.scalars(
        select(Ticket).where(Ticket.day == today, Ticket.last_called_at.is_not(None))
        .order_by(Ticket.last_called_at.desc(), Ticket.id.desc()).limit(RECENT_CALLS + len(catalog.counters))
    ).all()
    calling = [_call_entry(catalog, t) for t in called if t.status == CALLED]
    recent = [_call_entry(catalog, t) for t in called if t.status != CALLED][:RECENT_CALLS]
    waiting = []
    for service in catalog.services:
        count = waiting_count(session=session, service=service.id, day=today)
        waiting.append({
            "service": service.id, "prefix": service.prefix, "name_ja": service.name_ja, "name_en": service.name_en,
            "waiting": count,
            "wait_minutes": wait_minutes(session=session, service=service.id, day=today, ahead=count, now=now),
        })
    return {"day": today.isoformat(), **_opening_fields(hours.state(now=now, today=today)),
            "calling": calling, "recent": recent, "waiting": waiting}


def ticket_status(*, session: Session, catalog: Catalog, token: str, now: datetime, today: date) -> dict | None:
    """The status page's view of one ticket (by its URL token), or None for an unknown token."""
    ticket = session.scalar(select(Ticket).where(Ticket.status_token == token))
    if ticket is None:
        return None
    service = catalog.service(ticket.service)
    counter = catalog.counter_or_none(ticket.counter_id)
    ahead = people_ahead(session=session, ticket=ticket)
    last_called = session.scalar(
        select(Ticket.number).where(Ticket.day == ticket.day, Ticket.service == ticket.service,
                                    Ticket.last_called_at.is_not(None))
        .order_by(Ticket.last_called_at.desc(), Ticket.id.desc()).limit(1)
    )
    return {
        "number": ticket.number,
        "service": ticket.service,
        "service_ja": service.name_ja,
        "service_en": service.name_en,
        "status": ticket.status,
        "day": ticket.day.isoformat(),
        "is_today": ticket.day == today,
        "issued_at": local_iso(ticket.issued_at),
        "people_ahead": ahead,
        "wait_minutes": (wait_minutes(session=session, service=ticket.service, day=ticket.day, ahead=ahead, now=now)
                         if ticket.status == WAITING else None),
        "counter": ticket.counter_id,
        "counter_ja": counter.name_ja if counter else None,
        "counter_en": counter.name_en if counter else None,
        "called_at": local_iso(ticket.last_called_at),
        "now_calling": last_called,
    }
