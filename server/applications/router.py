"""Registration application routes.

Kiosk (HMAC; a state change also needs an Idempotency-Key):
    GET  /v1/registration/accepted-ids            what to bring without a My Number card
    POST /v1/registration/applications            apply with the My Number card's facts and signature
Staff (bearer, the counter console):
    GET  /v1/staff/registration-applications      waiting applications, oldest first
    POST /v1/staff/registration-applications/{reference_code}/complete
    POST /v1/staff/registration-applications/{reference_code}/withdraw
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from server.api.common import decode_base64
from server.api.deps import IdempotencyKeyDep, KioskDep, SessionDep, StaffDep, StateDep
from server.api.idempotency import request_fingerprint
from server.api.idempotent import run_idempotent
from server.api.schemas import ERROR_RESPONSES
from server.applications import service
from server.applications.models import RegistrationApplication
from server.applications.schemas import (
    AcceptedIdPublic,
    AcceptedIdsPublic,
    ApplicationComplete,
    ApplicationCreate,
    ApplicationDonePublic,
    ApplicationPublic,
    ApplicationReceipt,
)

router = APIRouter(prefix="/v1", tags=["registration"], responses=ERROR_RESPONSES)
APPLICATIONS_PATH = "/v1/registration/applications"


@router.get("/registration/accepted-ids", response_model=AcceptedIdsPublic)
def accepted_ids(kiosk: KioskDep, state: StateDep) -> AcceptedIdsPublic:
    """The documents the counter accepts for a registration (通知カード not accepted), from the settings."""
    by_kind: dict[str, list[AcceptedIdPublic]] = {"id": [], "address_proof": [], "not_accepted": []}
    for item in state.settings.registration_ids:
        by_kind[item.kind].append(AcceptedIdPublic(id=item.id, name_ja=item.name_ja, name_en=item.name_en))
    return AcceptedIdsPublic(ids=by_kind["id"], address_proofs=by_kind["address_proof"],
                             not_accepted=by_kind["not_accepted"])


@router.post("/registration/applications", response_model=ApplicationReceipt, status_code=201)
def apply(body: ApplicationCreate, kiosk: KioskDep, key: IdempotencyKeyDep, state: StateDep) -> JSONResponse:
    """Store a registration application for the counter, once the card's signature over a fresh challenge
    (POST /v1/cards/challenges) verifies. Sent twice with the same Idempotency-Key: one application."""
    facts = service.Facts(name=body.name, name_kana=body.name_kana, address=body.address,
                          birth_date=body.birth_date, sex=body.sex, phone=body.phone, email=body.email)

    def action(session: Session) -> tuple[int, dict]:
        card = service.CardSignature(
            challenge_id=body.challenge_id,
            certificate_der=decode_base64(body.certificate, error_code="malformed_certificate"),
            signature=decode_base64(body.signature, error_code="bad_signature"))
        application = service.apply(session=session, trust=state.trust, connector=state.mykey, card=card,
                                    facts=facts, kiosk_id=kiosk.kiosk_id, now=state.clock.now(),
                                    today=state.clock.today())
        # Stored for retries (idempotency): the reference and state only, nothing personal.
        receipt = ApplicationReceipt(reference_code=application.reference_code, status="waiting",
                                     created_at=application.created_at)
        return 201, receipt.model_dump(mode="json")

    return run_idempotent(
        state=state, kiosk_id=kiosk.kiosk_id, key=key, action=action, audit_action="registration.apply",
        fingerprint=request_fingerprint(method="POST", path=APPLICATIONS_PATH, body=body.model_dump_json().encode()),
    )


def _public(application: RegistrationApplication) -> ApplicationPublic:
    return ApplicationPublic.model_validate({
        "reference_code": application.reference_code, "kiosk_id": application.kiosk_id,
        "created_at": application.created_at, "status": application.status, "name": application.name,
        "name_kana": application.name_kana, "address": application.address, "birth_date": application.birth_date,
        "sex": application.sex, "phone": application.phone, "email": application.email})


def _done(application: RegistrationApplication, number: str | None = None) -> ApplicationDonePublic:
    return ApplicationDonePublic.model_validate({
        "reference_code": application.reference_code, "status": application.status,
        "decided_at": application.decided_at, "library_card_number": number})


@router.get("/staff/registration-applications", response_model=list[ApplicationPublic])
def list_applications(staff: StaffDep, session: SessionDep) -> list[ApplicationPublic]:
    """Waiting registration applications, oldest first, with what the card holds and the patron added."""
    return [_public(a) for a in service.list_waiting(session=session)]


@router.post("/staff/registration-applications/{reference_code}/complete", response_model=ApplicationDonePublic)
def complete_application(reference_code: str, body: ApplicationComplete, staff: StaffDep, session: SessionDep,
                         state: StateDep) -> ApplicationDonePublic:
    """One confirmation: the card was checked face to face and the library card issued. The application
    forgets its personal data; the new card's number, when entered, is audited (`{}` without one)."""
    number = (body.library_card_number or "").strip() or None
    application = service.complete(session=session, reference_code=reference_code, staff_id=staff.staff_id,
                                   now=state.clock.now(), library_card_number=number)
    session.commit()
    return _done(application, number)


@router.post("/staff/registration-applications/{reference_code}/withdraw", response_model=ApplicationDonePublic)
def withdraw_application(reference_code: str, staff: StaffDep, session: SessionDep,
                         state: StateDep) -> ApplicationDonePublic:
    """Withdraw an application: it forgets its personal data; no card is issued."""
    application = service.withdraw(session=session, reference_code=reference_code, staff_id=staff.staff_id,
                                   now=state.clock.now())
    session.commit()
    return _done(application)
