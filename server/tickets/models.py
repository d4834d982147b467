"""Ticket tables. The schema itself is made by Alembic (versions/20261125_tickets.py)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, Timestamp

WAITING, CALLED, SERVED, NO_SHOW, CANCELLED = "waiting", "called", "served", "no_show", "cancelled"
STATUSES = (WAITING, CALLED, SERVED, NO_SHOW, CANCELLED)
FINISHED = (SERVED, NO_SHOW, CANCELLED)


class TicketSequence(Base):
    """The last number issued for one service on one library day (the row that serialises issuing)."""

    __tablename__ = "ticket_sequences"

    service: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)


class Ticket(Base):
    """One queue ticket: its number, its state, and which counter called it."""

    __tablename__ = "tickets"
    __table_args__ = (
        # The last line of defence: whatever the numbering does, a number exists once per service and day.
        UniqueConstraint("service", "day", "seq", name="uq_tickets_service_day_seq"),
        Index("ix_tickets_day_service_status", "day", "service", "status"),
        Index("ix_tickets_day_last_called_at", "day", "last_called_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[str] = mapped_column(String(32), unique=True)  # the API's id, random
    # The status page's URL token: unguessable, so a ticket's page cannot be found by counting.
    status_token: Mapped[str] = mapped_column(String(32), unique=True)
    service: Mapped[str] = mapped_column(String(32))
    day: Mapped[date] = mapped_column(Date)  # the library's day (Asia/Tokyo) the number belongs to
    seq: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(16))  # "M-007"
    status: Mapped[str] = mapped_column(String(16), default=WAITING)
    kiosk_id: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(String(32))  # why the patron came (a code, for statistics)
    reference: Mapped[str | None] = mapped_column(String(64))  # e.g. a held migration's reference code
    issued_at: Mapped[datetime] = mapped_column(Timestamp)
    called_at: Mapped[datetime | None] = mapped_column(Timestamp)  # first call: service time counts from it
    last_called_at: Mapped[datetime | None] = mapped_column(Timestamp)  # latest call or recall: the lobby's order
    counter_id: Mapped[str | None] = mapped_column(String(16))
    called_by: Mapped[str | None] = mapped_column(String(64))
    call_count: Mapped[int] = mapped_column(Integer, default=0)
    finished_at: Mapped[datetime | None] = mapped_column(Timestamp)
    finished_by: Mapped[str | None] = mapped_column(String(64))
    printed_at: Mapped[datetime | None] = mapped_column(Timestamp)
    print_count: Mapped[int] = mapped_column(Integer, default=0)


class KioskAlert(Base):
    """A kiosk's "call staff" request, shown on the counter console until acknowledged."""

    __tablename__ = "kiosk_alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(32))
    ticket_number: Mapped[str | None] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(Timestamp, index=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(Timestamp)
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))


class QueueEvent(Base):
    """One change to the queues or alerts: the id is what every server process watches to wake live pages."""

    __tablename__ = "queue_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(Timestamp, index=True)
    kind: Mapped[str] = mapped_column(String(32))
    # Numbers and counters only, never anything about the patron.
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
