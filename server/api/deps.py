"""Dependencies, so route signatures read like prose: SessionDep, KioskDep, StaffDep, AdminDep, ..."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from server.auth.kiosk import (
    AuthenticatedKiosk,
    KioskKey,
    SignedRequest,
    check_signature,
    record_nonce,
    signed_headers,
)
from server.auth.models import StaffMember
from server.auth.staff import staff_for_token
from server.clock import Clock
from server.errors import ApiError
from server.state import AppState

# Dependencies that never block are `async def`: FastAPI runs a plain `def` one on a worker thread,
# and each of those hops costs more than the dependency itself.


async def get_state(request: Request) -> AppState:
    """The process's AppState."""
    return request.app.state.server


StateDep = Annotated[AppState, Depends(get_state)]


def get_session(state: StateDep) -> Iterator[Session]:
    """A session per request; routes commit, anything else is rolled back on close."""
    with state.sessions() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]


async def get_clock(state: StateDep) -> Clock:
    """The clock (tests pin the library's today through settings)."""
    return state.clock


ClockDep = Annotated[Clock, Depends(get_clock)]


async def authenticated_kiosk(request: Request, state: StateDep) -> SignedRequest:
    """The kiosk that signed this request (HMAC, window), else 401; its nonce is not recorded yet.
    Routes take KioskDep (nonce recorded before the route runs) or, for a state change run by
    run_idempotent, SignedKioskDep (recorded in the change's own transaction)."""
    body = await request.body()
    raw_path = request.scope.get("raw_path") or request.url.path.encode()
    query = request.scope.get("query_string", b"")
    path_with_query = raw_path.decode("latin-1") + ("?" + query.decode("latin-1") if query else "")
    headers = {k.lower(): v for k, v in request.headers.items()}
    signed = signed_headers(headers=headers, now=state.clock.now(), window_seconds=state.settings.auth_window_seconds)

    def check(key: KioskKey | None) -> SignedRequest:
        return check_signature(signed=signed, key=key, method=request.method, path_with_query=path_with_query,
                               body=body)

    cached = state.kiosk_keys.cached(signed.kiosk_id)
    if cached is not None:
        try:
            return check(cached)
        except ApiError:
            pass  # perhaps a secret rotated since: ask the database
    return check(await run_in_threadpool(state.kiosk_keys.load, signed.kiosk_id))


SignedKioskDep = Annotated[SignedRequest, Depends(authenticated_kiosk)]


def kiosk_nonce_recorded(signed: SignedKioskDep, state: StateDep) -> AuthenticatedKiosk:
    """The authenticated kiosk, its nonce recorded in a committed transaction of its own (a replay: 401)."""
    with state.write_gate.enter(), state.sessions() as session, session.begin():
        record_nonce(session=session, request=signed, now=state.clock.now(),
                     window_seconds=state.settings.auth_window_seconds)
    return AuthenticatedKiosk(kiosk_id=signed.kiosk_id)


KioskDep = Annotated[AuthenticatedKiosk, Depends(kiosk_nonce_recorded)]


async def idempotency_key(
    key: Annotated[str | None, Header(alias="Idempotency-Key", description="Unique per state change")] = None,
) -> str:
    """The request's idempotency key (1-128 printable characters), required on state changes."""
    if key is None or not 1 <= len(key) <= 128 or not key.isprintable():
        raise ApiError("idempotency_key_required")
    return key


IdempotencyKeyDep = Annotated[str, Depends(idempotency_key)]

_bearer = HTTPBearer(auto_error=False)


def current_staff(
    state: StateDep,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> StaffMember:
    """The logged-in staff member (bearer token from POST /v1/staff/sessions), else 401."""
    if credentials is None:
        raise ApiError("unauthenticated")
    return staff_for_token(session=session, token=credentials.credentials, now=state.clock.now())


StaffDep = Annotated[StaffMember, Depends(current_staff)]


async def bearer_token(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> str:
    """The raw bearer token (for log out); routes take it beside StaffDep, which checks it."""
    if credentials is None:
        raise ApiError("unauthenticated")
    return credentials.credentials


BearerTokenDep = Annotated[str, Depends(bearer_token)]


async def current_admin(staff: StaffDep) -> StaffMember:
    """A logged-in administrator, else 403."""
    if staff.role != "admin":
        raise ApiError("forbidden")
    return staff


AdminDep = Annotated[StaffMember, Depends(current_admin)]
