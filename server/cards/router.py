"""Card routes for kiosks: the challenge a My Number card signs, and card expiry (by library card number, or by
My Number card via its linkage). The check-up (/v1/cards/by-mynumber/checkup) is server/checkup/router.py."""

from __future__ import annotations

import base64

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from server import audit
from server.api.common import decode_base64
from server.api.deps import IdempotencyKeyDep, KioskDep, SessionDep, SignedKioskDep, StateDep
from server.api.idempotency import request_fingerprint
from server.api.idempotent import run_idempotent
from server.api.schemas import ERROR_RESPONSES
from server.auth.kiosk import SignedRequest
from server.cards import service
from server.cards.expiry import expiry_by_card_response
from server.cards.schemas import CardResponse, ChallengeCreate, ChallengePublic
from server.patrons.schemas import ExpiryPublic, expiry_public, month_only
from server.state import AppState

router = APIRouter(prefix="/v1/cards", tags=["cards"], responses=ERROR_RESPONSES)

CHALLENGES_PATH = "/v1/cards/challenges"


def issue_challenge(*, state: AppState, kiosk: SignedRequest, key: str, path: str,
                    audit_action: str) -> JSONResponse:
    """A single-use challenge for the card to sign, at ``path`` (this route, or the migration's old alias)."""

    def action(_session):  # type: ignore[no-untyped-def]
        challenge = service.issue_challenge(state.mykey)
        public = ChallengePublic(
            challenge_id=challenge.challenge_id,
            challenge=base64.b64encode(challenge.data).decode(),
            expires_at=challenge.expires_at,
        )
        return 201, public.model_dump(mode="json")

    return run_idempotent(
        state=state, kiosk=kiosk, key=key, action=action, audit_action=audit_action,
        fingerprint=request_fingerprint(method="POST", path=path, body=b"{}"),
    )


@router.post("/challenges", response_model=ChallengePublic, status_code=201)
def create_challenge(
    body: ChallengeCreate, kiosk: SignedKioskDep, key: IdempotencyKeyDep, state: StateDep
) -> JSONResponse:
    """A single-use challenge from the MyKey platform for the My Number card to sign: the card's proof for
    the migration, the expiry by card, the check-up and the renewal."""
    return issue_challenge(state=state, kiosk=kiosk, key=key, path=CHALLENGES_PATH, audit_action="card.challenge")


@router.get("/{card_number}/expiry", response_model=ExpiryPublic)
def card_expiry(card_number: str, kiosk: KioskDep, session: SessionDep, state: StateDep) -> ExpiryPublic:
    """Expiry of a library card (有効期限は登録・更新から3年後のお誕生日まで), to the month unless configured."""
    today = state.clock.today()
    # The database, or the ILS over SIP2 (settings.patron_source); nothing is written to the ILS.
    standing = state.patrons.standing(session=session, card_number=card_number, today=today)
    audit.record(
        session=session, at=state.clock.now(), actor_type="kiosk", actor_id=kiosk.kiosk_id,
        action="expiry.check", outcome="ok", card_number=standing.card_number,
    )
    session.commit()
    public = expiry_public(card_number=standing.card_number, expiry=standing.expiry, today=today)
    # Anyone can type a card number: the exact day would be the patron's birthday (where it is one).
    month = state.settings.typed_number_expiry_precision == "month" and standing.day_is_birthday
    return month_only(public) if month else public


@router.post("/by-mynumber/expiry", response_model=ExpiryPublic)
def card_expiry_by_mynumber(
    body: CardResponse, kiosk: KioskDep, key: IdempotencyKeyDep, state: StateDep
) -> JSONResponse:
    """Expiry of the library card linked to the My Number card that signed the challenge."""

    def action(session: Session) -> tuple[int, dict]:
        today = state.clock.today()
        patron, expiry = expiry_by_card_response(
            session=session,
            trust=state.trust,
            connector=state.mykey,
            challenge_id=body.challenge_id,
            certificate_der=decode_base64(body.certificate, error_code="malformed_certificate"),
            signature=decode_base64(body.signature, error_code="bad_signature"),
            now=state.clock.now(),
            today=today,
            patrons=state.patrons,
        )
        audit.record(
            session=session, at=state.clock.now(), actor_type="kiosk", actor_id=kiosk.kiosk_id,
            action="expiry.check_mynumber", outcome="ok", card_number=patron.card_number,
        )
        return 200, expiry_public(card_number=patron.card_number, expiry=expiry, today=today).model_dump(mode="json")

    return run_idempotent(
        state=state, kiosk_id=kiosk.kiosk_id, key=key, action=action, audit_action="expiry.check_mynumber",
        fingerprint=request_fingerprint(method="POST", path="/v1/cards/by-mynumber/expiry",
                                        body=body.model_dump_json().encode()),
    )
