"""Ticket request and response bodies. *Create: what a client sends; *Public: what the API returns."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

_STRICT = ConfigDict(extra="forbid")
_CODE = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_.-]+$")


class TicketCreate(BaseModel):
    """Ask for a ticket for one service."""

    model_config = _STRICT

    service: str = _CODE
    # Why the patron came (a kiosk flow's code such as "renewal"), kept for statistics and printed on the ticket.
    reason: str | None = Field(default=None, min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_.-]+$")
    # A reference for staff, e.g. a held migration's reference code.
    reference: str | None = Field(default=None, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")


class TicketPrintedCreate(BaseModel):
    """The kiosk printed (or reprinted) the ticket."""

    model_config = _STRICT

    reprint: bool = False


class AlertCreate(BaseModel):
    """A kiosk asks for a member of staff."""

    model_config = _STRICT

    reason: str = _CODE
    ticket_number: str | None = Field(default=None, max_length=16, pattern=r"^[A-Z]{1,3}-\d{3,5}$")


class ServicePublic(BaseModel):
    """A counter service a ticket can be issued for, as the kiosk lists it."""

    service: str
    prefix: str
    name_ja: str
    name_en: str
    open: bool
    opens_at: datetime | None
    waiting: int
    wait_minutes: int | None


class ServicesPublic(BaseModel):
    """The services and whether the counter is open now."""

    open: bool
    opens_at: datetime | None
    closes_at: datetime | None
    services: list[ServicePublic]


# Properties returned to the kiosk for an issued ticket (everything it prints).
class TicketPublic(BaseModel):
    """An issued ticket as the kiosk prints it."""

    ticket_id: str
    number: str
    service: str
    service_ja: str
    service_en: str
    issued_at: datetime
    people_ahead: int
    wait_minutes: int | None
    status_url: str
    status: str
    printed: bool


class PrintedPublic(BaseModel):
    """Print bookkeeping of a ticket."""

    ticket_id: str
    number: str
    print_count: int
    printed_at: datetime


class AlertPublic(BaseModel):
    """A kiosk alert as the console shows it."""

    id: int
    kiosk_id: str
    reason: str
    ticket_number: str | None
    created_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None


class CallCreate(BaseModel):
    """Call the next waiting ticket of a service to a counter."""

    model_config = _STRICT

    service: str = _CODE
    counter: str = Field(min_length=1, max_length=16)


class RecallCreate(BaseModel):
    """Call a ticket again (optionally to another counter)."""

    model_config = _STRICT

    counter: str | None = Field(default=None, min_length=1, max_length=16)


# Properties staff see for a ticket: numbers and times, no patron data (the ticket holds none).
class CounterTicketPublic(BaseModel):
    """A ticket as the counter console shows it."""

    ticket_id: str
    number: str
    service: str
    status: Literal["waiting", "called", "served", "no_show", "cancelled"]
    day: date
    issued_at: datetime
    called_at: datetime | None
    counter: str | None
    call_count: int
    finished_at: datetime | None
    reason: str | None
    reference: str | None


class QueuePublic(BaseModel):
    """One service's queue on the console."""

    service: str
    prefix: str
    name_ja: str
    name_en: str
    waiting: int
    next_number: str | None
    wait_minutes: int | None
    served_today: int
    issued_today: int


class CounterPublic(BaseModel):
    """A counter window and the ticket it is serving now."""

    id: str
    name_ja: str
    name_en: str
    current: CounterTicketPublic | None


class ConsoleConfigPublic(BaseModel):
    """What the console needs to draw itself."""

    services: list[dict]
    counters: list[dict]
    migration_policy: str
    staff_id: str
    staff_name: str


class OverviewPublic(BaseModel):
    """Everything the console shows about the queues."""

    day: date
    open: bool
    opens_at: datetime | None
    closes_at: datetime | None
    queues: list[QueuePublic]
    counters: list[CounterPublic]
    open_alerts: int
