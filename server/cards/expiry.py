"""Expiry by My Number card: the library card linked (either scheme) to the card that signed a challenge."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from server.cards.service import proven_card_link, verify_card_response
from server.errors import ApiError
from server.jpki import TrustStore
from server.mykey.connector import MyKeyConnector
from server.patrons.expiry import Expiry
from server.patrons.models import Patron
from server.patrons.service import patron_expiry
from server.patrons.source import PatronSource


def expiry_by_card_response(
    *,
    session: Session,
    trust: TrustStore,
    connector: MyKeyConnector,
    challenge_id: str,
    certificate_der: bytes,
    signature: bytes,
    now: datetime,
    today: date,
    patrons: PatronSource | None = None,
) -> tuple[Patron, Expiry]:
    """Expiry of the library card linked to the My Number card that signed the challenge (either scheme).

    The link is the server's own; the expiry comes from `patrons` (the ILS over SIP2, when configured).
    """
    _cert, identity = verify_card_response(trust=trust, connector=connector, challenge_id=challenge_id,
                                           certificate_der=certificate_der, signature=signature, now=now)
    link = proven_card_link(session=session, connector=connector, certificate_der=certificate_der, identity=identity)
    if link is None:
        raise ApiError("not_linked")
    patron = link.patron
    if patrons is None:
        return patron, patron_expiry(patron=patron, today=today)
    return patron, patrons.standing(session=session, card_number=patron.card_number, today=today).expiry
