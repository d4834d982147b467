"""POST /v1/kiosk/enroll: a kiosk redeems a one-time code for its id and secret (no signature: it has none yet).

Unauthenticated, so it is rate limited per client address in the database (never over all clients:
that would let anyone lock new kiosks out; `admin enroll-unlock` clears an address). Behind a reverse proxy the
address is the proxy's X-Forwarded-For, which uvicorn trusts only from FORWARDED_ALLOW_IPS.
"""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from server.api.deps import StateDep
from server.api.schemas import ERROR_RESPONSES, ErrorPublic
from server.fleet.enroll import Enrolled, RateLimit, redeem_code
from server.fleet.schemas import EnrollCreate, EnrollPublic

router = APIRouter(prefix="/v1", tags=["enrollment"],
                   responses={**ERROR_RESPONSES, 429: {"model": ErrorPublic}})


@router.post("/kiosk/enroll", response_model=EnrollPublic)
async def enroll(body: EnrollCreate, request: Request, state: StateDep) -> EnrollPublic:
    """Redeem a one-time enrollment code (kiosk-enroll-code) for this kiosk's id and a new secret."""
    settings = state.settings
    limit = RateLimit(per_client=settings.enroll_max_failures_per_client,
                      window=timedelta(minutes=settings.enroll_window_minutes))
    client = request.client.host if request.client else "unknown"
    now = state.clock.now()

    def redeem() -> Enrolled:
        with state.sessions() as session:
            return redeem_code(session=session, code=body.code, client=client, now=now, limit=limit)

    enrolled = await run_in_threadpool(redeem)
    return EnrollPublic(kiosk_id=enrolled.kiosk_id, secret=enrolled.secret, server_time=now)
