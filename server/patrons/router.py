"""Staff routes for patrons: look a patron up with expiry and linkage history, renew a card at the counter."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy.orm import Session

from server import audit
from server.api.deps import SessionDep, StaffDep, StateDep
from server.api.schemas import ERROR_RESPONSES
from server.patrons.linkage import linkage_history
from server.patrons.models import Patron
from server.patrons.schemas import LinkagePublic, PatronPublic, expiry_public
from server.patrons.service import get_patron, patron_expiry, renew_card
from server.state import AppState

router = APIRouter(prefix="/v1/staff", tags=["staff"], responses=ERROR_RESPONSES)


def _patron_public(*, session: Session, patron: Patron, state: AppState) -> PatronPublic:
    today = state.clock.today()
    return PatronPublic(
        card_number=patron.card_number,
        name=patron.name,
        birth_date=patron.birth_date,
        registered_on=patron.registered_on,
        address=patron.address,
        status=patron.status,
        expiry=expiry_public(
            card_number=patron.card_number, expiry=patron_expiry(patron=patron, today=today), today=today
        ),
        linkages=[
            LinkagePublic.model_validate(link) for link in linkage_history(session=session, patron_id=patron.id)
        ],
    )


@router.get("/patrons/{card_number}", response_model=PatronPublic)
def get_patron_for_staff(card_number: str, staff: StaffDep, session: SessionDep, state: StateDep) -> PatronPublic:
    """A patron with expiry and the full linkage history."""
    patron = get_patron(session=session, card_number=card_number)
    return _patron_public(session=session, patron=patron, state=state)


@router.post("/patrons/{card_number}/renewal", response_model=PatronPublic)
def renew_patron_card(card_number: str, staff: StaffDep, session: SessionDep, state: StateDep) -> PatronPublic:
    """Renew a card today (from one month before the expiry birthday, or after expiry)."""
    patron = renew_card(session=session, card_number=card_number, today=state.clock.today())
    audit.record(
        session=session, at=state.clock.now(), actor_type="staff", actor_id=staff.staff_id,
        action="card.renew", outcome="ok", card_number=patron.card_number,
    )
    session.commit()
    return _patron_public(session=session, patron=patron, state=state)
