"""Group commit for POST /v1/tickets: one writer thread per process commits the tickets asked for
meanwhile together, in one transaction, and answers each only after that commit.

A ticket's request is signed, idempotent and audited exactly as run_idempotent (server/api/idempotent.py)
does it for one request; here a group of requests shares the transaction, the statements and the commit
(one fsync on SQLite, which stays at synchronous FULL). While one group commits, the next one gathers,
so there is no waiting on purpose: one kiosk alone gets a group of one. For each request, in one
transaction with the others:

1. the kiosks, as the database has them now (the signature was checked against the process's cached
   secret: a kiosk revoked or a secret rotated since is refused here, on every process);
2. the nonces, one INSERT ... ON CONFLICT DO NOTHING for the group: a nonce already stored is a replay;
3. the idempotency claims, one INSERT ... ON CONFLICT DO NOTHING: a key already used gets its stored
   answer (a twin of another process waits on the key's row on PostgreSQL and then finds it);
4. the tickets (server.tickets.service.issue_tickets: one numbering statement per service, one INSERT
   each for tickets, events and audit rows), or the refusal's audit row and answer;
5. the answers stored on the claims (one UPDATE, executemany), and one COMMIT.

A request refused before it is issued (replay, unknown kiosk, a key reused for another request)
leaves nothing behind, as in run_idempotent; one that must wait for a claim still in progress gives
its nonce back and is tried again. Two requests of one group with the same key or nonce are never
run side by side: the second waits for the next group, where it finds the first's answer (or is a
replay). Should the group's transaction fail, each request is tried again alone, so one bad request
cannot fail the others; one that fails alone gets the error (a database error answers 503, and a
retry with the same key is safe: nothing was committed).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import logging
import queue
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cache

from sqlalchemy import Insert, bindparam, delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from server import audit
from server.auth.kiosk import PRUNE_ONE_IN, SignedRequest
from server.clock import Clock
from server.config import Settings
from server.db import WriteGate, insert_for, table_of
from server.domain.idempotency import IN_PROGRESS, StoredAnswer, claim_or_answer
from server.errors import ApiError
from server.models import IdempotencyRecord, Kiosk, KioskNonce
from server.tickets import queries
from server.tickets.catalog import Catalog
from server.tickets.hours import OpeningHours
from server.tickets.models import Ticket
from server.tickets.schemas import TicketPublic
from server.tickets.service import TicketOrder, issue_tickets
from server.tickets.wait import estimate_wait_minutes

log = logging.getLogger("server.tickets.writer")

# At most this many requests share one transaction (a full group still commits in a few ms).
MAX_GROUP = 64
# The writer thread ends after this long without work, and starts again with the next request.
IDLE_SECONDS = 5.0
# A request waiting for another's claim in progress is tried again this often, this long at most
# (as run_idempotent: TWIN_WAIT_SECONDS), then answered "conflict".
RETRY_SECONDS, TWIN_WAIT_SECONDS = 0.05, 20.0
AUDIT_ACTION = "ticket.issue"

_KIOSKS = table_of(Kiosk)
_NONCES = table_of(KioskNonce)
_RECORDS = table_of(IdempotencyRecord)
_READ_KIOSKS = select(_KIOSKS.c.kiosk_id, _KIOSKS.c.secret, _KIOSKS.c.active).where(
    _KIOSKS.c.kiosk_id.in_(bindparam("b_ids", expanding=True)))
_FORGET_NONCE = delete(_NONCES).where(_NONCES.c.kiosk_id == bindparam("b_kiosk_id"),
                                      _NONCES.c.nonce == bindparam("b_nonce"))
_STORE_ANSWER = update(_RECORDS).where(_RECORDS.c.kiosk_id == bindparam("b_kiosk_id"),
                                       _RECORDS.c.key == bindparam("b_key"))
_RELEASE_CLAIM = delete(_RECORDS).where(_RECORDS.c.kiosk_id == bindparam("b_kiosk_id"),
                                        _RECORDS.c.key == bindparam("b_key"),
                                        _RECORDS.c.status_code == IN_PROGRESS)


@dataclass
class TicketRequest:
    """One signed request for a ticket, waiting for its group's commit."""

    signed: SignedRequest
    key: str
    fingerprint: str
    order: TicketOrder
    status_base: str  # the status page's base URL (the QR target is status_base + "/t/" + token)
    future: concurrent.futures.Future = field(default_factory=concurrent.futures.Future)
    deadline: float = field(default_factory=lambda: time.monotonic() + TWIN_WAIT_SECONDS)


class _Retry:
    """The request's key is claimed by a request still in progress: try again shortly."""


_RETRY = _Retry()
Outcome = tuple[int, dict] | ApiError | _Retry


class TicketWriter:
    """One per process: takes ticket requests from any thread or event loop and commits them in groups."""

    def __init__(self, *, sessions: sessionmaker[Session], write_gate: WriteGate, settings: Settings,
                 clock: Clock) -> None:
        self._sessions = sessions
        self._gate = write_gate
        self._settings = settings
        self._clock = clock
        self._catalog = Catalog.from_settings(settings)
        self._hours = OpeningHours.from_settings(settings)
        self._queue: queue.SimpleQueue[TicketRequest] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._running = False
        self.groups = 0  # transactions committed (for tests and the benchmark)

    async def issue(self, request: TicketRequest) -> tuple[int, dict]:
        """The answer (status, body) once committed; ApiError when refused before issuing."""
        self._put(request)
        return await asyncio.wrap_future(request.future)

    def issue_blocking(self, request: TicketRequest) -> tuple[int, dict]:
        """issue() for a caller without an event loop."""
        self._put(request)
        return request.future.result()

    def _put(self, request: TicketRequest) -> None:
        with self._lock:
            self._queue.put(request)
            if not self._running:
                self._running = True
                threading.Thread(target=self._run, name="ticket-writer", daemon=True).start()

    def _run(self) -> None:
        while True:
            try:
                first = self._queue.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                with self._lock:
                    if self._queue.empty():
                        self._running = False
                        return
                continue
            group = [first]
            while len(group) < MAX_GROUP:
                try:
                    group.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            # A request whose caller gave up before it was taken is dropped; once taken it is no longer
            # cancellable, and its answer is stored for the caller's retry with the same key.
            group = [r for r in group if r.future.running() or r.future.set_running_or_notify_cancel()]
            try:
                if group:
                    self.run_group(group)
            except Exception:  # a bug here must not stop this process's tickets: each is answered
                log.exception("ticket writer: a group failed")
                for request in group:
                    if not request.future.done():
                        request.future.set_exception(ApiError("internal_error"))

    def run_group(self, group: list[TicketRequest]) -> None:
        """Commit these requests as one group and answer each (the writer thread's step; a test may call
        it with a group of its choosing). Requests set aside (twins, claims in progress) are queued again."""
        now_in_group, later = _without_twins(group)
        try:
            outcomes = self._commit(now_in_group)
        except Exception as error:  # answered below, never lost
            if len(now_in_group) > 1:  # one bad request must not fail the others: each alone
                for request in now_in_group:
                    self.run_group([request])
            else:
                now_in_group[0].future.set_exception(error)
            outcomes = None
        if outcomes is not None:
            for request, outcome in zip(now_in_group, outcomes, strict=True):
                if isinstance(outcome, _Retry):
                    self._retry_later(request)
                elif isinstance(outcome, ApiError):
                    request.future.set_exception(outcome)
                else:
                    request.future.set_result(outcome)
        for request in later:
            self._put(request)  # with the next group

    def _retry_later(self, request: TicketRequest) -> None:
        if time.monotonic() > request.deadline:
            request.future.set_exception(ApiError("conflict"))
            return
        timer = threading.Timer(RETRY_SECONDS, self._put, (request,))
        timer.daemon = True
        timer.start()

    def _commit(self, group: list[TicketRequest]) -> list[Outcome]:
        now, today = self._clock.now(), self._clock.today()
        outcomes: list[Outcome | None] = [None] * len(group)
        with self._gate.enter(), self._sessions() as session, session.begin():
            connection = session.connection()
            signed_in = self._record_nonces(session, group, outcomes, now)
            claimed = self._claim_keys(session, group, signed_in, outcomes, now)
            self._issue(session, group, claimed, outcomes, now, today)
            answers = [{"b_kiosk_id": r.signed.kiosk_id, "b_key": r.key, "status_code": o[0],
                        "response_body": json.dumps(o[1], ensure_ascii=False, default=str)}
                       for i, (r, o) in enumerate(zip(group, outcomes, strict=True))
                       if i in claimed and isinstance(o, tuple)]
            if answers:
                connection.execute(_STORE_ANSWER, answers)
            if secrets.randbelow(PRUNE_ONE_IN) < len(group):  # as record_nonce: about one request in 64
                window = timedelta(seconds=2 * self._settings.auth_window_seconds)
                connection.execute(delete(_NONCES).where(_NONCES.c.seen_at < now - window))
        self.groups += 1
        return outcomes  # type: ignore[return-value]  # every slot is filled

    def _record_nonces(self, session: Session, group: list[TicketRequest], outcomes: list, now: datetime
                       ) -> list[int]:
        """Store the nonces of the requests whose kiosk the database still has active with the secret
        they were verified with; the indexes of those requests (the others are refused with 401)."""
        connection = session.connection()
        ids = sorted({r.signed.kiosk_id for r in group})
        keys = {row.kiosk_id: row for row in connection.execute(_READ_KIOSKS, {"b_ids": ids})}
        candidates = []
        for index, request in enumerate(group):
            key = keys.get(request.signed.kiosk_id)
            if key is None or not key.active:
                outcomes[index] = ApiError("unknown_kiosk")
            elif key.secret != request.signed.secret:
                outcomes[index] = ApiError("unauthenticated")
            else:
                candidates.append(index)
        if not candidates:
            return []
        rows = [{"kiosk_id": group[i].signed.kiosk_id, "nonce": group[i].signed.nonce, "seen_at": now}
                for i in candidates]
        stored = {tuple(row) for row in connection.execute(_insert_nonces(connection.dialect.name), rows)}
        signed_in = []
        for index in candidates:
            if (group[index].signed.kiosk_id, group[index].signed.nonce) in stored:
                signed_in.append(index)
            else:
                outcomes[index] = ApiError("replayed_request")
        return signed_in

    def _claim_keys(self, session: Session, group: list[TicketRequest], signed_in: list[int], outcomes: list,
                    now: datetime) -> set[int]:
        """Claim the keys; the requests that now own theirs. A key already answered gets that answer; a
        request that cannot go on (key reused, claim in progress) gives its nonce back."""
        if not signed_in:
            return set()
        connection = session.connection()
        rows = [{"kiosk_id": group[i].signed.kiosk_id, "key": group[i].key, "request_hash": group[i].fingerprint,
                 "status_code": IN_PROGRESS, "response_body": "{}", "created_at": now} for i in signed_in]
        fresh = {tuple(row) for row in connection.execute(_claim_keys(connection.dialect.name), rows)}
        claimed: set[int] = set()
        for index in signed_in:
            request = group[index]
            if (request.signed.kiosk_id, request.key) in fresh:
                claimed.add(index)
                continue
            outcome: StoredAnswer | bool | ApiError
            try:  # the key was used before (rare): the same reading as run_idempotent's
                outcome = claim_or_answer(session=session, kiosk_id=request.signed.kiosk_id, key=request.key,
                                          fingerprint=request.fingerprint, now=now)
            except ApiError as error:
                outcome = error
            if outcome is True:
                claimed.add(index)
            elif isinstance(outcome, StoredAnswer):
                outcomes[index] = (outcome.status_code, outcome.body)
            else:
                outcomes[index] = _RETRY if outcome is False else outcome
                connection.execute(_FORGET_NONCE, {"b_kiosk_id": request.signed.kiosk_id,
                                                   "b_nonce": request.signed.nonce})
        return claimed

    def _issue(self, session: Session, group: list[TicketRequest], claimed: set[int], outcomes: list,
               now: datetime, today: date) -> None:
        """Issue the claimed requests' tickets and set their answers; a refusal is audited and its answer
        stored (4xx) or its claim released (5xx, so that a retry runs again)."""
        indexes = sorted(claimed)
        if not indexes:
            return
        issued = issue_tickets(session=session, catalog=self._catalog, hours=self._hours,
                               orders=[group[i].order for i in indexes], now=now, today=today)
        tickets = [t for t in issued if isinstance(t, Ticket)]
        publics = _answers(session=session, catalog=self._catalog, tickets=tickets, now=now)
        refusals = []
        for index, outcome in zip(indexes, issued, strict=True):
            request = group[index]
            if isinstance(outcome, Ticket):
                public = publics[outcome.ticket_id]
                outcomes[index] = (201, {**public, "status_url": f"{request.status_base}/t/{outcome.status_token}"})
                continue
            refusals.append({"at": now, "actor_type": "kiosk", "actor_id": request.signed.kiosk_id,
                             "action": AUDIT_ACTION, "outcome": outcome.code, "card_number": None, "detail": None})
            outcomes[index] = (outcome.status, outcome.body())
            if outcome.status >= 500:
                claimed.discard(index)  # its answer is not stored
                session.connection().execute(_RELEASE_CLAIM, {"b_kiosk_id": request.signed.kiosk_id,
                                                              "b_key": request.key})
        audit.append_many(session=session, rows=refusals)


def _answers(*, session: Session, catalog: Catalog, tickets: list[Ticket], now: datetime) -> dict[str, dict]:
    """Each new ticket's answer (without its status_url): its position and estimated wait, read once per
    service for the whole group (the group's tickets of a service are consecutive and all waiting)."""
    answers: dict[str, dict] = {}
    by_service: dict[str, list[Ticket]] = {}
    for ticket in tickets:
        by_service.setdefault(ticket.service, []).append(ticket)
    for service_id, of_service in by_service.items():
        first = min(t.seq for t in of_service)
        day = of_service[0].day
        before = queries.waiting_before(session=session, service=service_id, day=day, seq=first)
        basis = None
        names = catalog.service(service_id)
        for ticket in of_service:
            ahead = before + ticket.seq - first
            if ahead > 0 and basis is None:
                basis = queries.wait_basis(session=session, service=service_id, day=day, now=now)
            minutes = (estimate_wait_minutes(people_ahead=ahead, service_minutes=basis[0], counters_serving=basis[1])
                       if basis is not None and ahead > 0 else 0)
            answers[ticket.ticket_id] = TicketPublic(
                ticket_id=ticket.ticket_id, number=ticket.number, service=ticket.service,
                service_ja=names.name_ja, service_en=names.name_en,
                issued_at=queries.aware(ticket.issued_at).astimezone(queries.LIBRARY_TZ),
                people_ahead=ahead, wait_minutes=minutes, status_url="", status=ticket.status, printed=False,
            ).model_dump(mode="json")
    return answers


def _without_twins(group: list[TicketRequest]) -> tuple[list[TicketRequest], list[TicketRequest]]:
    """The group without a second request of one kiosk with a key or nonce already in it (for the next)."""
    keys: set[tuple[str, str]] = set()
    nonces: set[tuple[str, str]] = set()
    now_in_group, later = [], []
    for request in group:
        key, nonce = (request.signed.kiosk_id, request.key), (request.signed.kiosk_id, request.signed.nonce)
        if key in keys or nonce in nonces:
            later.append(request)
        else:
            keys.add(key)
            nonces.add(nonce)
            now_in_group.append(request)
    return now_in_group, later


@cache
def _insert_nonces(dialect_name: str) -> Insert:
    # RETURNING says which went in: a nonce left out was stored before (a replay).
    return (insert_for(dialect_name)(_NONCES).on_conflict_do_nothing()
            .returning(_NONCES.c.kiosk_id, _NONCES.c.nonce))


@cache
def _claim_keys(dialect_name: str) -> Insert:
    # RETURNING says which keys this group now owns: a key left out was used before.
    return (insert_for(dialect_name)(_RECORDS).on_conflict_do_nothing()
            .returning(_RECORDS.c.kiosk_id, _RECORDS.c.key))

