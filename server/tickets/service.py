"""Ticket state changes: issue, printed, call next, recall, served / no-show / cancel.

waiting -> called (by a counter) -> served | no_show; waiting or called -> cancelled. Each change
is audited with its actor and published as an event (events.py) in the caller's transaction.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from server import audit
from server.db import rowcount, table_of
from server.errors import ApiError
from server.tickets.catalog import Catalog
from server.tickets.events import publish, publish_many
from server.tickets.hours import OpeningHours
from server.tickets.models import CALLED, CANCELLED, FINISHED, NO_SHOW, SERVED, WAITING, Ticket
from server.tickets.numbering import format_number, take_seqs

# What a new ticket row is inserted with (the rest stays NULL until it is called or printed).
TICKET_COLUMNS = ("ticket_id", "status_token", "service", "day", "seq", "number", "status", "kiosk_id", "reason",
                  "reference", "issued_at", "call_count", "print_count")
_INSERT_TICKETS = insert(table_of(Ticket)).returning(table_of(Ticket).c.ticket_id, table_of(Ticket).c.id)
# Another counter may take the same waiting ticket between our read and our update; try the next one.
_CALL_ATTEMPTS = 5


@dataclass(frozen=True)
class TicketOrder:
    """One ticket asked for by a kiosk (already authenticated)."""

    service_id: str
    kiosk_id: str
    reason: str | None = None
    reference: str | None = None


def issue_ticket(
    *,
    session: Session,
    catalog: Catalog,
    hours: OpeningHours,
    service_id: str,
    kiosk_id: str,
    now: datetime,
    today: date,
    reason: str | None = None,
    reference: str | None = None,
) -> Ticket:
    """Number and store a new waiting ticket; ApiError("counter_closed") with opens_at outside hours.
    The Ticket returned is not in the session (it was inserted directly): read it, do not change it."""
    order = TicketOrder(service_id=service_id, kiosk_id=kiosk_id, reason=reason, reference=reference)
    [outcome] = issue_tickets(session=session, catalog=catalog, hours=hours, orders=[order], now=now, today=today)
    if isinstance(outcome, ApiError):
        raise outcome
    return outcome


def issue_tickets(
    *, session: Session, catalog: Catalog, hours: OpeningHours, orders: list[TicketOrder], now: datetime, today: date
) -> list[Ticket | ApiError]:
    """Number and store several new waiting tickets in the caller's transaction: for each order, in order,
    its Ticket (not in the session: read it, do not change it) or the ApiError that refused it (unknown
    service; counter_closed with opens_at outside hours), which wrote nothing.

    Core statements, not the ORM's unit of work: this is the hot path of the kiosks (docs/performance.md).
    However many orders, it costs one numbering statement per service and one INSERT each for the tickets,
    their queue events and their audit rows. Services are numbered in name order, so two processes
    issuing at once lock the services' sequence rows in the same order and cannot deadlock."""
    opening = hours.state(now=now, today=today)
    outcomes: list[Ticket | ApiError | None] = [None] * len(orders)
    by_service: dict[str, list[int]] = {}
    for index, order in enumerate(orders):
        try:
            service = catalog.service(order.service_id)
        except ApiError as error:
            outcomes[index] = error
            continue
        if not opening.open:
            opens_at = opening.opens_at.isoformat() if opening.opens_at else None
            outcomes[index] = ApiError("counter_closed", details={"opens_at": opens_at})
            continue
        by_service.setdefault(service.id, []).append(index)
    tickets: list[Ticket] = []
    for service_id in sorted(by_service):
        indexes = by_service[service_id]
        prefix = catalog.service(service_id).prefix
        seqs = take_seqs(session=session, service=service_id, day=today, count=len(indexes))
        for index, seq in zip(indexes, seqs, strict=True):
            order = orders[index]
            ticket = Ticket(
                ticket_id=uuid.uuid4().hex, status_token=secrets.token_urlsafe(12), service=service_id, day=today,
                seq=seq, number=format_number(prefix=prefix, seq=seq), status=WAITING, kiosk_id=order.kiosk_id,
                reason=order.reason, reference=order.reference, issued_at=now, call_count=0, print_count=0,
            )
            outcomes[index] = ticket
            tickets.append(ticket)
    if tickets:
        connection = session.connection()
        rows = [{column: getattr(ticket, column) for column in TICKET_COLUMNS} for ticket in tickets]
        ids: dict[str, int] = dict(connection.execute(_INSERT_TICKETS, rows).tuples().all())
        for ticket in tickets:
            ticket.id = ids[ticket.ticket_id]
        publish_many(session=session, kind="ticket.issued", at=now,
                     details=[{"service": t.service, "number": t.number} for t in tickets])
        audit.append_many(session=session, rows=[
            {"at": now, "actor_type": "kiosk", "actor_id": t.kiosk_id, "action": "ticket.issue", "outcome": "ok",
             "card_number": None, "detail": {"number": t.number, "service": t.service, "day": today.isoformat()}}
            for t in tickets])
    return outcomes  # type: ignore[return-value]  # every slot is filled


def get_ticket(*, session: Session, ticket_id: str) -> Ticket:
    """A ticket by its API id, else ApiError("unknown_ticket")."""
    ticket = session.scalar(select(Ticket).where(Ticket.ticket_id == ticket_id))
    if ticket is None:
        raise ApiError("unknown_ticket")
    return ticket


def mark_printed(*, session: Session, ticket_id: str, kiosk_id: str, reprint: bool, now: datetime) -> Ticket:
    """Count one print (or reprint) of a ticket the calling kiosk issued. Another kiosk's ticket is answered
    as unknown, like one that does not exist: a kiosk cannot change, or learn of, another's tickets."""
    ticket = get_ticket(session=session, ticket_id=ticket_id)
    if ticket.kiosk_id != kiosk_id:
        raise ApiError("unknown_ticket")
    ticket.print_count += 1
    ticket.printed_at = now
    audit.record(
        session=session, at=now, actor_type="kiosk", actor_id=kiosk_id,
        action="ticket.reprint" if reprint else "ticket.print", outcome="ok",
        detail={"number": ticket.number, "service": ticket.service, "print_count": ticket.print_count},
    )
    return ticket


def call_next(
    *, session: Session, catalog: Catalog, service_id: str, counter_id: str, staff_id: str, now: datetime, today: date
) -> Ticket:
    """Call the oldest waiting ticket of a service to a counter; the counter's current ticket counts as served."""
    service = catalog.service(service_id)
    counter = catalog.counter(counter_id)
    for current in session.scalars(select(Ticket).where(Ticket.counter_id == counter.id, Ticket.status == CALLED)):
        _finish(session=session, ticket=current, outcome=SERVED, staff_id=staff_id, now=now, auto=True)
    for _ in range(_CALL_ATTEMPTS):
        candidate = session.scalar(
            select(Ticket)
            .where(Ticket.day == today, Ticket.service == service.id, Ticket.status == WAITING)
            .order_by(Ticket.seq)
            .limit(1)
        )
        if candidate is None:
            raise ApiError("queue_empty")
        # Compare-and-set: only one counter can move this ticket out of "waiting".
        taken = rowcount(session.execute(
            update(Ticket)
            .where(Ticket.id == candidate.id, Ticket.status == WAITING)
            .values(status=CALLED, called_at=now, last_called_at=now, counter_id=counter.id, called_by=staff_id,
                    call_count=Ticket.call_count + 1)
            .execution_options(synchronize_session=False)
        ))
        if taken == 1:
            session.refresh(candidate)
            _changed(session=session, ticket=candidate, kind="ticket.called", staff_id=staff_id, now=now)
            return candidate
        session.expire(candidate)
    raise ApiError("conflict")


def recall(
    *, session: Session, catalog: Catalog, ticket_id: str, staff_id: str, now: datetime, counter_id: str | None = None
) -> Ticket:
    """Call a called ticket again (the lobby shows it again), optionally to another counter."""
    ticket = get_ticket(session=session, ticket_id=ticket_id)
    if ticket.status != CALLED:
        raise ApiError("ticket_not_active" if ticket.status in FINISHED else "ticket_not_called")
    if counter_id is not None:
        ticket.counter_id = catalog.counter(counter_id).id
    ticket.last_called_at = now
    ticket.call_count += 1
    _changed(session=session, ticket=ticket, kind="ticket.recalled", staff_id=staff_id, now=now)
    return ticket


def finish(*, session: Session, ticket_id: str, outcome: str, staff_id: str, now: datetime) -> Ticket:
    """Mark a ticket served or no-show (it must have been called) or cancelled (waiting or called)."""
    ticket = get_ticket(session=session, ticket_id=ticket_id)
    if ticket.status in FINISHED:
        raise ApiError("ticket_not_active")
    if outcome in (SERVED, NO_SHOW) and ticket.status != CALLED:
        raise ApiError("ticket_not_called")
    if outcome not in (SERVED, NO_SHOW, CANCELLED):
        raise ValueError(f"not a final state: {outcome}")
    _finish(session=session, ticket=ticket, outcome=outcome, staff_id=staff_id, now=now)
    return ticket


def _finish(
    *, session: Session, ticket: Ticket, outcome: str, staff_id: str, now: datetime, auto: bool = False
) -> None:
    ticket.status = outcome
    ticket.finished_at = now
    ticket.finished_by = staff_id
    _changed(session=session, ticket=ticket, kind=f"ticket.{outcome}", staff_id=staff_id, now=now,
             extra={"auto": True} if auto else None)


def _changed(
    *, session: Session, ticket: Ticket, kind: str, staff_id: str, now: datetime, extra: dict | None = None
) -> None:
    """Publish and audit one staff change to a ticket."""
    detail = {"number": ticket.number, "service": ticket.service, "counter": ticket.counter_id, **(extra or {})}
    publish(session=session, kind=kind, at=now, detail=detail)
    audit.record(session=session, at=now, actor_type="staff", actor_id=staff_id, action=kind, outcome="ok",
                 detail=detail)
