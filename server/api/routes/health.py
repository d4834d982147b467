"""GET /health: the process answers and its database is reachable (no authentication)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from server.api.deps import SessionDep
from server.schemas import HealthPublic

router = APIRouter(tags=["health"])


@router.get("/health", response_model=HealthPublic)
def health(session: SessionDep) -> HealthPublic:
    """Liveness and database check."""
    session.execute(text("SELECT 1"))
    return HealthPublic(status="ok", database="ok")
