"""Queue tickets at the database layer, on SQLite and on PostgreSQL: numbering, the daily reset
across Asia/Tokyo midnight (clock injected), concurrency, states, audit, the wait estimate."""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from server import audit
from server.clock import FixedClock
from server.db import transaction
from server.errors import ApiError
from server.state import AppState
from server.tickets import queries, service
from server.tickets.catalog import Catalog
from server.tickets.hours import OpeningHours
from server.tickets.models import Ticket, TicketSequence
from server.tickets.reads import read_sessions

ALWAYS_OPEN = OpeningHours(weekday=(0, 1440), weekend=(0, 1440), closed_weekdays=frozenset(),
                           closed_dates=frozenset(), open_on_public_holidays=True)


def issue(state: AppState, service_id: str = "mynumber", *, clock: FixedClock | None = None) -> Ticket:
    clock = clock or state.clock  # type: ignore[assignment]
    with transaction(state.sessions) as session:
        return service.issue_ticket(
            session=session, catalog=Catalog.from_settings(state.settings), hours=ALWAYS_OPEN,
            service_id=service_id, kiosk_id="kiosk-demo-01", now=clock.now(), today=clock.today(),
        )


def staff(state: AppState, fn, **kwargs):  # type: ignore[no-untyped-def]
    with transaction(state.sessions) as session:
        return fn(session=session, staff_id="counter-7", now=state.clock.now(), **kwargs)


def test_each_service_has_its_own_prefix_and_numbering(state: AppState) -> None:
    numbers = [issue(state, s).number for s in ("mynumber", "mynumber", "registration", "other", "mynumber")]
    assert numbers == ["M-001", "M-002", "R-001", "S-001", "M-003"]
    with pytest.raises(ApiError) as info:
        issue(state, "parking")
    assert info.value.code == "unknown_service"


def test_numbers_reset_at_tokyo_midnight_whatever_the_server_zone(state: AppState, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # The host clock says it is still the afternoon of 16 June in Los Angeles; the library's day
    # turns at 15:00 UTC (midnight in Tokyo), and only that matters.
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    try:
        clock = FixedClock(datetime(2026, 6, 16, 14, 59, 58, tzinfo=UTC))  # 23:59:58 in Tokyo
        before = [issue(state, "mynumber", clock=clock) for _ in range(3)]
        clock.advance(4)  # 00:00:02 on 17 June in Tokyo
        after = [issue(state, "mynumber", clock=clock) for _ in range(2)]
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert [(t.number, t.day) for t in before] == [(f"M-00{n}", date(2026, 6, 16)) for n in (1, 2, 3)]
    assert [(t.number, t.day) for t in after] == [(f"M-00{n}", date(2026, 6, 17)) for n in (1, 2)]
    with state.sessions() as session:
        rows = session.execute(select(TicketSequence.day, TicketSequence.last_number)).all()
    assert sorted(rows) == [(date(2026, 6, 16), 3), (date(2026, 6, 17), 2)]


def test_concurrent_issuing_gives_numbers_one_to_n(state: AppState) -> None:
    threads, per_thread = 8, 15
    barrier = threading.Barrier(threads)
    numbers: list[str] = []
    errors: list[BaseException] = []

    def worker(index: int) -> None:
        try:
            barrier.wait()
            for n in range(per_thread):
                numbers.append(issue(state, ("mynumber", "other")[(index + n) % 2]).number)
        except BaseException as error:
            errors.append(error)

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert not errors
    total = threads * per_thread
    assert len(numbers) == total
    m = sorted(int(x[2:]) for x in numbers if x.startswith("M-"))
    s = sorted(int(x[2:]) for x in numbers if x.startswith("S-"))
    assert m == list(range(1, len(m) + 1)) and s == list(range(1, len(s) + 1))
    assert len(m) + len(s) == total


def test_call_next_serves_in_order_and_counters_never_share_a_ticket(state: AppState) -> None:
    catalog = Catalog.from_settings(state.settings)
    for _ in range(6):
        issue(state, "registration")
    called: list[str] = []
    barrier = threading.Barrier(3)

    def counter(counter_id: str) -> None:
        barrier.wait()
        for _ in range(2):
            ticket = staff(state, service.call_next, catalog=catalog, service_id="registration",
                           counter_id=counter_id, today=state.clock.today())
            called.append(ticket.number)

    pool = [threading.Thread(target=counter, args=(c,)) for c in ("1", "2", "3")]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert sorted(called) == [f"R-00{n}" for n in range(1, 7)]
    with pytest.raises(ApiError) as info:
        staff(state, service.call_next, catalog=catalog, service_id="registration", counter_id="1",
              today=state.clock.today())
    assert info.value.code == "queue_empty"


def test_ticket_states_and_audit(state: AppState) -> None:
    catalog = Catalog.from_settings(state.settings)
    first, second, third = (issue(state, "mynumber") for _ in range(3))
    call = staff(state, service.call_next, catalog=catalog, service_id="mynumber", counter_id="2",
                 today=state.clock.today())
    assert (call.number, call.status, call.counter_id, call.called_by) == ("M-001", "called", "2", "counter-7")
    with state.sessions() as session:
        waiting_third = session.scalar(select(Ticket).where(Ticket.id == third.id))
        assert queries.people_ahead(session=session, ticket=waiting_third) == 1
    recalled = staff(state, service.recall, catalog=catalog, ticket_id=first.ticket_id, counter_id="3")
    assert (recalled.call_count, recalled.counter_id) == (2, "3")
    # Calling the next one at counter 3 finishes what counter 3 was serving.
    nxt = staff(state, service.call_next, catalog=catalog, service_id="mynumber", counter_id="3",
                today=state.clock.today())
    assert nxt.number == "M-002"
    no_show = staff(state, service.finish, ticket_id=second.ticket_id, outcome="no_show")
    assert no_show.status == "no_show"
    cancelled = staff(state, service.finish, ticket_id=third.ticket_id, outcome="cancelled")
    assert cancelled.status == "cancelled"
    for ticket_id, outcome, code in [(first.ticket_id, "served", "ticket_not_active"),
                                     (third.ticket_id, "no_show", "ticket_not_active"),
                                     ("nope", "served", "unknown_ticket")]:
        with pytest.raises(ApiError) as info:
            staff(state, service.finish, ticket_id=ticket_id, outcome=outcome)
        assert info.value.code == code
    fourth = issue(state, "mynumber")
    with pytest.raises(ApiError) as info:
        staff(state, service.finish, ticket_id=fourth.ticket_id, outcome="served")
    assert info.value.code == "ticket_not_called"
    with state.sessions() as session:
        first_row = session.scalar(select(Ticket).where(Ticket.id == first.id))
        assert first_row.status == "served" and first_row.finished_by == "counter-7"
        trail = [(e.actor_type, e.actor_id, e.action, e.detail.get("number"))
                 for e in audit.entries(session=session) if e.action.startswith("ticket.")]
    assert trail == [
        ("kiosk", "kiosk-demo-01", "ticket.issue", "M-001"),
        ("kiosk", "kiosk-demo-01", "ticket.issue", "M-002"),
        ("kiosk", "kiosk-demo-01", "ticket.issue", "M-003"),
        ("staff", "counter-7", "ticket.called", "M-001"),
        ("staff", "counter-7", "ticket.recalled", "M-001"),
        ("staff", "counter-7", "ticket.served", "M-001"),
        ("staff", "counter-7", "ticket.called", "M-002"),
        ("staff", "counter-7", "ticket.no_show", "M-002"),
        ("staff", "counter-7", "ticket.cancelled", "M-003"),
        ("kiosk", "kiosk-demo-01", "ticket.issue", "M-004"),
    ]


def test_wait_estimate_from_todays_service_times(state: AppState) -> None:
    assert isinstance(state.clock, FixedClock)
    catalog = Catalog.from_settings(state.settings)
    tickets = [issue(state, "other") for _ in range(6)]
    with state.sessions() as session:
        assert queries.wait_minutes(session=session, service="other", day=state.clock.today(), ahead=3,
                                    now=state.clock.now()) is None  # nothing served yet today
    # Two counters, each serving one ticket in 4 and 6 minutes: median 5 min, 2 counters.
    staff(state, service.call_next, catalog=catalog, service_id="other", counter_id="1", today=state.clock.today())
    staff(state, service.call_next, catalog=catalog, service_id="other", counter_id="2", today=state.clock.today())
    state.clock.advance(240)
    staff(state, service.finish, ticket_id=tickets[0].ticket_id, outcome="served")
    state.clock.advance(120)
    staff(state, service.finish, ticket_id=tickets[1].ticket_id, outcome="served")
    with state.sessions() as session:
        last = session.scalar(select(Ticket).where(Ticket.id == tickets[5].id))
        ahead = queries.people_ahead(session=session, ticket=last)
        assert ahead == 3
        assert queries.wait_minutes(session=session, service="other", day=state.clock.today(), ahead=ahead,
                                    now=state.clock.now()) == 8  # ceil(3 * 5 / 2)
        assert queries.wait_minutes(session=session, service="other", day=state.clock.today(), ahead=0,
                                    now=state.clock.now()) == 0



def test_live_page_reads_do_not_wait_for_a_writer(state: AppState) -> None:
    catalog, today = Catalog.from_settings(state.settings), state.clock.today()
    issue(state, "mynumber")
    with state.sessions() as writer, writer.begin():
        # A kiosk is in the middle of issuing (on SQLite it holds the write lock).
        service.issue_ticket(session=writer, catalog=catalog, hours=ALWAYS_OPEN, service_id="mynumber",
                             kiosk_id="kiosk-demo-01", now=state.clock.now(), today=today)
        started = time.monotonic()
        with read_sessions(state)() as reader:
            board = queries.lobby_board(session=reader, catalog=catalog, hours=ALWAYS_OPEN,
                                        now=state.clock.now(), today=today)
        assert time.monotonic() - started < 1.0
    waiting = {q["service"]: q["waiting"] for q in board["waiting"]}
    assert waiting["mynumber"] == 1  # the uncommitted ticket is not seen
