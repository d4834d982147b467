"""A kiosk state change is one transaction, on SQLite and on PostgreSQL: the request's nonce, the
idempotency claim, the change, its audit row and the stored answer commit together (once), or not
at all. The kiosk secret cache is only a cache: the nonce insert re-checks the kiosk in the database."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import event, func, select

from protocol import signing
from server import audit
from server.api.idempotency import IdempotencyRecord
from server.api.idempotent import run_idempotent
from server.audit import AuditEntry
from server.auth.kiosk import SignedRequest, check_signature, record_nonce, signed_headers
from server.auth.models import Kiosk, KioskNonce
from server.errors import ERRORS, ApiError
from server.fleet.service import rotate_kiosk_secret
from server.state import AppState
from server.tickets import service
from server.tickets.catalog import Catalog
from server.tickets.events import CHANNEL
from server.tickets.hours import OpeningHours
from server.tickets.models import QueueEvent, Ticket

KIOSK_ID, SECRET = "kiosk-demo-01", "test-kiosk-secret-0123456789"
ALWAYS_OPEN = OpeningHours(weekday=(0, 1440), weekend=(0, 1440), closed_weekdays=frozenset(),
                           closed_dates=frozenset(), open_on_public_holidays=True)
NEVER_OPEN = OpeningHours(weekday=(0, 0), weekend=(0, 0), closed_weekdays=frozenset(range(7)),
                          closed_dates=frozenset(), open_on_public_holidays=False)


def signed_request(state: AppState, body: bytes = b'{"service": "mynumber"}') -> SignedRequest:
    """Verified the way authenticated_kiosk does it: against the per-process key cache."""
    headers = {k.lower(): v for k, v in signing.signed_headers(
        kiosk_id=KIOSK_ID, secret=SECRET, method="POST", path_with_query="/v1/tickets", body=body,
        now=state.clock.now().timestamp()).items()}
    signed = signed_headers(headers=headers, now=state.clock.now(), window_seconds=120)
    key = state.kiosk_keys.cached(KIOSK_ID) or state.kiosk_keys.load(KIOSK_ID)
    return check_signature(signed=signed, key=key, method="POST", path_with_query="/v1/tickets", body=body)


def issue(state: AppState, kiosk: SignedRequest, key: str, hours: OpeningHours = ALWAYS_OPEN) -> tuple[int, dict]:
    def action(session):  # type: ignore[no-untyped-def]
        ticket = service.issue_ticket(session=session, catalog=Catalog.from_settings(state.settings), hours=hours,
                                      service_id="mynumber", kiosk_id=KIOSK_ID, now=state.clock.now(),
                                      today=state.clock.today())
        return 201, {"ticket_id": ticket.ticket_id, "number": ticket.number}

    response = run_idempotent(state=state, kiosk=kiosk, key=key, fingerprint="f-" + key, action=action,
                              audit_action="ticket.issue")
    return response.status_code, json.loads(response.body)


def count(state: AppState, model) -> int:  # type: ignore[no-untyped-def]
    with state.sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_ticket_commits_once_and_its_nonce_with_it(state: AppState) -> None:
    commits: list[int] = []
    listener = lambda _connection: commits.append(1)  # noqa: E731
    event.listen(state.engine, "commit", listener)
    try:
        status, answer = issue(state, signed_request(state), str(uuid.uuid4()))
    finally:
        event.remove(state.engine, "commit", listener)
    assert status == 201 and answer["number"] == "M-001"
    assert len(commits) == 1
    with state.sessions() as session:
        assert session.scalar(select(func.count()).select_from(KioskNonce)) == 1
        assert session.scalar(select(IdempotencyRecord.status_code)) == 201
        assert [e.action for e in audit.entries(session=session)][-1:] == ["ticket.issue"]


def test_a_replayed_nonce_leaves_nothing_behind(state: AppState) -> None:
    kiosk = signed_request(state)
    assert issue(state, kiosk, str(uuid.uuid4()))[0] == 201
    before = (count(state, Ticket), count(state, IdempotencyRecord), count(state, AuditEntry))
    with pytest.raises(ApiError) as info:
        issue(state, kiosk, str(uuid.uuid4()))  # the same signed request, a new key
    assert info.value.code == "replayed_request"
    assert (count(state, Ticket), count(state, IdempotencyRecord), count(state, AuditEntry)) == before


def test_a_retry_with_the_key_gets_the_first_answer_and_spends_its_own_nonce(state: AppState) -> None:
    key = str(uuid.uuid4())
    first = issue(state, signed_request(state), key)
    retry = signed_request(state)
    assert issue(state, retry, key) == first
    assert count(state, Ticket) == 1
    with pytest.raises(ApiError) as info:
        issue(state, retry, str(uuid.uuid4()))
    assert info.value.code == "replayed_request"


def test_a_refused_change_is_undone_but_its_nonce_answer_and_audit_stay(state: AppState) -> None:
    key = str(uuid.uuid4())
    kiosk = signed_request(state)

    def writes_then_refuses(session):  # type: ignore[no-untyped-def]
        audit.append(session=session, at=state.clock.now(), actor_type="kiosk", actor_id=KIOSK_ID,
                     action="half.done", outcome="ok")
        raise ApiError("unknown_service")

    response = run_idempotent(state=state, kiosk=kiosk, key=key, fingerprint="f", action=writes_then_refuses,
                              audit_action="ticket.issue")
    assert response.status_code == ERRORS["unknown_service"].status
    with state.sessions() as session:
        actions = [(e.action, e.outcome) for e in audit.entries(session=session)]
    assert ("half.done", "ok") not in actions and ("ticket.issue", "unknown_service") in actions
    again = run_idempotent(state=state, kiosk=signed_request(state), key=key, fingerprint="f",
                           action=writes_then_refuses, audit_action="ticket.issue")
    assert (again.status_code, again.body) == (response.status_code, response.body)  # the stored answer
    with pytest.raises(ApiError) as info:
        issue(state, kiosk, str(uuid.uuid4()))
    assert info.value.code == "replayed_request"


def test_a_5xx_refusal_keeps_the_nonce_but_not_the_claim(state: AppState) -> None:
    key = str(uuid.uuid4())
    status, answer = issue(state, signed_request(state), key, hours=NEVER_OPEN)
    assert (status, answer["error"]["code"]) == (503, "counter_closed")
    assert count(state, IdempotencyRecord) == 0 and count(state, Ticket) == 0
    assert count(state, KioskNonce) == 1
    # The same key once the counter opens: issued (the refusal was not stored).
    assert issue(state, signed_request(state), key)[0] == 201


def test_the_nonce_insert_rechecks_a_cached_kiosk_in_the_database(state: AppState) -> None:
    cached = signed_request(state)  # its secret now sits in the process's cache
    with state.sessions() as session, session.begin():
        rotate_kiosk_secret(session=session, kiosk_id=KIOSK_ID)
    stale = signed_request(state)  # still verified against the cached (old) secret
    assert stale.secret == cached.secret
    with pytest.raises(ApiError) as info, state.sessions() as session, session.begin():
        record_nonce(session=session, request=stale, now=state.clock.now(), window_seconds=120)
    assert info.value.code == "unauthenticated"
    with state.sessions() as session, session.begin():
        session.get(Kiosk, KIOSK_ID).active = False  # type: ignore[union-attr]
    with pytest.raises(ApiError) as info, state.sessions() as session, session.begin():
        record_nonce(session=session, request=stale, now=state.clock.now(), window_seconds=120)
    assert info.value.code == "unknown_kiosk"
    assert count(state, KioskNonce) == 0  # neither refusal left its nonce


def test_an_issued_ticket_is_published_and_audited_in_its_transaction(state: AppState) -> None:
    listener = None
    if state.engine.dialect.name == "postgresql":  # the NOTIFY rides in the same statement as the rows
        import psycopg

        url = state.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        listener = psycopg.connect(url, autocommit=True)
        listener.execute(f"LISTEN {CHANNEL}")
    try:
        status, answer = issue(state, signed_request(state), str(uuid.uuid4()))
        assert status == 201
        with state.sessions() as session:
            event = session.scalars(select(QueueEvent).order_by(QueueEvent.id.desc())).first()
            entry = audit.entries(session=session)[-1]
        assert event is not None and (event.kind, event.detail) == (
            "ticket.issued", {"service": "mynumber", "number": answer["number"]})
        assert (entry.action, entry.actor_id, entry.detail["number"]) == ("ticket.issue", KIOSK_ID, answer["number"])
        if listener is not None:
            payloads = [n.payload for n in listener.notifies(timeout=5, stop_after=1)]
            assert payloads == [str(event.id)]
    finally:
        if listener is not None:
            listener.close()
