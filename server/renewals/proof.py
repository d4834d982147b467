"""Renewal proofs: a kiosk learns about a library card only what the patron in front of it proves.

A renewal compare answers "same"/"different" for the card's facts; unbounded, it was an oracle (a card
number and a known name gave the full birth date in 21 calls). So a compare, and the request after it,
need a proof: the My Number card signed a fresh server challenge with its 利用者証明用 key (the patron has
the card and its PIN) in this kiosk session. The server issues an opaque token for one library card
number at one kiosk, for a few minutes (only its SHA-256 is stored, so two server processes share it).
Compares are also limited per card number and per kiosk, counted from the audit log (every compare is
audited, refused ones too), so the limit holds across processes.

Decisions where the issue is silent:
- A certificate linked (old scheme or MyKey) to another library card gets no proof for this one: the
  card in front of the kiosk is someone else's patron. An unlinked card may ask (renewal does not need a
  link), bounded by the limits.
- Two compares at the same instant on two processes may both take the last free slot (the count and the
  audit row are one transaction each, not one lock): at most one extra per process, never a search.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import Session

from server import audit
from server.audit import AuditEntry
from server.cards.service import proven_card_link, verify_card_response
from server.db import rowcount
from server.errors import ApiError
from server.jpki import TrustStore
from server.mykey.connector import MyKeyConnector
from server.patrons.card_numbers import parse_card_number
from server.renewals.models import RenewalProof

COMPARE_ACTION = "renewal.compare"


@dataclass(frozen=True)
class CompareLimits:
    """How many compares a card number and a kiosk may make, and over what time (config/server.toml)."""

    per_card: int
    card_window: timedelta
    per_kiosk: int
    kiosk_window: timedelta


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue(*, session: Session, trust: TrustStore, connector: MyKeyConnector, card_number: str, challenge_id: str,
          certificate_der: bytes, signature: bytes, kiosk_id: str, now: datetime, ttl: timedelta) -> str:
    """Verify the card's signature over the challenge and return a proof token for ``card_number``."""
    number = parse_card_number(card_number)
    _cert, identity = verify_card_response(trust=trust, connector=connector, challenge_id=challenge_id,
                                           certificate_der=certificate_der, signature=signature, now=now)
    link = proven_card_link(session=session, connector=connector, certificate_der=certificate_der,
                            identity=identity)
    if link is not None and link.patron.card_number != number:
        raise ApiError("renewal_card_mismatch")
    token = secrets.token_urlsafe(32)
    session.execute(delete(RenewalProof).where(RenewalProof.expires_at < now - timedelta(days=1)))
    session.add(RenewalProof(token_hash=_hash(token), kiosk_id=kiosk_id, card_number=number, created_at=now,
                             expires_at=now + ttl, matched=False))
    audit.record(session=session, at=now, actor_type="kiosk", actor_id=kiosk_id, action="renewal.proof",
                 outcome="ok", card_number=number, detail=identity.audit_detail())
    return token


def require(*, session: Session, token: str | None, kiosk_id: str, card_number: str, now: datetime) -> RenewalProof:
    """The live proof for this kiosk and card number, else renewal_proof_required / renewal_proof_invalid."""
    if not token:
        raise ApiError("renewal_proof_required")
    proof = session.scalar(select(RenewalProof).where(
        RenewalProof.token_hash == _hash(token), RenewalProof.kiosk_id == kiosk_id,
        RenewalProof.card_number == card_number, RenewalProof.expires_at > now, RenewalProof.used_at.is_(None)))
    if proof is None:  # unknown, expired, used, another kiosk's or another card number's: all the same answer
        raise ApiError("renewal_proof_invalid")
    return proof


# Refusals before the limit is checked do not count: else anyone could use up a patron's compares with calls
# that carry no proof.
_NOT_COUNTED = ("renewal_proof_required", "renewal_proof_invalid", "renewal_compare_limit", "malformed_card_number")


def _count(session: Session, *conditions: ColumnElement[bool]) -> int:
    return session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == COMPARE_ACTION, AuditEntry.outcome.not_in(_NOT_COUNTED), *conditions)) or 0


def check_limits(*, session: Session, card_number: str, kiosk_id: str, now: datetime, limits: CompareLimits) -> None:
    """renewal_compare_limit once the card number or the kiosk has made its compares for the window."""
    if _count(session, AuditEntry.card_number == card_number,
              AuditEntry.at > now - limits.card_window) >= limits.per_card:
        raise ApiError("renewal_compare_limit")
    if _count(session, AuditEntry.actor_type == "kiosk", AuditEntry.actor_id == kiosk_id,
              AuditEntry.at > now - limits.kiosk_window) >= limits.per_kiosk:
        raise ApiError("renewal_compare_limit")


def prune(*, session: Session, now: datetime) -> int:
    """Delete proofs that expired (they are minutes long); rows deleted."""
    return rowcount(session.execute(delete(RenewalProof).where(RenewalProof.expires_at < now)))
