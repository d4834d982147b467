"""Group commit of POST /v1/tickets (server/tickets/writer.py), on SQLite and on PostgreSQL: tickets
asked for together commit in one transaction, and every request keeps the guarantees it has alone
(signed, replay-proof, idempotent, audited, numbered once)."""

from __future__ import annotations

import asyncio
import secrets
import threading
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, func, select

from server import audit
from server.api.idempotency import IdempotencyRecord
from server.auth.kiosk import SignedRequest, create_kiosk
from server.auth.models import KioskNonce
from server.errors import ApiError
from server.fleet.service import rotate_kiosk_secret
from server.state import AppState
from server.tickets.models import Ticket
from server.tickets.service import TicketOrder
from server.tickets.writer import TicketRequest, TicketWriter

KIOSK_ID, SECRET = "kiosk-demo-01", "test-kiosk-secret-0123456789"
ALWAYS_OPEN = {"counter_hours_weekday": ("00:00", "24:00"), "counter_hours_weekend": ("00:00", "24:00"),
               "closed_weekdays": [], "closed_dates": []}
NEVER_OPEN = {"closed_weekdays": ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]}


def writer_for(state: AppState, hours: dict) -> TicketWriter:
    """The process's writer as build_state makes it, on settings with these opening hours."""
    return TicketWriter(sessions=state.sessions, write_gate=state.write_gate,
                        settings=state.settings.model_copy(update=hours), clock=state.clock)


@pytest.fixture
def writer(state: AppState) -> TicketWriter:
    """A writer whose counter is always open."""
    return writer_for(state, ALWAYS_OPEN)


def request(kiosk_id: str = KIOSK_ID, secret: str = SECRET, *, service: str = "mynumber", key: str | None = None,
            nonce: str | None = None, fingerprint: str | None = None) -> TicketRequest:
    """A request as the route hands it over: its signature already checked against `secret`."""
    key = key or str(uuid.uuid4())
    return TicketRequest(signed=SignedRequest(kiosk_id=kiosk_id, nonce=nonce or secrets.token_hex(16), secret=secret),
                         key=key, fingerprint=fingerprint or f"{service}-{key}",
                         order=TicketOrder(service_id=service, kiosk_id=kiosk_id), status_base="http://lib.example")


def answer(req: TicketRequest) -> tuple[int, dict] | ApiError:
    try:
        return req.future.result(timeout=30)
    except ApiError as error:
        return error


def count(state: AppState, model) -> int:  # type: ignore[no-untyped-def]
    with state.sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def commits_of(state: AppState, run) -> int:  # type: ignore[no-untyped-def]
    commits: list[int] = []
    listener = lambda _connection: commits.append(1)  # noqa: E731
    event.listen(state.engine, "commit", listener)
    try:
        run()
    finally:
        event.remove(state.engine, "commit", listener)
    return len(commits)


def test_a_group_commits_once_with_consecutive_numbers_positions_and_audit(
    state: AppState, writer: TicketWriter
) -> None:
    group = [request(service="mynumber") for _ in range(5)] + [request(service="registration") for _ in range(3)]
    assert commits_of(state, lambda: writer.run_group(group)) == 1
    answers = [answer(r) for r in group]
    assert all(a[0] == 201 for a in answers)  # type: ignore[index]
    bodies = [a[1] for a in answers]  # type: ignore[index]
    assert [b["number"] for b in bodies] == ["M-001", "M-002", "M-003", "M-004", "M-005", "R-001", "R-002", "R-003"]
    assert [b["people_ahead"] for b in bodies] == [0, 1, 2, 3, 4, 0, 1, 2]
    assert all(b["status_url"].startswith("http://lib.example/t/") for b in bodies)
    with state.sessions() as session:
        issued = [e.detail["number"] for e in audit.entries(session=session) if e.action == "ticket.issue"]
        stored = session.execute(select(IdempotencyRecord.key, IdempotencyRecord.status_code)).all()
    assert sorted(issued) == sorted(b["number"] for b in bodies)
    assert sorted(stored) == sorted((r.key, 201) for r in group)
    assert count(state, KioskNonce) == 8


def test_a_key_sent_twice_in_one_group_gets_one_ticket(state: AppState, writer: TicketWriter) -> None:
    key = str(uuid.uuid4())
    first, twin = request(key=key), request(key=key)
    writer.run_group([first, twin])  # the twin waits for the next group
    assert answer(first) == answer(twin)
    assert count(state, Ticket) == 1 and count(state, KioskNonce) == 2


def test_replays_are_refused_inside_a_group_and_across_groups(state: AppState, writer: TicketWriter) -> None:
    nonce = secrets.token_hex(16)
    original, replay_in_group = request(nonce=nonce), request(nonce=nonce)
    writer.run_group([original, replay_in_group])
    later = request(nonce=nonce)
    writer.run_group([later, request()])
    assert answer(original)[0] == 201  # type: ignore[index]
    for refused in (replay_in_group, later):
        assert isinstance(answer(refused), ApiError) and answer(refused).code == "replayed_request"  # type: ignore[union-attr]
    assert count(state, Ticket) == 2 and count(state, IdempotencyRecord) == 2


def test_the_database_rechecks_the_kiosk_and_a_refused_request_leaves_nothing(
    state: AppState, writer: TicketWriter
) -> None:
    with state.sessions() as session, session.begin():
        create_kiosk(session=session, kiosk_id="kiosk-b", secret="secret-of-kiosk-b", now=datetime.now(UTC))
        rotate_kiosk_secret(session=session, kiosk_id="kiosk-b")
    group = [request(), request("kiosk-b", "secret-of-kiosk-b"), request("kiosk-gone", "whatever")]
    writer.run_group(group)
    assert answer(group[0])[0] == 201  # type: ignore[index]
    assert [answer(r).code for r in group[1:]] == ["unauthenticated", "unknown_kiosk"]  # type: ignore[union-attr]
    assert (count(state, Ticket), count(state, KioskNonce), count(state, IdempotencyRecord)) == (1, 1, 1)


def test_a_reused_key_is_refused_and_gives_its_nonce_back(state: AppState, writer: TicketWriter) -> None:
    key = str(uuid.uuid4())
    writer.run_group([request(key=key, service="mynumber")])
    other = request(key=key, service="registration")
    writer.run_group([other, request()])
    assert answer(other).code == "idempotency_key_reused"  # type: ignore[union-attr]
    assert count(state, KioskNonce) == 2 and count(state, Ticket) == 2


def test_refusals_are_audited_a_4xx_answer_stored_a_5xx_claim_released(state: AppState, writer: TicketWriter) -> None:
    unknown, fine = request(service="parking"), request()
    writer.run_group([unknown, fine])
    assert answer(unknown)[1]["error"]["code"] == "unknown_service"  # type: ignore[index]
    assert answer(fine)[0] == 201  # type: ignore[index]
    retry = request(key=unknown.key, service="parking", fingerprint=unknown.fingerprint)
    writer.run_group([retry])
    assert answer(retry) == answer(unknown)  # the stored refusal
    with state.sessions() as session:
        outcomes = [(e.action, e.outcome) for e in audit.entries(session=session)]
    assert ("ticket.issue", "unknown_service") in outcomes


def test_a_closed_counter_keeps_the_nonce_but_not_the_claim(state: AppState, writer: TicketWriter) -> None:
    closed = request()
    writer_for(state, NEVER_OPEN).run_group([closed])
    status, body = answer(closed)  # type: ignore[misc]
    assert (status, body["error"]["code"]) == (503, "counter_closed")
    assert (count(state, KioskNonce), count(state, IdempotencyRecord), count(state, Ticket)) == (1, 0, 0)
    again = request(key=closed.key, fingerprint=closed.fingerprint)  # the same key once the counter opens
    writer.run_group([again])
    assert answer(again)[0] == 201  # type: ignore[index]


def test_one_failing_request_does_not_fail_the_others(state: AppState, writer: TicketWriter) -> None:
    broken = request()
    broken.fingerprint = None  # type: ignore[assignment]  # NOT NULL: the group's transaction fails
    group = [request(), broken, request()]
    writer.run_group(group)
    assert answer(group[0])[0] == 201 and answer(group[2])[0] == 201  # type: ignore[index]
    with pytest.raises(Exception):  # noqa: B017 - the database's own error, whatever its class
        broken.future.result(timeout=1)
    assert count(state, Ticket) == 2


def test_concurrent_requests_share_commits_and_get_distinct_numbers(state: AppState, writer: TicketWriter) -> None:
    requests = [request(service=("mynumber", "registration", "other")[i % 3]) for i in range(60)]
    start = threading.Barrier(len(requests))

    def send(req: TicketRequest) -> None:
        start.wait()
        asyncio.run(writer.issue(req))  # each thread its own event loop, as each server process has one

    def run() -> None:
        threads = [threading.Thread(target=send, args=(r,)) for r in requests]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    commits = commits_of(state, run)
    numbers = [answer(r)[1]["number"] for r in requests]  # type: ignore[index]
    assert len(set(numbers)) == 60 and count(state, Ticket) == 60
    assert commits < 60  # grouped: fewer commits than tickets
