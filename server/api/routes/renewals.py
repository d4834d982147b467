"""Renewal requests: the kiosk compares and sends (HMAC, idempotent); the counter lists and completes (staff).

What each side may see is in server/domain/renewal.py: the kiosk only ever hears "same" or "different".
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from server.api.common import audit_card
from server.api.deps import IdempotencyKeyDep, KioskDep, SessionDep, StaffDep, StateDep
from server.api.idempotent import run_idempotent
from server.domain import renewal
from server.domain.idempotency import request_fingerprint
from server.domain.patrons import patron_expiry
from server.errors import ApiError
from server.models import RenewalRequest
from server.schemas import ERROR_RESPONSES

router = APIRouter(prefix="/v1", tags=["renewals"], responses=ERROR_RESPONSES)
# Printable text only: no control characters reach the database or the counter page.
_TEXT = r"^[^\x00-\x1f\x7f]+$"
Same = Literal["same", "different"]


class RenewalCreate(BaseModel):
    """The library card number and three of the card's basic four facts (never the 個人番号, not the sex)."""

    model_config = ConfigDict(extra="forbid")

    card_number: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=200, pattern=_TEXT)
    address: str = Field(min_length=1, max_length=400, pattern=_TEXT)
    birth_date: date

    def facts(self) -> renewal.CardFacts:
        return renewal.CardFacts(name=self.name, address=self.address, birth_date=self.birth_date)


class ComparisonPublic(BaseModel):
    """Field by field, the card against the record; nothing of the record itself."""

    card_number: str
    status: Literal["renewable", "expired"]
    name: Same
    birth_date: Same
    address: Same


class RenewalPublic(ComparisonPublic):
    """The stored request and its code for the counter."""

    reference_code: str


class RenewalRequestPublic(BaseModel):
    """A request as the counter sees it (staff may see the record)."""

    reference_code: str
    card_number: str
    patron_name: str
    status: str
    kiosk_id: str
    created_at: datetime
    address_changed: bool
    address_on_record: str | None
    new_address: str | None
    valid_until: date
    expiry_status: str


class RenewalDonePublic(BaseModel):
    """The outcome of the counter's confirmation (or cancellation)."""

    reference_code: str
    card_number: str
    status: str
    valid_until: date
    address_changed: bool


def _comparison(card_number: str, c: renewal.Comparison) -> dict:
    return {"card_number": card_number, "status": c.status.value, "name": c.name, "birth_date": c.birth_date,
            "address": c.address}


@router.post("/renewals/compare", response_model=ComparisonPublic)
def compare(body: RenewalCreate, kiosk: KioskDep, session: SessionDep, state: StateDep) -> ComparisonPublic:
    """Compare the card's facts with the record: "same"/"different" per field, only for the same person."""
    try:
        comparison = renewal.check(session=session, card_number=body.card_number, facts=body.facts(),
                                   kiosk_id=kiosk.kiosk_id, now=state.clock.now(), today=state.clock.today())
    except ApiError:
        session.commit()  # the refusal's audit row
        raise
    session.commit()
    return ComparisonPublic(**_comparison(body.card_number, comparison))


@router.post("/renewals", response_model=RenewalPublic, status_code=201)
def create(body: RenewalCreate, kiosk: KioskDep, key: IdempotencyKeyDep, state: StateDep) -> JSONResponse:
    """Store a renewal request for the counter (compared again: the record may have changed)."""

    def action(session):  # type: ignore[no-untyped-def]
        request, comparison = renewal.request_renewal(
            session=session, card_number=body.card_number, facts=body.facts(), kiosk_id=kiosk.kiosk_id,
            now=state.clock.now(), today=state.clock.today())
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

