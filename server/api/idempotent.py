"""Run a kiosk state change once per idempotency key, in one transaction, and replay its answer."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server import audit
from server.domain.idempotency import find_answer, store_answer
from server.errors import ApiError
from server.state import AppState

Action = Callable[[Session], tuple[int, dict]]


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
    """First call: run `action` and store its answer with the key in the same transaction.
    Retry with the same key: the stored answer, nothing runs. A failed action changes nothing
    but its audit row and the stored error answer (errors from the platform being down, 5xx,
    are not stored, so a retry tries again)."""
    with state.sessions() as session:
        with session.begin():
            stored = find_answer(session=session, kiosk_id=kiosk_id, key=key, fingerprint=fingerprint)
        if stored is not None:
            return JSONResponse(stored.body, status_code=stored.status_code)
        now = state.clock.now()
        try:
            with session.begin():
                status_code, body = action(session)
                store_answer(
                    session=session, kiosk_id=kiosk_id, key=key, fingerprint=fingerprint,
                    status_code=status_code, body=body, now=now,
                )
            return JSONResponse(body, status_code=status_code)
        except ApiError as error:
            session.rollback()
            with session.begin():
                audit.record(
                    session=session, at=now, actor_type="kiosk", actor_id=kiosk_id, action=audit_action,
                    outcome=error.code, card_number=card_number,
                )
                if error.status < 500:
                    store_answer(
                        session=session, kiosk_id=kiosk_id, key=key, fingerprint=fingerprint,
                        status_code=error.status, body=error.body(), now=now,
                    )
            return JSONResponse(error.body(), status_code=error.status)
        except IntegrityError:
            # A concurrent request with the same key (or touching the same patron) won the race.
            session.rollback()
            with session.begin():
                stored = find_answer(session=session, kiosk_id=kiosk_id, key=key, fingerprint=fingerprint)
            if stored is not None:
                return JSONResponse(stored.body, status_code=stored.status_code)
            raise ApiError("conflict") from None
