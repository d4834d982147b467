"""Fleet request and response bodies. *Create: what a kiosk sends; *Public: what the API returns."""

from __future__ import annotations

import math
import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, field_validator

from server.ils.schemas import PatronSourcePublic

_STRICT = ConfigDict(extra="forbid")
# No control characters (a NUL, for one, must not reach the database: PostgreSQL refuses it in text).
_PRINTABLE = r"^[^\x00-\x1f\x7f]*$"
ShortText = Annotated[str | None, Field(default=None, max_length=300, pattern=_PRINTABLE)]


def _plausible(value: datetime) -> datetime:
    """A kiosk clock reading between 2000 and 2100 (far dates would overflow on conversion to UTC)."""
    if not 2000 <= value.year <= 2100:
        raise ValueError("a time between 2000 and 2100 is expected")
    return value


KioskTime = Annotated[AwareDatetime, AfterValidator(_plausible)]

KioskStateName = Literal["up", "stale", "out_of_service", "printer_problem", "never_seen", "revoked"]


# What a kiosk caches for its offline staff sign-in: its own maintenance PINs' argon2id hashes, never
# a staff PIN's (server/fleet/maintenance.py).
class MaintenanceCredentialPublic(BaseModel):
    """One active staff member's maintenance PIN at the calling kiosk."""

    staff_id: str
    role: str
    pin_hash: str


class MaintenanceCredentialsPublic(BaseModel):
    """The calling kiosk's maintenance credentials, and the one hash scheme they use."""

    scheme: Literal["argon2id"] = "argon2id"
    kiosk_id: str
    staff: list[MaintenanceCredentialPublic]


# What a kiosk reports every heartbeat interval; no personal data.
class HeartbeatCreate(BaseModel):
    """A kiosk's state now."""

    model_config = _STRICT

    version: str = Field(pattern=r"^[0-9A-Za-z.+_-]{1,32}$")
    kiosk_time: KioskTime
    interval_s: int = Field(ge=1, le=3600)
    in_service: bool
    reader: ShortText = None
    reader_error: ShortText = None
    printer_online: bool
    printer_paper: Literal["ok", "near_end", "out", "unknown"]
    printer_error: ShortText = None
    outbox_length: int | None = Field(default=None, ge=0, le=1_000_000)
    last_error: ShortText = None
    last_error_at: KioskTime | None = None


class HeartbeatAccepted(BaseModel):
    """The server's receipt: its clock, and when the kiosk counts as stale without another beat."""

    received_at: datetime
    stale_after_s: int


Scalar = str | int | float | bool | None


# A staff action at a kiosk, for the audit log; the kiosk id comes from the request signature.
class StaffActionCreate(BaseModel):
    """Who did what at the kiosk, with what outcome, when (kiosk clock)."""

    model_config = _STRICT

    # The same shape as staff ids at login; "-" when the pad was submitted without one.
    staff_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._@-]+$")
    action: str = Field(pattern=r"^[a-z][a-z_.]{0,39}$")
    outcome: str = Field(pattern=r"^[A-Za-z][A-Za-z_]{0,47}$")
    at: KioskTime
    detail: dict[str, Scalar] = Field(default_factory=dict)

    @field_validator("detail")
    @classmethod
    def _small(cls, value: dict[str, Scalar]) -> dict[str, Scalar]:
        """A few short printable facts only (finite numbers: JSON columns refuse NaN on PostgreSQL)."""
        if len(value) > 12:
            raise ValueError("detail: at most 12 facts")
        for key, item in value.items():
            if not re.fullmatch(r"[a-z][a-z0-9_]{0,31}", key):
                raise ValueError("detail: keys are short snake_case names")
            if isinstance(item, str) and (len(item) > 200 or re.search(r"[\x00-\x1f\x7f]", item)):
                raise ValueError("detail: strings are short and printable")
            if isinstance(item, float) and not math.isfinite(item):
                raise ValueError("detail: numbers must be finite")
            if isinstance(item, int) and not isinstance(item, bool) and abs(item) > 2**53:
                raise ValueError("detail: integers must fit a JSON number")
        return value


class StaffActionRecorded(BaseModel):
    """The audit row's id."""

    id: int


class KioskErrorPublic(BaseModel):
    """One reported error."""

    at: datetime
    message: str


class KioskStatusPublic(BaseModel):
    """A kiosk at a glance: its state and what it last reported."""

    kiosk_id: str
    name: str
    state: KioskStateName
    printer_problem: bool
    last_seen: datetime | None
    stale_after_s: int | None
    version: str | None
    in_service: bool | None
    reader: str | None
    reader_error: str | None
    printer_online: bool | None
    printer_paper: str | None
    printer_error: str | None
    outbox_length: int | None
    clock_skew_s: float | None
    last_error: str | None
    last_error_at: datetime | None
    recent_errors: list[KioskErrorPublic]


class FleetPublic(BaseModel):
    """Every kiosk, and the server's time the states were judged at."""

    now: datetime
    kiosks: list[KioskStatusPublic]
    # The ILS connector (or the database) that answers the kiosks' card lookups, as this process saw it.
    patron_source: PatronSourcePublic | None = None


class EnrollCreate(BaseModel):
    """The code the admin CLI printed (separators and case do not matter)."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=4, max_length=32, pattern=r"^[0-9A-Za-z -]+$")


class EnrollPublic(BaseModel):
    """The kiosk's identity: keep the secret readable by the kiosk user only."""

    kiosk_id: str
    secret: str
    server_time: datetime
