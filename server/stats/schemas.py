"""The kiosk's outcome event (*Create) and the statistics report (*Public).

A count in the report is None when it is above zero but below the suppression threshold
(settings.stats_min_cell): a handful of sessions at one kiosk in one hour could point at a person.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Outcome = Literal["completed", "counter", "failed", "abandoned"]
OUTCOMES: tuple[Outcome, ...] = ("completed", "counter", "failed", "abandoned")
Count = int | None  # None: between 1 and the threshold, not shown


class OutcomeCreate(BaseModel):
    """One patron session's outcome at a kiosk: which service, how it ended, why, and the library hour.

    Deliberately nothing else: no card number, reference, birth date, or time finer than the hour.
    The kiosk id comes from the request's signature.
    """

    model_config = ConfigDict(extra="forbid")

    service: str = Field(pattern=r"^[a-z][a-z_]{0,31}$")
    outcome: Outcome
    reason: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]{0,47}$")
    day: date
    hour: int = Field(ge=0, le=23)


class OutcomeRecorded(BaseModel):
    """The receipt."""

    recorded: bool = True


class OutcomeCountPublic(BaseModel):
    """Sessions of one service that ended one way (and, in `reasons`, for one reason)."""

    service: str
    outcome: Outcome
    reason: str | None = None
    count: Count


class KioskCountPublic(BaseModel):
    """One kiosk's sessions by outcome."""

    kiosk_id: str
    name: str
    sessions: Count
    completed: Count
    counter: Count
    failed: Count
    abandoned: Count


class PeriodCountPublic(BaseModel):
    """Kiosk sessions and queue tickets in one hour of the day (over the range) or on one day."""

    key: str  # "09" for an hour of the day, "2026-06-15" for a day
    sessions: Count
    tickets: Count


class TicketServicePublic(BaseModel):
    """Queue tickets of one counter service, and the average wait from issue to first call."""

    service: str
    name_ja: str
    name_en: str
    issued: Count
    served: Count
    no_show: Count
    called: Count
    average_wait_minutes: float | None


class FollowUpPublic(BaseModel):
    """Requests kiosks left for the counter, by what became of them (held migrations, renewal requests,
    registration applications)."""

    kind: Literal["migration", "renewal", "registration"]
    # migration: pending | confirmed | rejected; renewal: pending | completed | cancelled;
    # registration: created (all) | waiting | completed | withdrawn | expired
    status: str
    count: Count


class TotalsPublic(BaseModel):
    """The range at a glance."""

    sessions: Count
    completed: Count
    counter: Count
    failed: Count
    abandoned: Count
    tickets: Count
    average_wait_minutes: float | None


class StatsPublic(BaseModel):
    """Statistics over library days `start`..`end` (inclusive)."""

    start: date
    end: date
    min_cell: int
    generated_at: datetime
    totals: TotalsPublic
    outcomes: list[OutcomeCountPublic]
    reasons: list[OutcomeCountPublic]
    kiosks: list[KioskCountPublic]
    hours: list[PeriodCountPublic]
    days: list[PeriodCountPublic]
    tickets: list[TicketServicePublic]
    follow_ups: list[FollowUpPublic]
