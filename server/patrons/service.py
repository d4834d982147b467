"""Patrons and their cards: registration, lookup, renewal, expiry."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.errors import ApiError
from server.patrons.card_numbers import parse_card_number
from server.patrons.expiry import CardStatus, Expiry, card_expiry
from server.patrons.models import Patron


def create_patron(
    *, session: Session, card_number: str, name: str, birth_date: date, registered_on: date, now: datetime,
    address: str | None = None,
) -> Patron:
    """Register a patron (the card number must be valid and unused)."""
    patron = Patron(
        card_number=parse_card_number(card_number),
        name=name,
        birth_date=birth_date,
        registered_on=registered_on,
        address=address,
        status="active",
        created_at=now,
    )
    session.add(patron)
    session.flush()
    return patron


def find_patron(*, session: Session, card_number: str) -> Patron | None:
    """The patron with this card number, if any."""
    return session.scalar(select(Patron).where(Patron.card_number == card_number))


def get_patron(*, session: Session, card_number: str) -> Patron:
    """The patron with this card number, else malformed_card_number / unknown_patron."""
    patron = find_patron(session=session, card_number=parse_card_number(card_number))
    if patron is None:
        raise ApiError("unknown_patron")
    return patron


def patron_expiry(*, patron: Patron, today: date) -> Expiry:
    """The patron's card expiry as seen on `today`."""
    return card_expiry(birth_date=patron.birth_date, registered_on=patron.registered_on, today=today)


def renew_card(*, session: Session, card_number: str, today: date) -> Patron:
    """Renew a card on `today` if the renewal window is open (also after expiry)."""
    patron = get_patron(session=session, card_number=card_number)
    if patron_expiry(patron=patron, today=today).status is CardStatus.VALID:
        raise ApiError("not_yet_renewable")
    patron.registered_on = today
    session.flush()
    return patron
