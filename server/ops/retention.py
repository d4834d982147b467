"""Retention: delete what the library no longer needs, on the periods in config/server.toml.

- tickets (and acknowledged kiosk alerts) older than `retention_tickets_days` library days; each deleted
  day is first summed into ticket_daily_stats (counts per service and reason, nothing about who came);
- the same tickets summed per hour into ticket_hourly_stats (server/stats: counts and waiting time);
- ticket_daily_stats, ticket_hourly_stats and kiosk_outcomes older than `retention_statistics_days`;
- audit events older than `retention_audit_days`. The audit log stays append-only: the database refuses
  every UPDATE, and any DELETE of a row younger than 365 days (migration 20261125_operations), so even
  a wrong setting cannot erase recent history;
- ended linkages (an old-scheme link ended by a migration: certificate serial and issuer) older than
  `retention_ended_links_days` after they ended, and decided migration requests (confirmed or rejected)
  older than `retention_decided_migrations_days` after the decision. Pending requests wait for staff and
  are kept; an ended link still named by a kept request is kept with it. The audit events recording the
  migration stay for the audit period: the append-only trail, not these rows, is the long-term record;
- renewal requests (server/renewals/service.py prune: decided ones, already without an address, after a week;
  pending ones the patron never brought to the counter after 30 days);
- registration applications (server/applications/service.py): one still waiting `registration_applications`
  days after it was made forgets its personal data (expired, audited by its reference); decided ones forgot
  theirs at the counter. The rows left (times, kiosk, state) go after `statistics` days, with the counts;
- short-lived rows: idempotency records (their answers may name a card) and queue events after
  SHORT_LIVED_DAYS, expired staff sessions, spent enrollment codes and enrollment attempts (addresses).
Patrons and their active links are not touched: patron records are the ILS's (see docs/operations.md).
One transaction: it all happens or none of it does.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from server.api.idempotency import IdempotencyRecord
from server.applications import service as applications
from server.audit import AuditEntry
from server.auth.models import StaffSession
from server.db import rowcount
from server.fleet.models import EnrollAttempt, EnrollCode
from server.migration.models import MigrationRequest
from server.patrons.models import Linkage
from server.renewals import service as renewal
from server.stats import service as stats
from server.stats.models import TicketDailyStats
from server.tickets.models import CANCELLED, NO_SHOW, SERVED, KioskAlert, QueueEvent, Ticket

SHORT_LIVED_DAYS = 7
# Floor for ended links and decided migration requests, whatever the setting: a patron told at the
# counter that their card was switched can still come back with a question about it within a month.
MIN_MIGRATION_HISTORY_DAYS = 30


@dataclass(frozen=True)
class Periods:
    """Retention periods in days."""

    tickets: int
    audit: int
    statistics: int
    ended_links: int = 365
    decided_migrations: int = 365
    registration_applications: int = 30


def _summarise(session: Session, cutoff: date) -> int:
    """Sum tickets of days before `cutoff` into ticket_daily_stats; returns the (day, service) rows written."""
    sums: dict[tuple[date, str], Counter] = {}
    reasons: dict[tuple[date, str], Counter] = {}
    for day, service, status, reason in session.execute(
            select(Ticket.day, Ticket.service, Ticket.status, Ticket.reason).where(Ticket.day < cutoff)):
        key = (day, service)
        counts = sums.setdefault(key, Counter())
        counts["issued"] += 1
        counts[status] += 1
        if reason:
            reasons.setdefault(key, Counter())[reason] += 1
    for (day, service), counts in sums.items():
        row = session.get(TicketDailyStats, (day, service))
        if row is None:
            row = TicketDailyStats(day=day, service=service, issued=0, served=0, no_show=0, cancelled=0, reasons={})
            session.add(row)
        row.issued += counts["issued"]
        row.served += counts[SERVED]
        row.no_show += counts[NO_SHOW]
        row.cancelled += counts[CANCELLED]
        merged = Counter(row.reasons or {})
        merged.update(reasons.get((day, service), Counter()))
        row.reasons = dict(merged)
    return len(sums)


def apply(*, session: Session, periods: Periods, now: datetime, today: date) -> dict[str, int]:
    """Delete everything past its period (in the caller's transaction); returns rows deleted per kind."""
    if min(periods.tickets, periods.audit, periods.statistics, periods.registration_applications) < 1:
        raise ValueError("retention periods must be at least one day")
    if min(periods.ended_links, periods.decided_migrations) < MIN_MIGRATION_HISTORY_DAYS:
        raise ValueError(f"ended links and decided migrations are kept at least {MIN_MIGRATION_HISTORY_DAYS} days")
    ticket_cutoff = today - timedelta(days=periods.tickets)
    short = now - timedelta(days=SHORT_LIVED_DAYS)
    done: dict[str, int] = {"statistics_days_summarised": _summarise(session, ticket_cutoff)}
    done["statistics_hours_summarised"] = stats.roll_up_tickets(session=session, before=ticket_cutoff)
    done["tickets"] = rowcount(session.execute(delete(Ticket).where(Ticket.day < ticket_cutoff)))
    done["kiosk_alerts"] = rowcount(session.execute(delete(KioskAlert).where(
        KioskAlert.acknowledged_at.is_not(None), KioskAlert.created_at < now - timedelta(days=periods.tickets))
    ))
    done["ticket_daily_stats"] = rowcount(session.execute(delete(TicketDailyStats).where(
        TicketDailyStats.day < today - timedelta(days=periods.statistics))))
    done["statistics_rows"] = stats.prune(session=session, before=today - timedelta(days=periods.statistics))
    # The newest event is kept: live pages wait for ids after it, and an emptied table could reuse ids.
    newest = session.scalar(select(func.max(QueueEvent.id)))
    done["queue_events"] = rowcount(session.execute(delete(QueueEvent).where(
        QueueEvent.at < short, QueueEvent.id != newest))) if newest is not None else 0
    done["idempotency_records"] = rowcount(session.execute(
        delete(IdempotencyRecord).where(IdempotencyRecord.created_at < short)))
    done["staff_sessions"] = rowcount(session.execute(delete(StaffSession).where(StaffSession.expires_at < now)))
    done["enroll_codes"] = rowcount(session.execute(delete(EnrollCode).where(EnrollCode.expires_at < short)))
    # Client addresses of enrollment attempts: needed only for the rate-limit window.
    done["enroll_attempts"] = rowcount(session.execute(delete(EnrollAttempt).where(EnrollAttempt.at < short)))
    done["migration_requests"] = rowcount(session.execute(delete(MigrationRequest).where(
        MigrationRequest.status != "pending", MigrationRequest.decided_at.is_not(None),
        MigrationRequest.decided_at < now - timedelta(days=periods.decided_migrations))))
    # After the requests: a link still named by a kept request (its foreign key) stays with it.
    still_named = select(MigrationRequest.id).where(MigrationRequest.old_linkage_id == Linkage.id)
    done["ended_linkages"] = rowcount(session.execute(delete(Linkage).where(
        Linkage.active.is_(False), Linkage.ended_at.is_not(None),
        Linkage.ended_at < now - timedelta(days=periods.ended_links), ~still_named.exists())))
    done["renewal_requests"] = renewal.prune(session=session, now=now)
    done["registration_applications_expired"] = applications.expire(session=session, now=now,
                                                                     days=periods.registration_applications)
    done["registration_applications"] = applications.prune(session=session,
                                                           before=today - timedelta(days=periods.statistics))
    done["audit_log"] = rowcount(session.execute(
        delete(AuditEntry).where(AuditEntry.at < now - timedelta(days=periods.audit))))
    return done
