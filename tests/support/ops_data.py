"""Rows for the operations tests: tickets on given days, audit events at given ages, a MyKey link."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta

from server import audit
from server.patrons.linkage import active_linkage, switch_to_mykey
from server.patrons.service import find_patron
from server.state import AppState
from server.tickets.models import Ticket


def add_ticket(state: AppState, *, day: date, seq: int, service: str = "mynumber", status: str = "served",
               reason: str | None = None) -> None:
    """One ticket of a past or present library day."""
    at = datetime(day.year, day.month, day.day, 1, 0, tzinfo=state.clock.now().tzinfo)
    with state.sessions() as session, session.begin():
        session.add(Ticket(ticket_id=secrets.token_hex(8), status_token=secrets.token_hex(8), service=service,
                           day=day, seq=seq, number=f"M-{seq:03d}", status=status, kiosk_id="kiosk-demo-01",
                           reason=reason, issued_at=at, call_count=0, print_count=0))


def add_audit(state: AppState, *, age: timedelta, action: str = "test.old") -> None:
    """An audit event `age` before the clock's now (inserting is always allowed)."""
    with state.sessions() as session, session.begin():
        audit.record(session=session, at=state.clock.now() - age, actor_type="system", actor_id="test",
                     action=action, outcome="ok")


def link_mykey(state: AppState, *, card_number: str, mykey_id: str) -> None:
    """Switch a demo patron's old-scheme link to MyKey, as a completed migration does."""
    with state.sessions() as session, session.begin():
        patron = find_patron(session=session, card_number=card_number)
        assert patron is not None
        old = active_linkage(session=session, patron_id=patron.id)
        assert old is not None
        switch_to_mykey(session=session, old=old, mykey_id=mykey_id, now=state.clock.now())
