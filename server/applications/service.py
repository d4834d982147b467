"""Registration applications: a kiosk applies, the counter completes or withdraws, retention forgets.

Decisions where the issue is silent:
- The card's presence is proven as for every other card flow (server/cards/service.py): the application
  carries the card's 利用者証明用 signature over a fresh single-use challenge, verified (chain, dates,
  revocation, signature) before anything is stored. There is no library card number yet, so no renewal
  proof token (those name a card number): the signature comes with the application itself. The certificate
  holds no name or address, so the facts are not bound to it: staff check them against the card face to face.
- A card linked to a library card (old scheme or MyKey) is refused (registration_already_patron): its holder
  has a card. One waiting application per card (registration_pending), recognised by a hash of the
  certificate's issuer and serial that is cleared with the rest.
- At least a phone number or an e-mail address (the application form asks for a way to reach the patron).
- Completing, withdrawing or expiring clears every personal column at once; the row (times, kiosk, state)
  stays for the statistics until retention_statistics_days. The library card number staff enter goes to the
  audit log (its card_number column, as for every other card), not to the row.
- Audit rows name the reference code and the kiosk or staff member, never a personal fact.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from server import audit
from server.applications import contact
from server.applications.models import (
    COMPLETED,
    EXPIRED,
    PERSONAL,
    STATES,
    WAITING,
    WITHDRAWN,
    RegistrationApplication,
)
from server.cards.service import proven_card_link, verify_card_response
from server.clock import LIBRARY_TZ
from server.db import rowcount
from server.errors import ApiError
from server.jpki import CertificateIdentity, TrustStore
from server.mykey.connector import MyKeyConnector
from server.patrons.card_numbers import parse_card_number

# Read aloud at the counter: no 0/O, 1/I/L, 2/Z, 5/S, 8/B. "N" (new) first: never taken for a renewal's "R".
_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
PREFIX = "N"
CODE_LENGTH = 6
OLDEST_BIRTH_DATE = date(1900, 1, 1)
RETENTION_ACTOR = "retention"


@dataclass(frozen=True)
class Facts:
    """What the kiosk read from the card's 券面事項入力補助AP and what the patron added."""

    name: str
    name_kana: str | None
    address: str
    birth_date: date
    sex: str
    phone: str | None
    email: str | None

    def __repr__(self) -> str:
        return "Facts(<personal data>)"


@dataclass(frozen=True)
class CardSignature:
    """The card's answer to a challenge: proof that it is in the kiosk's reader."""

    challenge_id: str
    certificate_der: bytes
    signature: bytes


def _card_key(identity: CertificateIdentity) -> str:
    return hashlib.sha256(f"{identity.issuer}\n{identity.serial}".encode()).hexdigest()


def _checked(facts: Facts, today: date) -> Facts:
    """The facts with the contact details normalised; typed errors for what the kiosk must ask again."""
    if not OLDEST_BIRTH_DATE <= facts.birth_date <= today:
        raise ApiError("invalid_request")
    phone = contact.phone_number(facts.phone) if facts.phone else None
    email = contact.email_address(facts.email) if facts.email else None
    if phone is None and email is None:
        raise ApiError("registration_contact_required")
    return Facts(name=facts.name, name_kana=facts.name_kana, address=facts.address, birth_date=facts.birth_date,
                 sex=facts.sex, phone=phone, email=email)


def _new_code(session: Session) -> str:
    while True:
        code = PREFIX + "".join(secrets.choice(_ALPHABET) for _ in range(CODE_LENGTH - 1))
        if session.scalar(select(RegistrationApplication.id)
                          .where(RegistrationApplication.reference_code == code)) is None:
            return code


def apply(*, session: Session, trust: TrustStore, connector: MyKeyConnector, card: CardSignature, facts: Facts,
          kiosk_id: str, now: datetime, today: date) -> RegistrationApplication:
    """Store a waiting application (in the caller's transaction) once the card proved itself."""
    checked = _checked(facts, today)
    _cert, identity = verify_card_response(trust=trust, connector=connector, challenge_id=card.challenge_id,
                                           certificate_der=card.certificate_der, signature=card.signature, now=now)
    if proven_card_link(session=session, connector=connector, certificate_der=card.certificate_der,
                        identity=identity) is not None:
        raise ApiError("registration_already_patron")
    key = _card_key(identity)
    if session.scalar(select(RegistrationApplication.id).where(
            RegistrationApplication.card_key == key, RegistrationApplication.status == WAITING)) is not None:
        raise ApiError("registration_pending")
    application = RegistrationApplication(
        reference_code=_new_code(session), kiosk_id=kiosk_id, status=WAITING, created_at=now,
        name=checked.name, name_kana=checked.name_kana, address=checked.address, birth_date=checked.birth_date,
        sex=checked.sex, phone=checked.phone, email=checked.email, card_key=key)
    session.add(application)
    session.flush()
    audit.record(session=session, at=now, actor_type="kiosk", actor_id=kiosk_id, action="registration.apply",
                 outcome="ok", detail={"reference": application.reference_code,
                                       "phone": checked.phone is not None, "email": checked.email is not None})
    return application


def list_waiting(*, session: Session) -> list[RegistrationApplication]:
    """Waiting applications, oldest first."""
    return list(session.scalars(select(RegistrationApplication).where(RegistrationApplication.status == WAITING)
                                .order_by(RegistrationApplication.id)))


def _waiting(session: Session, reference_code: str) -> RegistrationApplication:
    code = reference_code.upper()
    if len(code) != CODE_LENGTH or not code.startswith(PREFIX) or any(c not in _ALPHABET for c in code[1:]):
        raise ApiError("unknown_application")
    application = session.scalar(select(RegistrationApplication)
                                 .where(RegistrationApplication.reference_code == code))
    if application is None:
        raise ApiError("unknown_application")
    if application.status != WAITING:
        raise ApiError("application_not_waiting")
    return application


def _forget(application: RegistrationApplication, *, status: str, at: datetime, by: str) -> None:
    for column in PERSONAL:
        setattr(application, column, None)
    application.status, application.decided_at, application.decided_by = status, at, by


def complete(*, session: Session, reference_code: str, staff_id: str, now: datetime,
             library_card_number: str | None = None) -> RegistrationApplication:
    """The counter's one confirmation (the card checked face to face, the library card issued): the
    application forgets its personal data; the new card's number, when given, is audited."""
    number = parse_card_number(library_card_number) if library_card_number else None
    application = _waiting(session, reference_code)
    _forget(application, status=COMPLETED, at=now, by=staff_id)
    session.flush()
    audit.record(session=session, at=now, actor_type="staff", actor_id=staff_id, action="registration.complete",
                 outcome="ok", card_number=number, detail={"reference": application.reference_code})
    return application


def withdraw(*, session: Session, reference_code: str, staff_id: str, now: datetime) -> RegistrationApplication:
    """The counter withdraws an application (the patron's ID did not match, or they changed their mind)."""
    application = _waiting(session, reference_code)
    _forget(application, status=WITHDRAWN, at=now, by=staff_id)
    session.flush()
    audit.record(session=session, at=now, actor_type="staff", actor_id=staff_id, action="registration.withdraw",
                 outcome="ok", detail={"reference": application.reference_code})
    return application


def expire(*, session: Session, now: datetime, days: int) -> int:
    """Forget every application still waiting `days` after it was made (retention); each is audited by its
    reference. Returns how many."""
    stale = list(session.scalars(select(RegistrationApplication).where(
        RegistrationApplication.status == WAITING, RegistrationApplication.created_at < now - timedelta(days=days))))
    for application in stale:
        _forget(application, status=EXPIRED, at=now, by=RETENTION_ACTOR)
        audit.record(session=session, at=now, actor_type="system", actor_id=RETENTION_ACTOR,
                     action="registration.expire", outcome="ok", detail={"reference": application.reference_code})
    session.flush()
    return len(stale)


def prune(*, session: Session, before: date) -> int:
    """Delete the non-personal rows of applications made before `before` (retention_statistics_days)."""
    # Stored as UTC; SQLite compares the text, so the bound is UTC too.
    cutoff = datetime.combine(before, time(), LIBRARY_TZ).astimezone(UTC)
    return rowcount(session.execute(delete(RegistrationApplication).where(
        RegistrationApplication.status != WAITING, RegistrationApplication.created_at < cutoff)))


def counts(*, session: Session, low: datetime, high: datetime) -> dict[str, int]:
    """Applications made in [low, high) by state, and "created" for all of them (statistics)."""
    found = dict(session.execute(select(RegistrationApplication.status, func.count()).where(
        RegistrationApplication.created_at >= low, RegistrationApplication.created_at < high)
        .group_by(RegistrationApplication.status)).all())
    by_state = {state: int(found.get(state, 0)) for state in STATES}
    return {"created": sum(by_state.values()), **by_state}
