"""Bodies every route shares: the error answer, its documentation on each route, and the stored time."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


# A time read back from the database: SQLite returns it naive, though it was stored as UTC. Answered with
# its offset, as the API document's date-time (RFC 3339) requires.
StoredTime = Annotated[datetime, AfterValidator(_utc)]


class ErrorDetail(BaseModel):
    """A stable code and the patron-facing messages."""

    code: str
    message_ja: str
    message_en: str


class ErrorPublic(BaseModel):
    """Every error answer: {"error": {...}}."""

    error: ErrorDetail


# Documented on every route so clients (and schemathesis) know the error shape.
ERROR_RESPONSES: dict[int | str, dict] = {
    code: {"model": ErrorPublic} for code in (400, 401, 403, 404, 409, 413, 415, 422, 503)
}
