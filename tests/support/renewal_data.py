"""A server database where every persona's library card can be renewed: for the renewal request tests.

Each persona's patron is registered early enough that on `today` the card is renewable (birthday within the
month) or expired; the library holds the card's address, except for MOVED personas (an older address).
The server's own demo seeding then adds the kiosk, the staff account and the expiry demo cards.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from server.db import make_engine, upgrade
from server.patrons.expiry import CardStatus
from server.patrons.service import create_patron, patron_expiry
from server.testpki import load_test_pki

MOVED = frozenset({"different_pins"})
OLD_ADDRESS = "佐賀県佐賀市兵庫町大字渕1500番地"


def prepare_renewal_database(database_url: str, today: date) -> dict[str, str]:
    """Migrate and fill the database; returns each persona's card status ("renewable" or "expired")."""
    upgrade(database_url=database_url)
    engine = make_engine(database_url)
    statuses: dict[str, str] = {}
    try:
        with Session(engine) as session, session.begin():
            for persona in load_test_pki().personas.values():
                if not persona.library_card or persona.key == "renewed":
                    continue
                patron = create_patron(
                    session=session, card_number=persona.library_card, name=persona.name,
                    birth_date=persona.birth_date, registered_on=date(today.year - 3, 1, 1),
                    now=datetime.now(UTC), address=OLD_ADDRESS if persona.key in MOVED else persona.address)
                if patron_expiry(patron=patron, today=today).status is CardStatus.VALID:
                    patron.registered_on = date(today.year - 4, 1, 1)
                statuses[persona.key] = patron_expiry(patron=patron, today=today).status.value
    finally:
        engine.dispose()
    return statuses
