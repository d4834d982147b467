"""Run a kiosk state change once per idempotency key, in one transaction, and replay its answer."""

from __future__ import annotations

import time
from collections.abc import Callable

from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from server import audit
from server.domain.idempotency import StoredAnswer, claim_or_answer, release_claim, store_answer
from server.errors import ApiError
from server.state import AppState

Action = Callable[[Session], tuple[int, dict]]
# How long a retry waits for its twin (same key, still running) before answering "conflict".
TWIN_WAIT_SECONDS = 20.0


def run_idempotent(
    *,
    state: AppState,
    kiosk_id: str,
    key: str,
    fingerprint: str,
    action: Action,
    audit_action: str,
    card_number: str | None = None,
) -> JSONResponse:
    """First call: claim the key, run `action`, store its answer in the action's transaction.
    Retry with the same key: the stored answer (after waiting for a twin still running).
    A failed action changes nothing but its audit row and the stored error answer; errors
    of 5xx kind (the platform down) are not stored, so a retry runs again."""
    with state.sessions() as session:
        deadline = time.monotonic() + TWIN_WAIT_SECONDS
        while True:
            outcome = claim_or_answer(
                session=session, kiosk_id=kiosk_id, key=key, fingerprint=fingerprint, now=state.clock.now()
            )
            if isinstance(outcome, StoredAnswer):
                return JSONResponse(outcome.body, status_code=outcome.status_code)
            if outcome:
                break
            if time.monotonic() > deadline:
                raise ApiError("conflict")
            time.sleep(0.05)
        now = state.clock.now()
        try:
            with session.begin():
                status_code, body = action(session)
                store_answer(session=session, kiosk_id=kiosk_id, key=key, status_code=status_code, body=body)
            return JSONResponse(body, status_code=status_code)
        except ApiError as error:
            session.rollback()
            with session.begin():
                audit.record(
                    session=session, at=now, actor_type="kiosk", actor_id=kiosk_id, action=audit_action,
                    outcome=error.code, card_number=card_number,
                )
                if error.status < 500:
                    store_answer(session=session, kiosk_id=kiosk_id, key=key, status_code=error.status,
                                 body=error.body())
            if error.status >= 500:
                release_claim(session=session, kiosk_id=kiosk_id, key=key)
            return JSONResponse(error.body(), status_code=error.status)
        except Exception:
            session.rollback()
            release_claim(session=session, kiosk_id=kiosk_id, key=key)
            raise
