"""Ticket numbers: one atomic statement per (service, day), the same on SQLite and PostgreSQL.

`INSERT ... ON CONFLICT (service, day) DO UPDATE SET last_number = last_number + 1 RETURNING` creates
the day's row at 1 or increments it, and returns the value, in one statement. On PostgreSQL the
row lock it takes is held to the end of the caller's transaction, so a concurrent issuer waits and
then sees the incremented value; on SQLite the whole transaction holds the database write lock
(BEGIN IMMEDIATE, server/db.py). A ticket that rolls back gives its number back with it, so the
numbers of one day stay 1..N with no gaps. Numbers reset because the day is part of the key.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from server.tickets.models import TicketSequence


def next_seq(*, session: Session, service: str, day: date) -> int:
    """The next number of `service` on `day` (1 for the day's first ticket), in the caller's transaction."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(TicketSequence)
        .values(service=service, day=day, last_number=1)
        .on_conflict_do_update(
            index_elements=[TicketSequence.service, TicketSequence.day],
            set_={"last_number": TicketSequence.last_number + 1},
        )
        .returning(TicketSequence.last_number)
    )
    return session.execute(statement).scalar_one()


def format_number(*, prefix: str, seq: int) -> str:
    """A number a patron can read out: "M-007" (three digits at least)."""
    return f"{prefix}-{seq:03d}"
