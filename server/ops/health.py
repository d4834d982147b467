"""GET /health: the process answers and its database is reachable (no authentication).

GET /health/clock gives the server's time and the signing window, so a kiosk can check its clock.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import text

from server.api.deps import SessionDep, StateDep
from server.ils.schemas import PatronSourcePublic


class HealthPublic(BaseModel):
    """Liveness and database reachability."""

    status: Literal["ok"]
    database: Literal["ok"]
    # Card lookups: the database, or the ILS over SIP2 with its last success and error (this process).
    patron_source: PatronSourcePublic | None = None


router = APIRouter(tags=["health"])


@router.get("/health", response_model=HealthPublic)
def health(session: SessionDep, state: StateDep) -> HealthPublic:
    """Liveness and database check, and the patron source's state (an unreachable ILS is not a dead server)."""
    session.execute(text("SELECT 1"))
    return HealthPublic(status="ok", database="ok", patron_source=PatronSourcePublic.of(state.patrons.status()))


class ClockPublic(BaseModel):
    """The server's clock, for the kiosk's skew check."""

    time: datetime  # the server's time now (UTC)
    auth_window_s: int  # signed requests whose timestamp is further off are refused (stale_request)


@router.get("/health/clock", response_model=ClockPublic)
def clock(state: StateDep) -> ClockPublic:
    """The server's time and the signing window (no database access, no authentication)."""
    return ClockPublic(time=state.clock.now(), auth_window_s=state.settings.auth_window_seconds)
