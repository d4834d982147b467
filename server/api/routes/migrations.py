"""Kiosk side of the MyKey migration: the card's answer to a challenge (POST /v1/cards/challenges).

``/v1/migrations/challenges`` is the challenge's old path, kept as a deprecated alias while kiosks of the
previous version (which fetch it there) are in service."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from server.api.common import decode_base64
from server.api.deps import IdempotencyKeyDep, SignedKioskDep, StateDep
from server.api.idempotency import request_fingerprint
from server.api.idempotent import run_idempotent
from server.api.schemas import ERROR_RESPONSES
from server.cards import router as cards
from server.cards.schemas import ChallengeCreate, ChallengePublic
from server.domain import migration
from server.patrons.card_numbers import audit_card
from server.schemas import MigrationCreate, MigrationPublic

router = APIRouter(prefix="/v1/migrations", tags=["migrations"], responses=ERROR_RESPONSES)


@router.post("/challenges", response_model=ChallengePublic, status_code=201, deprecated=True)
def create_challenge(
    body: ChallengeCreate, kiosk: SignedKioskDep, key: IdempotencyKeyDep, state: StateDep
) -> JSONResponse:
    """Deprecated: the old path of POST /v1/cards/challenges, the same single-use challenge, for kiosks of
    the previous version."""
    return cards.issue_challenge(state=state, kiosk=kiosk, key=key, path="/v1/migrations/challenges",
                                 audit_action="migration.challenge")


@router.post("", response_model=MigrationPublic, status_code=201)
def create_migration(
    body: MigrationCreate, kiosk: SignedKioskDep, key: IdempotencyKeyDep, state: StateDep
) -> JSONResponse:
    """Verify the card's answer and switch the card's link to the MyKey scheme (or hold it for staff)."""

    def action(session):  # type: ignore[no-untyped-def]
        result = migration.migrate(
            session=session,
            trust=state.trust,
            connector=state.mykey,
            card_number=body.card_number,
            challenge_id=body.challenge_id,
            certificate_der=decode_base64(body.certificate, error_code="malformed_certificate"),
            signature=decode_base64(body.signature, error_code="bad_signature"),
            birth_date=body.birth_date,
            kiosk_id=kiosk.kiosk_id,
            policy=state.settings.migration_policy,
            now=state.clock.now(),
        )
        public = MigrationPublic(
            status=result.status, card_number=result.card_number, reference_code=result.reference_code
        )
        return 201, public.model_dump(mode="json")

    return run_idempotent(
        state=state, kiosk=kiosk, key=key, action=action, audit_action="migration.submit",
        fingerprint=request_fingerprint(method="POST", path="/v1/migrations", body=body.model_dump_json().encode()),
        card_number=audit_card(body.card_number),
    )
