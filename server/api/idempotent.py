"""Run a kiosk state change once per idempotency key, in one transaction, and replay its answer."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from server import audit
from server.api.idempotency import StoredAnswer, claim_or_answer, release_claim, store_answer
from server.auth.kiosk import AuthenticatedKiosk, SignedRequest, record_nonce
from server.errors import ApiError
from server.state import AppState

Action = Callable[[Session], tuple[int, dict]]
# How long a retry waits for a claim still in progress before answering "conflict".
TWIN_WAIT_SECONDS = 20.0


class _ClaimInProgressError(Exception):
    """The key's claim is still someone else's: roll back and try again shortly."""


class _RefusedError(Exception):
    """The action refused (ApiError): carried out of its transaction so that it rolls back."""

    def __init__(self, error: ApiError) -> None:
        super().__init__(error.code)
        self.error = error


def run_idempotent(
    *,
    state: AppState,
    key: str,
    fingerprint: str,
    action: Action,
    audit_action: str,
    kiosk: SignedRequest | AuthenticatedKiosk | None = None,
    kiosk_id: str | None = None,
    card_number: str | None = None,
) -> JSONResponse:
    """First call: run `action` and store its answer under the key. Retry with the same key: the stored
    answer. One transaction holds it all: the request's nonce (when `kiosk` is a SignedRequest whose
    nonce is not recorded yet), the key's claim, the change, its answer and audit rows, so a ticket
    commits once. A failed action changes nothing but its audit row and the stored error answer;
    errors of 5xx kind (the platform down) are not stored, so a retry runs again."""
    if kiosk is not None:
        kiosk_id = kiosk.kiosk_id
    if kiosk_id is None:
        raise TypeError("run_idempotent needs the kiosk")
    unrecorded = kiosk if isinstance(kiosk, SignedRequest) else None
    deadline = time.monotonic() + TWIN_WAIT_SECONDS
    while True:
        try:
            with state.write_gate.enter(), state.sessions() as session:
                return _run_once(state=state, session=session, kiosk_id=kiosk_id, unrecorded=unrecorded, key=key,
                                 fingerprint=fingerprint, action=action, audit_action=audit_action,
                                 card_number=card_number)
        except _ClaimInProgressError:
            if time.monotonic() > deadline:
                raise ApiError("conflict") from None
            time.sleep(0.05)


def _run_once(
    *, state: AppState, session: Session, kiosk_id: str, unrecorded: SignedRequest | None, key: str,
    fingerprint: str, action: Action, audit_action: str, card_number: str | None,
) -> JSONResponse:
    now = state.clock.now()
    try:
        with session.begin():
            outcome = _nonce_and_claim(state=state, session=session, kiosk_id=kiosk_id, unrecorded=unrecorded,
                                       key=key, fingerprint=fingerprint, now=now)
            if isinstance(outcome, StoredAnswer):
                return JSONResponse(outcome.body, status_code=outcome.status_code)
            try:
                status_code, body = action(session)
            except ApiError as error:
                raise _RefusedError(error) from error  # leaves the transaction: rolled back
            store_answer(session=session, kiosk_id=kiosk_id, key=key, status_code=status_code, body=body)
        return JSONResponse(body, status_code=status_code)
    except _RefusedError as wrapper:
        refused = wrapper.error
    # The action refused: its transaction is rolled back whole (no savepoint round trips on the way of
    # every ticket), and the refusal is recorded in a new one with the nonce and the claim. Should a twin
    # or a replay of this very request have got in between, that one's outcome stands, as for any twin.
    with session.begin():
        outcome = _nonce_and_claim(state=state, session=session, kiosk_id=kiosk_id, unrecorded=unrecorded, key=key,
                                   fingerprint=fingerprint, now=now)
        if isinstance(outcome, StoredAnswer):
            return JSONResponse(outcome.body, status_code=outcome.status_code)
        audit.record(session=session, at=now, actor_type="kiosk", actor_id=kiosk_id, action=audit_action,
                     outcome=refused.code, card_number=card_number)
        if refused.status < 500:
            store_answer(session=session, kiosk_id=kiosk_id, key=key, status_code=refused.status,
                         body=refused.body())
        else:
            release_claim(session=session, kiosk_id=kiosk_id, key=key)
    return JSONResponse(refused.body(), status_code=refused.status)


def _nonce_and_claim(
    *, state: AppState, session: Session, kiosk_id: str, unrecorded: SignedRequest | None, key: str,
    fingerprint: str, now: datetime,
) -> StoredAnswer | bool:
    """Record the nonce (when not yet) and claim the key, in the caller's transaction; the stored answer
    when the key has one, else True; _ClaimInProgressError while another's claim is in progress."""
    if unrecorded is not None:
        record_nonce(session=session, request=unrecorded, now=now, window_seconds=state.settings.auth_window_seconds)
    outcome = claim_or_answer(session=session, kiosk_id=kiosk_id, key=key, fingerprint=fingerprint, now=now)
    if outcome is False:
        raise _ClaimInProgressError
    return outcome
