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
from functools import cache

from sqlalchemy import Insert
from sqlalchemy.orm import Session

from server.db import insert_for
from server.tickets.models import TicketSequence


@cache
def _next_seq(dialect_name: str) -> Insert:
    sequences = TicketSequence.__table__
    return (
        insert_for(dialect_name)(sequences)
        .values(last_number=1)  # service and day come with each execution
        .on_conflict_do_update(
            index_elements=[sequences.c.service, sequences.c.day],
            set_={"last_number": sequences.c.last_number + 1},
        )
        .returning(sequences.c.last_number)
    )


def next_seq(*, session: Session, service: str, day: date) -> int:
    """The next number of `service` on `day` (1 for the day's first ticket), in the caller's transaction."""
    connection = session.connection()
    return connection.execute(_next_seq(connection.dialect.name), {"service": service, "day": day}).scalar_one()


def format_number(*, prefix: str, seq: int) -> str:
    """A number a patron can read out: "M-007" (three digits at least)."""
    return f"{prefix}-{seq:03d}"
