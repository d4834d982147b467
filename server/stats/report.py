"""The statistics report over a range of library days, with small counts suppressed.

Suppression: any count from 1 to `min_cell - 1` is reported as None ("fewer than min_cell"), totals
included, and an average waiting time only when at least `min_cell` tickets were called. Zero stays
zero (nothing happened is no one's data). Hours are hours of the day summed over the range, so even a
one-day range shows no time finer than the hour.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

from sqlalchemy import Result, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from server.applications import service as applications
from server.auth.models import Kiosk
from server.clock import LIBRARY_TZ
from server.migration.models import MigrationRequest
from server.renewals.models import RenewalRequest
from server.stats.models import KioskOutcome, TicketHourlyStats
from server.stats.schemas import (
    OUTCOMES,
    FollowUpPublic,
    KioskCountPublic,
    OutcomeCountPublic,
    PeriodCountPublic,
    StatsPublic,
    TicketServicePublic,
    TotalsPublic,
)
from server.stats.service import ticket_hours
from server.tickets.catalog import Catalog
from server.tickets.models import Ticket

MAX_DAYS = 366
# The days a report may cover: the kiosk's years, with room on both sides. Outside them a day's bounds in
# UTC (Asia/Tokyo midnight) fall off the calendar's ends (year 1, year 9999).
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2999, 12, 31)
# The kiosk's services in the order the page shows them; any other reported service follows.
SERVICE_ORDER = ("migrate", "expiry", "renewal", "registration", "checkup", "ticket")
# Requests the counter finishes: each status is listed, zero or not.
FollowUp = tuple[Literal["migration", "renewal"], type[MigrationRequest | RenewalRequest], tuple[str, ...]]
FOLLOW_UPS: tuple[FollowUp, ...] = (
    ("migration", MigrationRequest, ("pending", "confirmed", "rejected")),
    ("renewal", RenewalRequest, ("pending", "completed", "cancelled")))


class Suppress:
    """Applies the threshold to counts and averages."""

    def __init__(self, min_cell: int) -> None:
        self.min_cell = max(1, min_cell)

    def count(self, n: int) -> int | None:
        """n, or None when 0 < n < min_cell."""
        return n if n == 0 or n >= self.min_cell else None

    def average_minutes(self, seconds: int, called: int) -> float | None:
        """Mean minutes, or None when fewer than min_cell tickets were called."""
        return round(seconds / called / 60, 1) if called >= self.min_cell else None


def _services(names: set[str]) -> list[str]:
    return [s for s in SERVICE_ORDER if s in names] + sorted(names - set(SERVICE_ORDER))


def _outcome_sums(session: Session, start: date, end: date, *columns: InstrumentedAttribute[Any]
                  ) -> Result[*tuple[Any, ...]]:
    in_range = (KioskOutcome.day >= start, KioskOutcome.day <= end)
    return session.execute(select(*columns, func.sum(KioskOutcome.count)).where(*in_range).group_by(*columns))


def _ticket_sums(session: Session, start: date, end: date) -> dict[tuple[date, int, str], Counter]:
    """Live tickets in the range, plus the rollups of days retention has already pruned."""
    live = session.execute(select(Ticket.day, Ticket.service, Ticket.status, Ticket.issued_at, Ticket.called_at)
                           .where(Ticket.day >= start, Ticket.day <= end))
    sums = {key: Counter(value) for key, value in ticket_hours(live).items()}
    for row in session.scalars(select(TicketHourlyStats).where(TicketHourlyStats.day >= start,
                                                               TicketHourlyStats.day <= end)):
        sums.setdefault((row.day, row.hour, row.service), Counter()).update(
            {"issued": row.issued, "served": row.served, "no_show": row.no_show, "called": row.called,
             "wait_seconds": row.wait_seconds})
    return sums


def _follow_ups(session: Session, start: date, end: date, s: Suppress) -> list[FollowUpPublic]:
    """Held migrations, renewal requests and registration applications made in the range, by status (while
    their records are kept)."""
    # Stored as UTC; SQLite compares the text, so the bounds are UTC too.
    low = datetime.combine(start, time(), LIBRARY_TZ).astimezone(UTC)
    high = datetime.combine(end + timedelta(days=1), time(), LIBRARY_TZ).astimezone(UTC)
    out = []
    for kind, model, statuses in FOLLOW_UPS:
        counts = dict(session.execute(select(model.status, func.count()).where(
            model.created_at >= low, model.created_at < high).group_by(model.status)).all())
        out += [FollowUpPublic(kind=kind, status=status, count=s.count(int(counts.get(status, 0))))
                for status in statuses]
    # Registration applications keep a non-personal row after they are decided: created (all of them) and
    # each state, until retention_statistics_days.
    out += [FollowUpPublic(kind="registration", status=status, count=s.count(n))
            for status, n in applications.counts(session=session, low=low, high=high).items()]
    return out


def build_report(*, session: Session, catalog: Catalog, start: date, end: date, min_cell: int,
                 now: datetime) -> StatsPublic:
    """Every view of the page over `start`..`end` (library days, inclusive)."""
    s = Suppress(min_cell)
    by_outcome: dict[tuple[str, str], int] = {}
    for service, outcome, total in _outcome_sums(session, start, end, KioskOutcome.service, KioskOutcome.outcome):
        by_outcome[(service, outcome)] = int(total)
    services = _services({service for service, _ in by_outcome})
    outcomes = [OutcomeCountPublic(service=svc, outcome=o, count=s.count(by_outcome.get((svc, o), 0)))
                for svc in services for o in OUTCOMES]
    reasons = sorted(
        (OutcomeCountPublic(service=svc, outcome=o, reason=r, count=s.count(int(n)))
         for svc, o, r, n in _outcome_sums(session, start, end, KioskOutcome.service, KioskOutcome.outcome,
                                           KioskOutcome.reason) if r),
        key=lambda c: (services.index(c.service), OUTCOMES.index(c.outcome), c.reason or ""))

    per_kiosk: dict[str, Counter] = defaultdict(Counter)
    for kiosk_id, outcome, total in _outcome_sums(session, start, end, KioskOutcome.kiosk_id, KioskOutcome.outcome):
        per_kiosk[kiosk_id][outcome] += int(total)
    names = dict(session.execute(select(Kiosk.kiosk_id, Kiosk.name)).all())
    kiosks = [KioskCountPublic(kiosk_id=k, name=names.get(k, ""), sessions=s.count(sum(c.values())),
                               **{o: s.count(c[o]) for o in OUTCOMES}) for k, c in sorted(per_kiosk.items())]

    sessions_by_hour: Counter = Counter()
    sessions_by_day: Counter = Counter()
    for day, hour, total in _outcome_sums(session, start, end, KioskOutcome.day, KioskOutcome.hour):
        sessions_by_hour[hour] += int(total)
        sessions_by_day[day] += int(total)

    tickets = _ticket_sums(session, start, end)
    tickets_by_hour: Counter = Counter()
    tickets_by_day: Counter = Counter()
    per_service: dict[str, Counter] = defaultdict(Counter)
    for (day, hour, service), counts in tickets.items():
        tickets_by_hour[hour] += counts["issued"]
        tickets_by_day[day] += counts["issued"]
        per_service[service].update(counts)
    configured = [(c.id, c.name_ja, c.name_en) for c in catalog.services]
    known = {sid for sid, _, _ in configured}
    configured += [(sid, sid, sid) for sid in sorted(set(per_service) - known)]
    ticket_rows = [TicketServicePublic(
        service=sid, name_ja=ja, name_en=en, issued=s.count(per_service[sid]["issued"]),
        served=s.count(per_service[sid]["served"]), no_show=s.count(per_service[sid]["no_show"]),
        called=s.count(per_service[sid]["called"]),
        average_wait_minutes=s.average_minutes(per_service[sid]["wait_seconds"], per_service[sid]["called"]),
    ) for sid, ja, en in configured]

    all_outcomes: Counter = Counter()
    for (_, outcome), n in by_outcome.items():
        all_outcomes[outcome] += n
    all_tickets = sum((c for c in per_service.values()), Counter())
    totals = TotalsPublic(
        sessions=s.count(sum(all_outcomes.values())), **{o: s.count(all_outcomes[o]) for o in OUTCOMES},
        tickets=s.count(all_tickets["issued"]),
        average_wait_minutes=s.average_minutes(all_tickets["wait_seconds"], all_tickets["called"]))
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    return StatsPublic(
        start=start, end=end, min_cell=s.min_cell, generated_at=now, totals=totals, outcomes=outcomes,
        reasons=reasons, kiosks=kiosks,
        hours=[PeriodCountPublic(key=f"{h:02d}", sessions=s.count(sessions_by_hour[h]),
                                 tickets=s.count(tickets_by_hour[h])) for h in range(24)],
        days=[PeriodCountPublic(key=d.isoformat(), sessions=s.count(sessions_by_day[d]),
                                tickets=s.count(tickets_by_day[d])) for d in days],
        tickets=ticket_rows, follow_ups=_follow_ups(session, start, end, s),
    )
