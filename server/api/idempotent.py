"""Run a kiosk state change once per idempotency key, in one transaction, and replay its answer."""

from __future__ import annotations

import time
from collections.abc import Callable

from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from server import audit
from server.auth.kiosk import AuthenticatedKiosk, SignedRequest, record_nonce
from server.domain.idempotency import StoredAnswer, claim_or_answer, release_claim, store_answer
from server.errors import ApiError
from server.state import AppState

Action = Callable[[Session], tuple[int, dict]]
# How long a retry waits for a claim still in progress before answering "conflict".
TWIN_WAIT_SECONDS = 20.0


class _ClaimInProgressError(Exception):
    """The key's claim is still someone else's: roll back and try again shortly."""


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
    with session.begin():
        if unrecorded is not None:
            record_nonce(session=session, request=unrecorded, now=now,
                         window_seconds=state.settings.auth_window_seconds)
        outcome = claim_or_answer(session=session, kiosk_id=kiosk_id, key=key, fingerprint=fingerprint, now=now)
        if isinstance(outcome, StoredAnswer):
            return JSONResponse(outcome.body, status_code=outcome.status_code)
        if not outcome:
            raise _ClaimInProgressError
        try:
            # A savepoint: a refused change is undone, the nonce and the claim stay.
            with session.begin_nested():
                status_code, body = action(session)
                store_answer(session=session, kiosk_id=kiosk_id, key=key, status_code=status_code, body=body)
        except ApiError as error:
            audit.record(
                session=session, at=now, actor_type="kiosk", actor_id=kiosk_id, action=audit_action,
                outcome=error.code, card_number=card_number,
            )
            if error.status < 500:
                store_answer(session=session, kiosk_id=kiosk_id, key=key, status_code=error.status,
                             body=error.body())
            else:
                release_claim(session=session, kiosk_id=kiosk_id, key=key)
            return JSONResponse(error.body(), status_code=error.status)
    return JSONResponse(body, status_code=status_code)
