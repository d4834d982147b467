"""Switching a library card's My Number link from the old scheme to the MyKey scheme.

The kiosk does the card work once: it fetches a challenge, the card signs it, and the kiosk
sends certificate, signature and library card number. Depending on the library's policy
the switch completes at once ("kiosk") or waits as a pending request that counter staff
confirm or reject ("staff").
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from server import audit
from server.cards.service import verify_card_response
from server.errors import ApiError
from server.jpki import CertificateIdentity, TrustStore
from server.migration.models import MigrationRequest
from server.mykey.connector import MyKeyConnector
from server.patrons.card_numbers import parse_card_number
from server.patrons.linkage import MYKEY, active_linkage, find_active_by_mykey, switch_to_mykey
from server.patrons.models import Linkage
from server.patrons.service import get_patron

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: the code is read aloud at the counter.
_REFERENCE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"


@dataclass(frozen=True)
class MigrationResult:
    """What the kiosk is told."""

    status: Literal["completed", "pending"]
    card_number: str
    reference_code: str | None
    identity: CertificateIdentity


def _pending_request(*, session: Session, patron_id: int) -> MigrationRequest | None:
    return session.scalar(
        select(MigrationRequest).where(MigrationRequest.patron_id == patron_id, MigrationRequest.status == "pending")
    )


def _new_reference_code(*, session: Session) -> str:
    while True:
        code = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(6))
        if session.scalar(select(MigrationRequest.id).where(MigrationRequest.reference_code == code)) is None:
            return code


def migrate(
    *,
    session: Session,
    trust: TrustStore,
    connector: MyKeyConnector,
    card_number: str,
    challenge_id: str,
    certificate_der: bytes,
    signature: bytes,
    birth_date: date | None,
    kiosk_id: str,
    policy: str,
    now: datetime,
) -> MigrationResult:
    """Verify the card's answer and switch (or hold) the link, in the caller's transaction."""
    number = parse_card_number(card_number)
    patron = get_patron(session=session, card_number=number)
    if patron.status != "active":
        raise ApiError("patron_inactive")
    _cert, identity = verify_card_response(
        trust=trust,
        connector=connector,
        challenge_id=challenge_id,
        certificate_der=certificate_der,
        signature=signature,
        now=now,
    )
    current = active_linkage(session=session, patron_id=patron.id)
    if current is not None and current.scheme == MYKEY:
        raise ApiError("already_migrated")
    if current is None or (current.cert_serial, current.cert_issuer) != (identity.serial, identity.issuer):
        raise ApiError("no_old_link")
    if _pending_request(session=session, patron_id=patron.id) is not None:
        raise ApiError("migration_pending")
    mykey_id = connector.obtain_mykey_id(certificate_der=certificate_der, birth_date=birth_date)
    # One person, one library card: the same マイキーID (e.g. after a certificate renewal) must
    # not end up linked to a second card; the counter sorts out which card is right.
    elsewhere = find_active_by_mykey(session=session, mykey_id=mykey_id)
    if elsewhere is not None and elsewhere.patron_id != patron.id:
        raise ApiError("mykey_linked_elsewhere")
    if policy == "staff":
        request = MigrationRequest(
            reference_code=_new_reference_code(session=session),
            patron_id=patron.id,
            old_linkage_id=current.id,
            mykey_id=mykey_id,
            cert_serial=identity.serial,
            cert_issuer=identity.issuer,
            kiosk_id=kiosk_id,
            status="pending",
            created_at=now,
        )
        session.add(request)
        session.flush()
        audit.record(
            session=session, at=now, actor_type="kiosk", actor_id=kiosk_id, action="migration.hold",
            outcome="ok", card_number=number, detail={**identity.audit_detail(), "reference": request.reference_code},
        )
        return MigrationResult("pending", number, request.reference_code, identity)
    switch_to_mykey(session=session, old=current, mykey_id=mykey_id, now=now)
    audit.record(
        session=session, at=now, actor_type="kiosk", actor_id=kiosk_id, action="migration.complete",
        outcome="ok", card_number=number, detail=identity.audit_detail(),
    )
    return MigrationResult("completed", number, None, identity)


def list_requests(*, session: Session, status: str | None = "pending") -> list[MigrationRequest]:
    """Migration requests, oldest first, optionally of one status."""
    query = select(MigrationRequest).order_by(MigrationRequest.id)
    if status is not None:
        query = query.where(MigrationRequest.status == status)
    return list(session.scalars(query))


def _get_pending(*, session: Session, reference_code: str) -> MigrationRequest:
    if len(reference_code) != 6 or any(c not in _REFERENCE_ALPHABET for c in reference_code.upper()):
        raise ApiError("unknown_migration")
    request = session.scalar(
        select(MigrationRequest).where(MigrationRequest.reference_code == reference_code.upper())
    )
    if request is None:
        raise ApiError("unknown_migration")
    if request.status != "pending":
        raise ApiError("migration_not_pending")
    return request


def confirm_request(*, session: Session, reference_code: str, staff_id: str, now: datetime) -> MigrationRequest:
    """Staff confirm a held migration: the link switches now, if it is still the one verified."""
    request = _get_pending(session=session, reference_code=reference_code)
    old = session.get(Linkage, request.old_linkage_id)
    if old is None or not old.active:
        raise ApiError("linkage_changed")
    elsewhere = find_active_by_mykey(session=session, mykey_id=request.mykey_id)
    if elsewhere is not None and elsewhere.patron_id != request.patron_id:
        raise ApiError("mykey_linked_elsewhere")
    switch_to_mykey(session=session, old=old, mykey_id=request.mykey_id, now=now)
    request.status, request.decided_at, request.decided_by = "confirmed", now, staff_id
    audit.record(
        session=session, at=now, actor_type="staff", actor_id=staff_id, action="migration.confirm", outcome="ok",
        card_number=request.patron.card_number, detail={"reference": request.reference_code},
    )
    return request


def reject_request(*, session: Session, reference_code: str, staff_id: str, now: datetime) -> MigrationRequest:
    """Staff reject a held migration: the old link stays active."""
    request = _get_pending(session=session, reference_code=reference_code)
    request.status, request.decided_at, request.decided_by = "rejected", now, staff_id
    audit.record(
        session=session, at=now, actor_type="staff", actor_id=staff_id, action="migration.reject", outcome="ok",
        card_number=request.patron.card_number, detail={"reference": request.reference_code},
    )
    return request
