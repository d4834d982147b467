"""Retention on SQLite and PostgreSQL: old tickets become daily counts, old audit events go, recent ones
cannot (the database refuses, whatever the setting), and a refused run deletes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.exc import DatabaseError

from server.__main__ import main
from server.audit import AuditEntry
from server.fleet.models import EnrollAttempt
from server.ops.retention import Periods, apply
from server.state import AppState
from server.stats.models import TicketDailyStats
from server.tickets.models import Ticket
from tests.support.ops_data import add_audit, add_ticket


def _count(state: AppState, model) -> int:  # type: ignore[no-untyped-def]
    with state.sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_retention_summarises_and_deletes_on_its_periods(state: AppState) -> None:
    today = state.clock.today()
    old_day, kept_day = today - timedelta(days=100), today - timedelta(days=10)
    add_ticket(state, day=old_day, seq=1, status="served", reason="renewal")
    add_ticket(state, day=old_day, seq=2, status="no_show", reason="renewal")
    add_ticket(state, day=old_day, seq=3, status="cancelled")
    add_ticket(state, day=kept_day, seq=1)
    add_audit(state, age=timedelta(days=2000), action="test.ancient")
    add_audit(state, age=timedelta(days=400), action="test.last_year")
    with state.sessions() as session, session.begin():
        session.add(EnrollAttempt(at=state.clock.now() - timedelta(days=8), client="203.0.113.9", ok=False))
        session.add(EnrollAttempt(at=state.clock.now(), client="203.0.113.10", ok=False))
    with state.sessions() as session, session.begin():
        done = apply(session=session, periods=Periods(tickets=90, audit=1825, statistics=3650),
                     now=state.clock.now(), today=today)
    assert (done["tickets"], done["audit_log"], done["statistics_days_summarised"]) == (3, 1, 1)
    assert done["enroll_attempts"] == 1 and _count(state, EnrollAttempt) == 1
    with state.sessions() as session:
        assert [t.day for t in session.scalars(select(Ticket))] == [kept_day]
        stats = session.get(TicketDailyStats, (old_day, "mynumber"))
        assert stats is not None
        assert (stats.issued, stats.served, stats.no_show, stats.cancelled) == (3, 1, 1, 1)
        assert stats.reasons == {"renewal": 2}
        actions = set(session.scalars(select(AuditEntry.action)))
    assert "test.last_year" in actions and "test.ancient" not in actions

    # Statistics have their own period.
    with state.sessions() as session, session.begin():
        done = apply(session=session, periods=Periods(tickets=90, audit=1825, statistics=30),
                     now=state.clock.now(), today=today)
    assert done["ticket_daily_stats"] == 1 and _count(state, TicketDailyStats) == 0


def test_the_database_keeps_recent_audit_events_whatever_the_setting(
        state: AppState, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    add_audit(state, age=timedelta(days=100), action="test.recent")
    add_ticket(state, day=state.clock.today() - timedelta(days=200), seq=1)
    # Directly, as any code could try: refused for a row younger than 365 days.
    with state.sessions() as session, pytest.raises(DatabaseError, match="append-only"), session.begin():
        session.execute(delete(AuditEntry).where(AuditEntry.action == "test.recent"))
    # Through the command with a 30-day audit period: refused as a whole, so the old ticket stays too.
    monkeypatch.setenv("SERVER_DATABASE_URL", state.settings.database_url)
    monkeypatch.setenv("SERVER_RETENTION_AUDIT_DAYS", "30")
    assert main(["admin", "retention"]) == 1
    assert "nothing was deleted" in capsys.readouterr().err
    assert _count(state, Ticket) == 1
    monkeypatch.setenv("SERVER_RETENTION_AUDIT_DAYS", "1825")
    assert main(["admin", "retention"]) == 0
    assert "tickets 1" in capsys.readouterr().out and _count(state, Ticket) == 0
