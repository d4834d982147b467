"""Group commit for POST /v1/tickets: one writer thread per process commits the tickets asked for
meanwhile together, in one transaction, and answers each only after that commit.

Each request of a group takes the steps run_idempotent (server/api/idempotent.py) takes for one, with
the same functions: record_nonce (server/auth/kiosk.py: the replay check, and the database's re-check
that the kiosk is active with the secret the signature was verified with), claim_or_answer
(server/api/idempotency.py: a key already used gets its stored answer), the ticket
(server.tickets.service.issue_tickets, which numbers, stores and audits it), store_answer; a refusal
(closed, unknown service) gets its audit row (server/audit.py) and its answer stored (4xx) or its claim
released (5xx, so that a retry runs again). What the group shares is the transaction and its commit (one
fsync on SQLite, which stays at synchronous FULL) and one numbering statement per service. While one
group commits, the next one gathers, so there is no waiting on purpose: one kiosk alone gets a group of one.

A request's nonce and claim are taken in a savepoint: one refused before it is issued (a replay, an
unknown or revoked kiosk, a key reused for another request) leaves nothing behind, as run_idempotent's
rolled-back transaction does, and one whose key is claimed by a request still in progress (a twin, in
this group or another process) is tried again shortly. Should the group's transaction fail, each
request is tried again alone, so one bad request cannot fail the others; one that fails alone gets the
error (a database error answers 503, and a retry with the same key is safe: nothing was committed).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import queue
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.orm import Session, sessionmaker

from server import audit
from server.api.idempotency import StoredAnswer, claim_or_answer, release_claim, store_answer
from server.auth.kiosk import SignedRequest, record_nonce
from server.clock import Clock
from server.config import Settings
from server.db import WriteGate
from server.errors import ApiError
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


class _ClaimInProgressError(Exception):
    """The request's key is claimed by a request still in progress: try again shortly."""


Outcome = tuple[int, dict] | ApiError | _ClaimInProgressError


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
        it with a group of its choosing). A request whose key is claimed by one in progress is queued again."""
        try:
            outcomes = self._commit(group)
        except Exception as error:  # answered below, never lost
            if len(group) > 1:  # one bad request must not fail the others: each alone
                for request in group:
                    self.run_group([request])
            else:
                group[0].future.set_exception(error)
            return
        for request, outcome in zip(group, outcomes, strict=True):
            if isinstance(outcome, _ClaimInProgressError):
                self._retry_later(request)
            elif isinstance(outcome, ApiError):
                request.future.set_exception(outcome)
            else:
                request.future.set_result(outcome)

    def _retry_later(self, request: TicketRequest) -> None:
        if time.monotonic() > request.deadline:
            request.future.set_exception(ApiError("conflict"))
            return
        timer = threading.Timer(RETRY_SECONDS, self._put, (request,))
        timer.daemon = True
        timer.start()

    def _commit(self, group: list[TicketRequest]) -> list[Outcome]:
        now, today = self._clock.now(), self._clock.today()
        with self._gate.enter(), self._sessions() as session, session.begin():
            outcomes: list[Outcome | None] = [self._nonce_and_claim(session, request, now) for request in group]
            claimed = [index for index, outcome in enumerate(outcomes) if outcome is None]
            if claimed:
                self._issue(session, group, claimed, outcomes, now, today)
        self.groups += 1
        return outcomes  # type: ignore[return-value]  # every slot is filled

    def _nonce_and_claim(self, session: Session, request: TicketRequest, now: datetime) -> Outcome | None:
        """Record the request's nonce and claim its key, as run_idempotent does: None when it now owns the
        key, else its outcome (the key's stored answer, or a refusal that left nothing: the savepoint)."""
        try:
            with session.begin_nested():
                record_nonce(session=session, request=request.signed, now=now,
                             window_seconds=self._settings.auth_window_seconds)
                claim = claim_or_answer(session=session, kiosk_id=request.signed.kiosk_id, key=request.key,
                                        fingerprint=request.fingerprint, now=now)
                if claim is False:
                    raise _ClaimInProgressError
        except (ApiError, _ClaimInProgressError) as refused:
            return refused
        return (claim.status_code, claim.body) if isinstance(claim, StoredAnswer) else None

    def _issue(self, session: Session, group: list[TicketRequest], claimed: list[int], outcomes: list,
               now: datetime, today: date) -> None:
        """Issue the claimed requests' tickets, set their answers and store them; a refusal is audited and
        its answer stored (4xx) or its claim released (5xx, so that a retry runs again)."""
        issued = issue_tickets(session=session, catalog=self._catalog, hours=self._hours,
                               orders=[group[i].order for i in claimed], now=now, today=today)
        publics = _answers(session=session, catalog=self._catalog,
                           tickets=[t for t in issued if isinstance(t, Ticket)], now=now)
        for index, outcome in zip(claimed, issued, strict=True):
            request = group[index]
            kiosk_id = request.signed.kiosk_id
            if isinstance(outcome, Ticket):
                status, body = 201, {**publics[outcome.ticket_id],
                                     "status_url": f"{request.status_base}/t/{outcome.status_token}"}
            else:
                status, body = outcome.status, outcome.body()
                audit.record(session=session, at=now, actor_type="kiosk", actor_id=kiosk_id, action=AUDIT_ACTION,
                             outcome=outcome.code)
            if status < 500:
                store_answer(session=session, kiosk_id=kiosk_id, key=request.key, status_code=status, body=body)
            else:
                release_claim(session=session, kiosk_id=kiosk_id, key=request.key)
            outcomes[index] = (status, body)


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
