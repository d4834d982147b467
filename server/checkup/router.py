"""The card check-up for kiosks: what the My Number card that signed a challenge is linked to."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from server.api.common import decode_base64
from server.api.deps import IdempotencyKeyDep, KioskDep, StateDep
from server.api.idempotency import request_fingerprint
from server.api.idempotent import run_idempotent
from server.api.schemas import ERROR_RESPONSES
from server.cards.schemas import CardResponse
from server.checkup import service as checkup
from server.checkup.schemas import CheckupPublic
from server.patrons.schemas import expiry_public

router = APIRouter(prefix="/v1/cards", tags=["cards"], responses=ERROR_RESPONSES)


@router.post("/by-mynumber/checkup", response_model=CheckupPublic)
def card_checkup(body: CardResponse, kiosk: KioskDep, key: IdempotencyKeyDep, state: StateDep) -> JSONResponse:
    """Card check-up: link scheme and library card of the My Number card that signed the challenge."""

    def action(session: Session) -> tuple[int, dict]:
        today = state.clock.today()
        found = checkup.check_up(
            session=session,
            trust=state.trust,
            connector=state.mykey,
            challenge_id=body.challenge_id,
            certificate_der=decode_base64(body.certificate, error_code="malformed_certificate"),
            signature=decode_base64(body.signature, error_code="bad_signature"),
            kiosk_id=kiosk.kiosk_id,
            now=state.clock.now(),
            today=today,
        )
        card = None
        if found.patron is not None and found.expiry is not None:
            card = expiry_public(card_number=found.patron.card_number, expiry=found.expiry, today=today)
        public = CheckupPublic(link=found.link, card=card, migration_reference=found.migration_reference,
                               reference=found.reference)
        return 200, public.model_dump(mode="json")

    return run_idempotent(
        state=state, kiosk_id=kiosk.kiosk_id, key=key, action=action, audit_action="checkup.card",
        fingerprint=request_fingerprint(method="POST", path="/v1/cards/by-mynumber/checkup",
                                        body=body.model_dump_json().encode()),
    )
