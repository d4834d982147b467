"""Counter console API (staff bearer token): queues, call next, recall, served / no-show / cancel, alerts.

Every change is audited with the staff member (server/tickets/service.py, alerts.py).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.api.deps import SessionDep, StaffDep, StateDep
from server.api.schemas import ERROR_RESPONSES
from server.auth.models import StaffMember
from server.state import AppState
from server.tickets import alerts, queries, service
from server.tickets.catalog import Catalog
from server.tickets.hours import OpeningHours
from server.tickets.models import CANCELLED, NO_SHOW, SERVED, Ticket
from server.tickets.router import TicketIdPath, alert_public
from server.tickets.schemas import (
    AlertPublic,
    CallCreate,
    ConsoleConfigPublic,
    CounterTicketPublic,
    OverviewPublic,
    RecallCreate,
)

router = APIRouter(prefix="/v1/counter", tags=["counter"], responses=ERROR_RESPONSES)
# Database integers are 32-bit on PostgreSQL.
AlertIdPath = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.get("/config", response_model=ConsoleConfigPublic)
def console_config(staff: StaffDep, state: StateDep) -> ConsoleConfigPublic:
    """Services, counters, and whether migrations wait for staff here."""
    catalog = Catalog.from_settings(state.settings)
    return ConsoleConfigPublic(
        services=[s.model_dump() for s in catalog.services], counters=[c.model_dump() for c in catalog.counters],
        migration_policy=state.settings.migration_policy, staff_id=staff.staff_id, staff_name=staff.name,
    )


@router.get("/overview", response_model=OverviewPublic)
def overview(staff: StaffDep, session: SessionDep, state: StateDep) -> OverviewPublic:
    """Queue lengths, estimated waits, each counter's current ticket, open kiosk alerts."""
    return queries.overview(session=session, catalog=Catalog.from_settings(state.settings),
                            hours=OpeningHours.from_settings(state.settings),
                            now=state.clock.now(), today=state.clock.today())


@router.get("/tickets", response_model=list[CounterTicketPublic])
def todays_tickets(
    staff: StaffDep,
    session: SessionDep,
    state: StateDep,
    status: Annotated[Literal["waiting", "called", "served", "no_show", "cancelled"] | None, Query()] = None,
) -> list[CounterTicketPublic]:
    """Today's tickets in number order, optionally of one state."""
    query = select(Ticket).where(Ticket.day == state.clock.today()).order_by(Ticket.service, Ticket.seq)
    if status is not None:
        query = query.where(Ticket.status == status)
    return [queries.counter_ticket_public(t) for t in session.scalars(query)]


@router.post("/calls", response_model=CounterTicketPublic)
def call_next(body: CallCreate, staff: StaffDep, session: SessionDep, state: StateDep) -> CounterTicketPublic:
    """Call the next waiting ticket of a service to a counter (409 queue_empty when nobody waits)."""
    ticket = service.call_next(
        session=session, catalog=Catalog.from_settings(state.settings), service_id=body.service,
        counter_id=body.counter, staff_id=staff.staff_id, now=state.clock.now(), today=state.clock.today(),
    )
    session.commit()
    return queries.counter_ticket_public(ticket)


@router.post("/tickets/{ticket_id}/recall", response_model=CounterTicketPublic)
def recall(
    ticket_id: TicketIdPath, body: RecallCreate, staff: StaffDep, session: SessionDep, state: StateDep
) -> CounterTicketPublic:
    """Call a ticket again (the lobby display shows it again)."""
    ticket = service.recall(session=session, catalog=Catalog.from_settings(state.settings), ticket_id=ticket_id,
                            counter_id=body.counter, staff_id=staff.staff_id, now=state.clock.now())
    session.commit()
    return queries.counter_ticket_public(ticket)


def _finish(
    ticket_id: str, outcome: str, staff: StaffMember, session: Session, state: AppState
) -> CounterTicketPublic:
    ticket = service.finish(session=session, ticket_id=ticket_id, outcome=outcome, staff_id=staff.staff_id,
                            now=state.clock.now())
    session.commit()
    return queries.counter_ticket_public(ticket)


@router.post("/tickets/{ticket_id}/served", response_model=CounterTicketPublic)
def served(ticket_id: TicketIdPath, staff: StaffDep, session: SessionDep, state: StateDep) -> CounterTicketPublic:
    """The patron was served."""
    return _finish(ticket_id, SERVED, staff, session, state)


@router.post("/tickets/{ticket_id}/no-show", response_model=CounterTicketPublic)
def no_show(ticket_id: TicketIdPath, staff: StaffDep, session: SessionDep, state: StateDep) -> CounterTicketPublic:
    """The patron did not come when called."""
    return _finish(ticket_id, NO_SHOW, staff, session, state)


@router.post("/tickets/{ticket_id}/cancel", response_model=CounterTicketPublic)
def cancel(ticket_id: TicketIdPath, staff: StaffDep, session: SessionDep, state: StateDep) -> CounterTicketPublic:
    """The ticket is withdrawn (waiting or called)."""
    return _finish(ticket_id, CANCELLED, staff, session, state)


@router.get("/alerts", response_model=list[AlertPublic])
def list_alerts(staff: StaffDep, session: SessionDep) -> list[AlertPublic]:
    """Open kiosk alerts, then the last few acknowledged."""
    return [alert_public(a) for a in alerts.list_alerts(session=session)]


@router.post("/alerts/{alert_id}/acknowledge", response_model=AlertPublic)
def acknowledge_alert(alert_id: AlertIdPath, staff: StaffDep, session: SessionDep, state: StateDep) -> AlertPublic:
    """Take a kiosk alert."""
    alert = alerts.acknowledge(session=session, alert_id=alert_id, staff_id=staff.staff_id, now=state.clock.now())
    session.commit()
    return alert_public(alert)
