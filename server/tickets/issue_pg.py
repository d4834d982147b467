"""PostgreSQL: a new ticket's row, its queue event with the NOTIFY, and its audit row in one statement.

Three data-modifying CTEs, so the three INSERTs cost one round trip instead of three (SQLite, in process,
runs them one by one: server/tickets/service.py). The NOTIFY is delivered at commit, as with publish().
"""

from __future__ import annotations

from functools import cache

from sqlalchemy import Connection, Select, Text, bindparam, cast, func, insert, select, true

from server.models import AuditEntry
from server.tickets.events import CHANNEL
from server.tickets.models import QueueEvent, Ticket

# What a new ticket row is inserted with (the rest stays NULL until it is called or printed).
TICKET_COLUMNS = ("ticket_id", "status_token", "service", "day", "seq", "number", "status", "kiosk_id", "reason",
                  "reference", "issued_at", "call_count", "print_count")
_AUDIT_COLUMNS = ("at", "actor_type", "actor_id", "action", "outcome", "card_number", "detail")


@cache
def _statement() -> Select:
    tickets, events, audit = Ticket.__table__, QueueEvent.__table__, AuditEntry.__table__
    ticket = insert(tickets).values({c: bindparam(f"t_{c}") for c in TICKET_COLUMNS}
                                    ).returning(tickets.c.id).cte("new_ticket")
    event = insert(events).values(at=bindparam("e_at"), kind=bindparam("e_kind"), detail=bindparam("e_detail")
                                  ).returning(events.c.id).cte("new_event")
    entry = insert(audit).values({c: bindparam(f"a_{c}") for c in _AUDIT_COLUMNS}
                                 ).returning(audit.c.id).cte("new_audit")
    return (select(ticket.c.id, event.c.id, func.pg_notify(CHANNEL, cast(event.c.id, Text)))
            .select_from(ticket).join(event, true()).join(entry, true()))


def insert_ticket_event_audit(*, connection: Connection, ticket: dict, event: dict, audit: dict) -> tuple[int, int]:
    """Insert the three rows (column -> value dicts); (ticket id, event id)."""
    params = {**{f"t_{k}": v for k, v in ticket.items()}, **{f"e_{k}": v for k, v in event.items()},
              **{f"a_{k}": v for k, v in audit.items()}}
    row = connection.execute(_statement(), params).one()
    return row[0], row[1]
