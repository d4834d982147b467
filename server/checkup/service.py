"""Card check-up: what the server knows about the My Number card that signed a challenge.

Answered only after the signature is verified (like the expiry by card), so nothing is disclosed to
a kiosk that does not hold the card and its 利用者証明用 PIN. The answer is the link scheme (old,
MyKey, or none), the linked library card's expiry, a migration held for the counter if there is
one, and a check-up reference the counter ticket carries; the reference and the findings go into the
audit log, so the counter can look them up instead of starting over.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from server import audit
from server.cards.service import proven_card_link, verify_card_response
from server.jpki import TrustStore
from server.migration.models import MigrationRequest
from server.mykey.connector import MyKeyConnector
from server.patrons.expiry import Expiry
from server.patrons.models import Patron
from server.patrons.service import patron_expiry

Link = Literal["old", "mykey", "none"]
NONE: Link = "none"
# Read aloud at the counter like a migration's reference: no 0/O, 1/I/L, 2/Z, 5/S, 8/B.
_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
REFERENCE_PREFIX = "C-"


@dataclass(frozen=True)
class Checkup:
    """The server's findings for one card."""

    link: Link
    patron: Patron | None
    expiry: Expiry | None
    migration_reference: str | None  # a migration held for staff confirmation
    reference: str


def _link_kind(scheme: str) -> Link:
    """A stored link's scheme as the answer names it (the column holds only these two)."""
    if scheme == "old":
        return "old"
    if scheme == "mykey":
        return "mykey"
    raise ValueError(f"unknown link scheme {scheme!r}")


def new_reference() -> str:
    """A check-up reference such as C-K7TQ3A (kept in the audit log, not in a table of its own)."""
    return REFERENCE_PREFIX + "".join(secrets.choice(_ALPHABET) for _ in range(6))


def check_up(
    *,
    session: Session,
    trust: TrustStore,
    connector: MyKeyConnector,
    challenge_id: str,
    certificate_der: bytes,
    signature: bytes,
    kiosk_id: str,
    now: datetime,
    today: date,
) -> Checkup:
    """Verify the card's answer, then report its link and library card (audited with the reference)."""
    _cert, identity = verify_card_response(trust=trust, connector=connector, challenge_id=challenge_id,
                                           certificate_der=certificate_der, signature=signature, now=now)
    link = proven_card_link(session=session, connector=connector, certificate_der=certificate_der,
                            identity=identity)
    reference = new_reference()
    if link is None:
        result = Checkup(NONE, None, None, None, reference)
    else:
        patron = link.patron
        held = session.scalar(select(MigrationRequest.reference_code).where(
            MigrationRequest.patron_id == patron.id, MigrationRequest.status == "pending"))
        result = Checkup(_link_kind(link.scheme), patron, patron_expiry(patron=patron, today=today), held, reference)
    detail = {**identity.audit_detail(), "reference": reference, "link": result.link}
    if result.expiry is not None:
        detail["card_status"] = result.expiry.status.value
    if result.migration_reference is not None:
        detail["migration_reference"] = result.migration_reference
    audit.record(session=session, at=now, actor_type="kiosk", actor_id=kiosk_id, action="checkup.card",
                 outcome="ok", card_number=result.patron.card_number if result.patron else None, detail=detail)
    return result
