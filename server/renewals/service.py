"""Renewal requests from the kiosk: the card's facts compared with the library's record, then one confirmation
at the counter.

Privacy (docs/security.md): the kiosk sends the library card number and three of the card's basic four facts
(name, address, birth date; never the 個人番号, and not the sex, which the library does not keep). The server
answers only "same" or "different" per field, and only when name and birth date match the record (the same
person); otherwise "renewal_unmatched", so typing someone's card number reveals nothing of their record.
A request keeps who asked and, only when it differs, the card's address; completing or cancelling it clears
that address at once, and retention (prune) deletes the rows later.

Decisions where the issue is silent:
- Names and addresses compare after NFKC and with every space removed (the card writes 氏 名 with a space of
  either width); anything else that differs (e.g. 1-2-3 against 一丁目2番3号) counts as different, and the
  counter sees both before confirming.
- A library record without an address counts as "different": the card's address will be recorded.
- One pending request per patron, never overwritten: a second one (from any kiosk) is refused with
  renewal_pending ("already waiting at the counter"), so the address staff confirm is the one the first
  patron proved. Refused rather than kept beside it: the counter confirms in one step, and two addresses
  for one patron would make staff pick; the patron at the second kiosk is sent to the counter, where staff
  see the waiting request and can cancel it after checking the patron's ID.
- Compares and requests need a proof (server/renewals/proof.py): the card's fresh signature, for
  this card number at this kiosk; compares are limited per card number and per kiosk and all audited.
"""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from server import audit
from server.db import rowcount
from server.errors import ApiError
from server.patrons.card_numbers import parse_card_number
from server.patrons.expiry import CardStatus, Expiry
from server.patrons.models import Patron
from server.patrons.service import get_patron, patron_expiry, renew_card
from server.renewals import proof as renewal_proof
from server.renewals.models import RenewalProof, RenewalRequest

# Read aloud at the counter: no 0/O, 1/I/L, 2/Z, 5/S, 8/B. "R" first, so it is never taken for a migration's.
_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
PREFIX = "R"
CODE_LENGTH = 6
PENDING = "pending"
COMPLETED = "completed"
CANCELLED = "cancelled"
# A pending request the patron never brought to the counter is deleted after this many days.
PENDING_DAYS = 30
# Decided requests (already without any address) are deleted after this many days.
DECIDED_DAYS = 7
SAME = "same"
DIFFERENT = "different"


@dataclass(frozen=True)
class CardFacts:
    """What the kiosk read from the card's 券面事項入力補助AP (the sex is not sent)."""

    name: str
    address: str
    birth_date: date

    def __repr__(self) -> str:
        return "CardFacts(<personal data>)"


@dataclass(frozen=True)
class Comparison:
    """Field by field: "same" or "different" (name and birth date are always "same" when answered)."""

    name: str
    birth_date: str
    address: str
    status: CardStatus  # renewable or expired

    @property
    def address_changed(self) -> bool:
        """The card's address is not the one the library holds."""
        return self.address == DIFFERENT


def _plain(text: str) -> str:
    """One spelling for comparing: NFKC, no spaces of any width."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def _eligible(patron: Patron, today: date) -> Expiry:
    if patron.status != "active":
        raise ApiError("patron_inactive")
    expiry = patron_expiry(patron=patron, today=today)
    if expiry.status is CardStatus.VALID:
        raise ApiError("not_yet_renewable")
    return expiry


def compare(*, patron: Patron, facts: CardFacts, today: date) -> Comparison:
    """The card's facts against the record; renewal_unmatched unless it is the same person."""
    expiry = _eligible(patron, today)
    if facts.birth_date != patron.birth_date or _plain(facts.name) != _plain(patron.name):
        raise ApiError("renewal_unmatched")
    same_address = patron.address is not None and _plain(facts.address) == _plain(patron.address)
    return Comparison(name=SAME, birth_date=SAME, address=SAME if same_address else DIFFERENT, status=expiry.status)


def check(*, session: Session, card_number: str, facts: CardFacts, proof_token: str | None, kiosk_id: str,
          now: datetime, today: date, limits: renewal_proof.CompareLimits) -> Comparison:
    """Compare only, with a live proof for this card number and within the limits; every call is audited (the
    row names no fact). A match marks the proof, which the request then needs."""
    number: str | None = None
    try:
        number = parse_card_number(card_number)
        proof = renewal_proof.require(session=session, token=proof_token, kiosk_id=kiosk_id, card_number=number,
                                      now=now)
        renewal_proof.check_limits(session=session, card_number=number, kiosk_id=kiosk_id, now=now, limits=limits)
        patron = get_patron(session=session, card_number=number)
        comparison = compare(patron=patron, facts=facts, today=today)
        proof.matched = True
        _refuse_if_pending(session, patron)
    except ApiError as error:
        audit.record(session=session, at=now, actor_type="kiosk", actor_id=kiosk_id,
                     action=renewal_proof.COMPARE_ACTION, outcome=error.code, card_number=number)
        raise
    audit.record(session=session, at=now, actor_type="kiosk", actor_id=kiosk_id,
                 action=renewal_proof.COMPARE_ACTION, outcome="ok", card_number=patron.card_number,
                 detail={"address_changed": comparison.address_changed})
    return comparison


def _refuse_if_pending(session: Session, patron: Patron) -> None:
    """A waiting request is never overwritten: renewal_pending."""
    if session.scalar(select(RenewalRequest.id).where(RenewalRequest.patron_id == patron.id,
                                                      RenewalRequest.status == PENDING)) is not None:
        raise ApiError("renewal_pending")


def _new_code(session: Session) -> str:
    while True:
        code = PREFIX + "".join(secrets.choice(_ALPHABET) for _ in range(CODE_LENGTH - 1))
        if session.scalar(select(RenewalRequest.id).where(RenewalRequest.reference_code == code)) is None:
            return code


def request_renewal(*, session: Session, card_number: str, facts: CardFacts, kiosk_id: str, now: datetime,
                    today: date, proof: RenewalProof | None = None) -> tuple[RenewalRequest, Comparison]:
    """Compare again and store the request (in the caller's transaction); renewal_pending if one waits.

    ``proof`` (the kiosk's, already checked for this card number) must have matched in a compare: so a request
    is never a first guess; it is used up here.
    """
    if proof is not None and not proof.matched:
        raise ApiError("renewal_proof_invalid")
    patron = get_patron(session=session, card_number=card_number)
    comparison = compare(patron=patron, facts=facts, today=today)
    _refuse_if_pending(session, patron)
    new_address = facts.address if comparison.address_changed else None
    request = RenewalRequest(reference_code=_new_code(session), patron_id=patron.id, kiosk_id=kiosk_id,
                             status=PENDING, created_at=now, new_address=new_address)
    session.add(request)
    if proof is not None:
        proof.used_at = now
    session.flush()
    audit.record(session=session, at=now, actor_type="kiosk", actor_id=kiosk_id, action="renewal.request",
                 outcome="ok", card_number=patron.card_number,
                 detail={"reference": request.reference_code, "address_changed": comparison.address_changed})
    return request, comparison


def list_pending(*, session: Session) -> list[RenewalRequest]:
    """Pending requests, oldest first."""
    return list(session.scalars(select(RenewalRequest).where(RenewalRequest.status == PENDING)
                                .order_by(RenewalRequest.id)))


def _pending(session: Session, reference_code: str) -> RenewalRequest:
    code = reference_code.upper()
    if len(code) != CODE_LENGTH or not code.startswith(PREFIX) or any(c not in _ALPHABET for c in code[1:]):
        raise ApiError("unknown_renewal")
    request = session.scalar(select(RenewalRequest).where(RenewalRequest.reference_code == code))
    if request is None:
        raise ApiError("unknown_renewal")
    if request.status != PENDING:
        raise ApiError("renewal_not_pending")
    return request


def complete(*, session: Session, reference_code: str, staff_id: str, now: datetime,
             today: date) -> tuple[RenewalRequest, bool]:
    """The counter's one confirmation: the card is renewed today and the address updated; the request forgets it.

    Returns the request and whether the address changed.
    """
    request = _pending(session, reference_code)
    patron = renew_card(session=session, card_number=request.patron.card_number, today=today)
    address_changed = request.new_address is not None
    if address_changed:
        patron.address = request.new_address
    request.new_address = None
    request.status, request.decided_at, request.decided_by = COMPLETED, now, staff_id
    session.flush()
    audit.record(session=session, at=now, actor_type="staff", actor_id=staff_id, action="renewal.complete",
                 outcome="ok", card_number=patron.card_number,
                 detail={"reference": request.reference_code, "address_changed": address_changed})
    return request, address_changed


def cancel(*, session: Session, reference_code: str, staff_id: str, now: datetime) -> RenewalRequest:
    """The counter withdraws a request (e.g. the patron's ID did not match): nothing changes but the request."""
    request = _pending(session, reference_code)
    request.new_address = None
    request.status, request.decided_at, request.decided_by = CANCELLED, now, staff_id
    session.flush()
    audit.record(session=session, at=now, actor_type="staff", actor_id=staff_id, action="renewal.cancel",
                 outcome="ok", card_number=request.patron.card_number, detail={"reference": request.reference_code})
    return request


def prune(*, session: Session, now: datetime) -> int:
    """Delete decided requests after DECIDED_DAYS, never-completed ones after PENDING_DAYS, and expired proofs;
    rows deleted."""
    decided = rowcount(session.execute(delete(RenewalRequest).where(
        RenewalRequest.status != PENDING, RenewalRequest.decided_at < now - timedelta(days=DECIDED_DAYS))))
    stale = rowcount(session.execute(delete(RenewalRequest).where(
        RenewalRequest.status == PENDING, RenewalRequest.created_at < now - timedelta(days=PENDING_DAYS))))
    return decided + stale + renewal_proof.prune(session=session, now=now)
