"""Staff bodies: sign-in and its session, the sign-in lockouts, and the audit log as administrators read it."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from server.api.schemas import StoredTime

_STRICT = ConfigDict(extra="forbid")


class StaffLoginCreate(BaseModel):
    """Staff credentials."""

    model_config = _STRICT

    # Plain ASCII ids and digit PINs: nothing else can be a valid credential, and odd bytes
    # (NUL, for one) must not reach the database.
    staff_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._@-]+$")
    pin: str = Field(min_length=4, max_length=16, pattern=r"^[0-9]+$")


class StaffSessionPublic(BaseModel):
    """A bearer token for the staff endpoints."""

    token: str
    staff_id: str
    name: str
    role: str
    expires_at: datetime


class StaffLockoutPublic(BaseModel):
    """A sign-in lockout in force: a staff id ("account") or a client address ("client")."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    subject: str
    failures: int
    locked_at: datetime
    until: datetime

    @field_validator("locked_at", "until")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        """SQLite gives naive datetimes back; they were stored as UTC."""
        return value if value.tzinfo else value.replace(tzinfo=UTC)


class StaffLockoutsPublic(BaseModel):
    """The sign-in lockouts in force now; `can_clear`: the caller is an administrator."""

    now: datetime
    can_clear: bool
    lockouts: list[StaffLockoutPublic]


class AuditEntryPublic(BaseModel):
    """One audit row."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    at: StoredTime
    actor_type: str
    actor_id: str
    action: str
    card_number: str | None
    outcome: str
    detail: dict
