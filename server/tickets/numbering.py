"""Ticket numbers: one atomic statement per (service, day), the same on SQLite and PostgreSQL.

`INSERT ... ON CONFLICT (service, day) DO UPDATE SET last_number = last_number + n RETURNING` creates
the day's row at n or adds n to it, and returns the value, in one statement: the caller owns the n
numbers up to it (a group of tickets committed together takes its numbers in one statement). On
PostgreSQL the row lock it takes is held to the end of the caller's transaction, so a concurrent issuer
waits and then sees the incremented value; on SQLite the whole transaction holds the database write
lock (BEGIN IMMEDIATE, server/db.py). A ticket that rolls back gives its numbers back with it, so the
numbers of one day stay 1..N with no gaps. Numbers reset because the day is part of the key.
"""

from __future__ import annotations

from datetime import date
from functools import cache

from sqlalchemy import Insert
from sqlalchemy.orm import Session

from server.db import insert_for, table_of
from server.tickets.models import TicketSequence


@cache
def _take_seqs(dialect_name: str) -> Insert:
    sequences = table_of(TicketSequence)
    insert = insert_for(dialect_name)(sequences)  # service, day and last_number (= n) come with each execution
    return (
        insert.on_conflict_do_update(
            index_elements=[sequences.c.service, sequences.c.day],
            set_={"last_number": sequences.c.last_number + insert.excluded.last_number},
        )
        .returning(sequences.c.last_number)
    )


def take_seqs(*, session: Session, service: str, day: date, count: int) -> range:
    """The next `count` numbers of `service` on `day` (from 1 for the day's first), in the caller's transaction."""
    connection = session.connection()
    last = connection.execute(_take_seqs(connection.dialect.name),
                              {"service": service, "day": day, "last_number": count}).scalar_one()
    return range(last - count + 1, last + 1)


def next_seq(*, session: Session, service: str, day: date) -> int:
    """The next number of `service` on `day` (1 for the day's first ticket), in the caller's transaction."""
    return take_seqs(session=session, service=service, day=day, count=1)[0]


def format_number(*, prefix: str, seq: int) -> str:
    """A number a patron can read out: "M-007" (three digits at least)."""
    return f"{prefix}-{seq:03d}"
