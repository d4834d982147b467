"""Migration routes: the kiosk side of the MyKey migration (the card's answer to a challenge from
POST /v1/cards/challenges), and staff deciding the migrations held for them (/v1/staff/migrations).

``/v1/migrations/challenges`` is the challenge's old path, kept as a deprecated alias while kiosks of the
previous version (which fetch it there) are in service."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from server.api.common import decode_base64
from server.api.deps import IdempotencyKeyDep, SessionDep, SignedKioskDep, StaffDep, StateDep
from server.api.idempotency import request_fingerprint
from server.api.idempotent import run_idempotent
from server.api.schemas import ERROR_RESPONSES
from server.cards import router as cards
from server.cards.schemas import ChallengeCreate, ChallengePublic
from server.migration import service as migration
from server.migration.models import MigrationRequest
from server.migration.schemas import MigrationCreate, MigrationPublic, MigrationRequestPublic
from server.patrons.card_numbers import audit_card

router = APIRouter(prefix="/v1/migrations", tags=["migrations"], responses=ERROR_RESPONSES)
staff_router = APIRouter(prefix="/v1/staff", tags=["staff"], responses=ERROR_RESPONSES)


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


def _request_public(request: MigrationRequest) -> MigrationRequestPublic:
    return MigrationRequestPublic(
        reference_code=request.reference_code,
        card_number=request.patron.card_number,
        patron_name=request.patron.name,
        status=request.status,
        kiosk_id=request.kiosk_id,
        created_at=request.created_at,
        decided_at=request.decided_at,
        decided_by=request.decided_by,
    )


@staff_router.get("/migrations", response_model=list[MigrationRequestPublic])
def list_migrations(
    staff: StaffDep,
    session: SessionDep,
    status: Annotated[Literal["pending", "confirmed", "rejected"], Query()] = "pending",
) -> list[MigrationRequestPublic]:
    """Migration requests held for staff (pending by default)."""
    return [_request_public(r) for r in migration.list_requests(session=session, status=status)]


@staff_router.post("/migrations/{reference_code}/confirm", response_model=MigrationRequestPublic)
def confirm_migration(
    reference_code: str, staff: StaffDep, session: SessionDep, state: StateDep
) -> MigrationRequestPublic:
    """Confirm a held migration: the card's link switches to the MyKey scheme now."""
    request = migration.confirm_request(
        session=session, reference_code=reference_code, staff_id=staff.staff_id, now=state.clock.now()
    )
    session.commit()
    return _request_public(request)


@staff_router.post("/migrations/{reference_code}/reject", response_model=MigrationRequestPublic)
def reject_migration(
    reference_code: str, staff: StaffDep, session: SessionDep, state: StateDep
) -> MigrationRequestPublic:
    """Reject a held migration: the old link stays."""
    request = migration.reject_request(
        session=session, reference_code=reference_code, staff_id=staff.staff_id, now=state.clock.now()
    )
    session.commit()
    return _request_public(request)
