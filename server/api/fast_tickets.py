"""POST /v1/tickets answered as plain ASGI, ahead of FastAPI's router and dependency solving.

The kiosks' hot path. Profiled in process, FastAPI spent more CPU finding the route and solving its
dependencies than the ticket's own work (docs/performance.md); this answers the one route with the
same steps, in the order FastAPI runs them: the body parsed as JSON, the signature
(deps.authenticated_kiosk), the Idempotency-Key (deps.idempotency_key), the body's fields
(TicketCreate; invalid: RequestValidationError), then routes.tickets.issue. It sits inside BodyGuard
and the version gate, so both still apply, and its errors go to the app's own exception handlers, so
every answer is the one the route would give. Anything else (another method, a trailing slash) goes
on to the router unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from server.api.deps import authenticated_kiosk, idempotency_key
from server.api.routes.tickets import issue
from server.tickets.schemas import TicketCreate

PATH = "/v1/tickets"


class TicketIssueFastPath:
    """ASGI middleware answering POST /v1/tickets itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """ASGI entry point."""
        if scope["type"] != "http" or scope["path"] != PATH or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        try:
            response = await _issue(request)
        except Exception as error:
            handler = _handler_for(scope["app"], error)
            if handler is None:
                raise
            response = await handler(request, error)
        await response(scope, receive, send)


async def _issue(request: Request) -> Response:
    state = request.app.state.server
    raw = await request.body()
    parsed = None
    if raw:  # as FastAPI: a body that is not JSON is refused first, before the dependencies run
        try:
            parsed = json.loads(raw)
        except ValueError:
            raise RequestValidationError([{"type": "json_invalid", "loc": ("body",), "msg": "JSON decode error"}]
                                         ) from None
    kiosk = await authenticated_kiosk(request, state)
    key = await idempotency_key(request.headers.get("idempotency-key"))
    try:  # and the body's fields after them
        if parsed is None:
            raise RequestValidationError([{"type": "missing", "loc": ("body",), "msg": "Field required"}])
        body = TicketCreate.model_validate(parsed)
    except ValidationError as error:
        raise RequestValidationError(error.errors()) from None
    return await issue(body=body, kiosk=kiosk, key=key, state=state, request=request)


def _handler_for(app: Starlette, error: Exception) -> Callable[..., Any] | None:
    """The app's exception handler for this error, looked up by class as Starlette does."""
    handlers = app.exception_handlers
    for cls in type(error).__mro__:
        if cls in handlers:
            return handlers[cls]
    return None
