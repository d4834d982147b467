"""Kiosk side of the queue tickets: the services, issuing a ticket, print bookkeeping, "call staff"."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from server.api.deps import IdempotencyKeyDep, KioskDep, SessionDep, SignedKioskDep, StateDep
from server.api.idempotency import request_fingerprint
from server.api.idempotent import run_idempotent
from server.api.schemas import ERROR_RESPONSES
from server.tickets import alerts, queries, service
from server.tickets.catalog import Catalog
from server.tickets.hours import OpeningHours
from server.tickets.models import KioskAlert
from server.tickets.schemas import (
    AlertCreate,
    AlertPublic,
    PrintedPublic,
    ServicePublic,
    ServicesPublic,
    TicketCreate,
    TicketPrintedCreate,
    TicketPublic,
)
from server.tickets.service import TicketOrder
from server.tickets.writer import TicketRequest

router = APIRouter(prefix="/v1", tags=["tickets"], responses=ERROR_RESPONSES)
# Ticket ids are hex; the pattern keeps odd bytes (NUL) away from the database.
TicketIdPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


@router.get("/tickets/services", response_model=ServicesPublic)
def list_services(kiosk: KioskDep, session: SessionDep, state: StateDep) -> ServicesPublic:
    """The services a ticket can be issued for, their queues, and whether the counter is open now."""
    now, today = state.clock.now(), state.clock.today()
    opening = OpeningHours.from_settings(state.settings).state(now=now, today=today)
    services = []
    for item in Catalog.from_settings(state.settings).services:
        waiting = queries.waiting_count(session=session, service=item.id, day=today)
        services.append(ServicePublic(
            service=item.id, prefix=item.prefix, name_ja=item.name_ja, name_en=item.name_en,
            open=opening.open, opens_at=opening.opens_at, waiting=waiting,
            wait_minutes=queries.wait_minutes(session=session, service=item.id, day=today, ahead=waiting, now=now),
        ))
    return ServicesPublic(open=opening.open, opens_at=opening.opens_at, closes_at=opening.closes_at,
                          services=services)


@router.post("/tickets", response_model=TicketPublic, status_code=201)
async def issue_ticket(
    body: TicketCreate, kiosk: SignedKioskDep, key: IdempotencyKeyDep, state: StateDep, request: Request
) -> JSONResponse:
    """Issue a ticket (one atomic step; a retry with the same Idempotency-Key returns the same ticket).
    Outside opening hours: 503 counter_closed with error.details.opens_at."""
    # The event loop only hands the request over: the process's ticket writer commits it with the
    # others asked for meanwhile (server/tickets/writer.py) and answers after the commit.
    base = state.settings.public_base_url.rstrip("/") or str(request.base_url).rstrip("/")
    order = TicketOrder(service_id=body.service, kiosk_id=kiosk.kiosk_id, reason=body.reason,
                        reference=body.reference)
    fingerprint = request_fingerprint(method="POST", path="/v1/tickets", body=body.model_dump_json().encode())
    status_code, answer = await state.ticket_writer.issue(
        TicketRequest(signed=kiosk, key=key, fingerprint=fingerprint, order=order, status_base=base))
    return JSONResponse(answer, status_code=status_code)


@router.post("/tickets/{ticket_id}/printed", response_model=PrintedPublic)
def ticket_printed(
    ticket_id: TicketIdPath, body: TicketPrintedCreate, kiosk: SignedKioskDep, key: IdempotencyKeyDep,
    state: StateDep,
) -> JSONResponse:
    """The kiosk printed (or reprinted) one of its own tickets (another kiosk's: 404 unknown_ticket); a retry
    with the same key counts once."""

    def action(session: Session) -> tuple[int, dict]:
        ticket = service.mark_printed(session=session, ticket_id=ticket_id, kiosk_id=kiosk.kiosk_id,
                                      reprint=body.reprint, now=state.clock.now())
        public = PrintedPublic(ticket_id=ticket.ticket_id, number=ticket.number, print_count=ticket.print_count,
                               printed_at=queries.aware(ticket.printed_at or state.clock.now()))
        return 200, public.model_dump(mode="json")

    return run_idempotent(
        state=state, kiosk=kiosk, key=key, action=action, audit_action="ticket.print",
        fingerprint=request_fingerprint(method="POST", path=f"/v1/tickets/{ticket_id}/printed",
                                        body=body.model_dump_json().encode()),
    )


@router.post("/alerts", response_model=AlertPublic, status_code=201)
def call_staff(body: AlertCreate, kiosk: SignedKioskDep, key: IdempotencyKeyDep, state: StateDep) -> JSONResponse:
    """A kiosk asks for a member of staff (shown on the counter console until acknowledged)."""

    def action(session: Session) -> tuple[int, dict]:
        alert = alerts.raise_alert(session=session, kiosk_id=kiosk.kiosk_id, reason=body.reason,
                                   ticket_number=body.ticket_number, now=state.clock.now())
        return 201, alert_public(alert).model_dump(mode="json")

    return run_idempotent(
        state=state, kiosk=kiosk, key=key, action=action, audit_action="alert.raise",
        fingerprint=request_fingerprint(method="POST", path="/v1/alerts", body=body.model_dump_json().encode()),
    )


def alert_public(alert: KioskAlert) -> AlertPublic:
    """The API shape of a kiosk alert."""
    return AlertPublic(
        id=alert.id, kiosk_id=alert.kiosk_id, reason=alert.reason, ticket_number=alert.ticket_number,
        created_at=queries.aware(alert.created_at),
        acknowledged_at=queries.aware(alert.acknowledged_at) if alert.acknowledged_at else None,
        acknowledged_by=alert.acknowledged_by,
    )
