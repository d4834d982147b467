"""Public live views (no authentication, no personal data): the lobby board and a ticket's status.

Each view is a JSON snapshot and a Server-Sent Events stream of the same snapshot. A stream
re-reads its snapshot from the database whenever this process's EventBroker sees a new event
(PostgreSQL NOTIFY or the SQLite poll, server/tickets/events.py), and every few seconds anyway
so the closed notice appears at closing time. Streams end after STREAM_SECONDS and the browser
reconnects (EventSource does so by itself), so a server shutdown never waits long for them.
The streams are left out of the OpenAPI document: they are text/event-stream, not the JSON API.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from server.api.deps import StateDep
from server.api.schemas import ERROR_RESPONSES
from server.errors import ApiError
from server.state import AppState
from server.tickets import queries
from server.tickets.callout import with_call_audio
from server.tickets.catalog import Catalog
from server.tickets.events import EventBroker
from server.tickets.hours import OpeningHours
from server.tickets.reads import read_sessions

router = APIRouter(tags=["lobby"], responses=ERROR_RESPONSES)
# Tokens are URL-safe base64; anything else cannot be one (and never reaches the database).
TokenPath = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]

STREAM_SECONDS = 25.0
RECHECK_SECONDS = 5.0
# A burst of events (several kiosks at once) costs one snapshot, not one each.
COALESCE_SECONDS = 0.05


def broker_for(request: Request) -> EventBroker:
    """This process's event broker, started on first use."""
    broker = getattr(request.app.state, "ticket_events", None)
    if broker is None:
        broker = EventBroker(request.app.state.server.engine)
        request.app.state.ticket_events = broker
    broker.ensure_started()
    return broker


def event_stream(request: Request, *, event: str, snapshot: Callable[[], dict | None]) -> StreamingResponse:
    """SSE: the snapshot now, then again each time it changes."""
    broker = broker_for(request)

    async def stream() -> AsyncIterator[str]:
        yield "retry: 500\n\n"
        sent = None
        deadline = time.monotonic() + STREAM_SECONDS
        while time.monotonic() < deadline and not await request.is_disconnected():
            seen = broker.version
            text = json.dumps(await run_in_threadpool(snapshot), ensure_ascii=False, separators=(",", ":"))
            if text != sent:
                yield f"event: {event}\nid: {seen}\ndata: {text}\n\n"
                sent = text
            else:
                yield ": unchanged\n\n"
            await broker.wait_for_change(seen, timeout=min(RECHECK_SECONDS, max(0.0, deadline - time.monotonic())))
            await asyncio.sleep(COALESCE_SECONDS)

    return StreamingResponse(stream(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def _board(state: AppState) -> dict:
    with read_sessions(state)() as session:
        board = queries.lobby_board(session=session, catalog=Catalog.from_settings(state.settings),
                                    hours=OpeningHours.from_settings(state.settings),
                                    now=state.clock.now(), today=state.clock.today())
    return with_call_audio(board, place_ja=state.settings.callout_place_ja, place_en=state.settings.callout_place_en)


def _status(state: AppState, token: str) -> dict | None:
    with read_sessions(state)() as session:
        view = queries.ticket_status(session=session, catalog=Catalog.from_settings(state.settings), token=token,
                                     now=state.clock.now(), today=state.clock.today())
    # Where the counter windows are, for the page's "go to" when the ticket is called.
    return view and {**view, "place_ja": state.settings.callout_place_ja, "place_en": state.settings.callout_place_en}


@router.get("/v1/lobby")
def lobby_board(state: StateDep) -> dict:
    """Numbers being called and where, the last few calls, waiting counts, open or closed."""
    return _board(state)


@router.get("/v1/lobby/events", include_in_schema=False)
async def lobby_events(request: Request, state: StateDep) -> StreamingResponse:
    """The lobby board as Server-Sent Events (event "board")."""
    return event_stream(request, event="board", snapshot=lambda: _board(state))


@router.get("/v1/tickets/status/{token}")
def ticket_status(token: TokenPath, state: StateDep) -> dict:
    """A ticket's number, state, position and estimated wait (the QR target's data)."""
    view = _status(state, token)
    if view is None:
        raise ApiError("unknown_ticket")
    return view


@router.get("/v1/tickets/status/{token}/events", include_in_schema=False)
async def ticket_status_events(token: TokenPath, request: Request, state: StateDep) -> StreamingResponse:
    """A ticket's status as Server-Sent Events (event "status")."""
    if await run_in_threadpool(_status, state, token) is None:
        raise ApiError("unknown_ticket")
    return event_stream(request, event="status", snapshot=lambda: _status(state, token))


@router.get("/v1/events", include_in_schema=False)
async def change_events(request: Request) -> StreamingResponse:
    """Only "something changed" (event "change", the latest event id): the console then re-reads."""
    broker = broker_for(request)
    return event_stream(request, event="change", snapshot=lambda: {"version": broker.version})
