"""Renewal requests: the kiosk proves the card, compares and sends (HMAC, idempotent); the counter lists and
completes (staff).

What each side may see is in server/renewals/service.py: the kiosk only ever hears "same" or "different", and
only with a proof (server/renewals/proof.py) that the card for this number signed in this session.
"""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from server.api.common import decode_base64
from server.api.deps import IdempotencyKeyDep, KioskDep, SessionDep, StaffDep, StateDep
from server.api.idempotency import request_fingerprint
from server.api.idempotent import run_idempotent
from server.api.schemas import ERROR_RESPONSES
from server.errors import ApiError
from server.patrons.card_numbers import audit_card, parse_card_number
from server.patrons.service import patron_expiry
from server.renewals import proof as renewal_proof
from server.renewals import service as renewal
from server.renewals.models import RenewalRequest
from server.renewals.schemas import (
    ComparisonPublic,
    ProofCreate,
    ProofPublic,
    RenewalCreate,
    RenewalDonePublic,
    RenewalPublic,
    RenewalRequestPublic,
)
from server.state import AppState

router = APIRouter(prefix="/v1", tags=["renewals"], responses=ERROR_RESPONSES)


def _comparison(card_number: str, c: renewal.Comparison) -> dict:
    return {"card_number": card_number, "status": c.status.value, "name": c.name, "birth_date": c.birth_date,
            "address": c.address}


def _limits(state: AppState) -> renewal_proof.CompareLimits:
    settings = state.settings
    return renewal_proof.CompareLimits(
        per_card=settings.renewal_compares_per_card,
        card_window=timedelta(hours=settings.renewal_compare_card_window_hours),
        per_kiosk=settings.renewal_compares_per_kiosk,
        kiosk_window=timedelta(minutes=settings.renewal_compare_kiosk_window_minutes))


@router.post("/renewals/proofs", response_model=ProofPublic, status_code=201)
def create_proof(body: ProofCreate, kiosk: KioskDep, key: IdempotencyKeyDep, state: StateDep) -> JSONResponse:
    """The card signed a fresh challenge (利用者証明用 PIN): a short-lived proof for this card number here."""
    ttl = state.settings.renewal_proof_ttl_seconds

    def action(session: Session) -> tuple[int, dict]:
        token = renewal_proof.issue(
            session=session, trust=state.trust, connector=state.mykey, card_number=body.card_number,
            challenge_id=body.challenge_id,
            certificate_der=decode_base64(body.certificate, error_code="malformed_certificate"),
            signature=decode_base64(body.signature, error_code="bad_signature"),
            kiosk_id=kiosk.kiosk_id, now=state.clock.now(), ttl=timedelta(seconds=ttl))
        return 201, ProofPublic(card_number=body.card_number, proof=token, expires_in=ttl).model_dump(mode="json")

    return run_idempotent(
        state=state, kiosk_id=kiosk.kiosk_id, key=key, action=action, audit_action="renewal.proof",
        fingerprint=request_fingerprint(method="POST", path="/v1/renewals/proofs",
                                        body=body.model_dump_json().encode()),
        card_number=audit_card(body.card_number),
    )


@router.post("/renewals/compare", response_model=ComparisonPublic)
def compare(body: RenewalCreate, kiosk: KioskDep, session: SessionDep, state: StateDep) -> ComparisonPublic:
    """Compare the card's facts with the record: "same"/"different" per field, only for the same person, only
    with this card number's proof, within the limits; every call audited."""
    try:
        comparison = renewal.check(session=session, card_number=body.card_number, facts=body.facts(),
                                   proof_token=body.proof, kiosk_id=kiosk.kiosk_id, now=state.clock.now(),
                                   today=state.clock.today(), limits=_limits(state))
    except ApiError:
        session.commit()  # the refusal's audit row
        raise
    session.commit()
    return ComparisonPublic(**_comparison(body.card_number, comparison))


@router.post("/renewals", response_model=RenewalPublic, status_code=201)
def create(body: RenewalCreate, kiosk: KioskDep, key: IdempotencyKeyDep, state: StateDep) -> JSONResponse:
    """Store a renewal request for the counter (compared again: the record may have changed)."""

    def action(session: Session) -> tuple[int, dict]:
        now = state.clock.now()
        number = parse_card_number(body.card_number)
        proof = renewal_proof.require(session=session, token=body.proof, kiosk_id=kiosk.kiosk_id,
                                      card_number=number, now=now)
        request, comparison = renewal.request_renewal(
            session=session, card_number=number, facts=body.facts(), kiosk_id=kiosk.kiosk_id,
            now=now, today=state.clock.today(), proof=proof)
        # The stored answer (idempotency) holds no fact: codes and same/different only.
        public = RenewalPublic(reference_code=request.reference_code,
                               **_comparison(request.patron.card_number, comparison))
        return 201, public.model_dump(mode="json")

    return run_idempotent(
        state=state, kiosk_id=kiosk.kiosk_id, key=key, action=action, audit_action="renewal.request",
        fingerprint=request_fingerprint(method="POST", path="/v1/renewals", body=body.model_dump_json().encode()),
        card_number=audit_card(body.card_number),
    )


def _request_public(request: RenewalRequest, today: date) -> RenewalRequestPublic:
    patron = request.patron
    expiry = patron_expiry(patron=patron, today=today)
    return RenewalRequestPublic(
        reference_code=request.reference_code, card_number=patron.card_number, patron_name=patron.name,
        status=request.status, kiosk_id=request.kiosk_id, created_at=request.created_at,
        address_changed=request.new_address is not None, address_on_record=patron.address,
        new_address=request.new_address, valid_until=expiry.valid_until, expiry_status=expiry.status.value,
    )


def _done_public(request: RenewalRequest, today: date, address_changed: bool) -> RenewalDonePublic:
    expiry = patron_expiry(patron=request.patron, today=today)
    return RenewalDonePublic(reference_code=request.reference_code, card_number=request.patron.card_number,
                             status=request.status, valid_until=expiry.valid_until, address_changed=address_changed)


@router.get("/staff/renewals", response_model=list[RenewalRequestPublic])
def list_renewals(staff: StaffDep, session: SessionDep, state: StateDep) -> list[RenewalRequestPublic]:
    """Pending renewal requests, oldest first, with the record's and the card's address when they differ."""
    today = state.clock.today()
    return [_request_public(r, today) for r in renewal.list_pending(session=session)]


@router.post("/staff/renewals/{reference_code}/complete", response_model=RenewalDonePublic)
def complete_renewal(reference_code: str, staff: StaffDep, session: SessionDep, state: StateDep) -> RenewalDonePublic:
    """One confirmation: renew the card today (expiry counts from today) and record the new address."""
    request, changed = renewal.complete(session=session, reference_code=reference_code, staff_id=staff.staff_id,
                               now=state.clock.now(), today=state.clock.today())
    session.commit()
    return _done_public(request, state.clock.today(), changed)


@router.post("/staff/renewals/{reference_code}/cancel", response_model=RenewalDonePublic)
def cancel_renewal(reference_code: str, staff: StaffDep, session: SessionDep, state: StateDep) -> RenewalDonePublic:
    """Withdraw a request: nothing changes on the card or the record."""
    request = renewal.cancel(session=session, reference_code=reference_code, staff_id=staff.staff_id,
                             now=state.clock.now())
    session.commit()
    return _done_public(request, state.clock.today(), False)
