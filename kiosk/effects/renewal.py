"""The renewal request's card and server work: is renewal open, the card's facts behind the 入力補助 PIN,
the card's signature over a server challenge (the proof the server needs for this card number), the
server's comparison, and the request itself."""

from __future__ import annotations

import logging

from kiosk.api.errors import ApiError, ServerError, ServerUnreachableError
from kiosk.api.wire import RenewalAnswer
from kiosk.card import BasicFour
from kiosk.effects.card import FactsAndProof, SignedChallenge
from kiosk.effects.expiry import CERTIFICATE_CODES
from kiosk.flows import renewal as flow

log = logging.getLogger(__name__)

# Server refusals by stable code; any other code is a server error.
FAILURES = {
    "not_yet_renewable": flow.Failure.NOT_YET,
    "unknown_patron": flow.Failure.UNKNOWN_CARD,
    "malformed_card_number": flow.Failure.UNKNOWN_CARD,
    "patron_inactive": flow.Failure.INACTIVE,
    "renewal_unmatched": flow.Failure.UNMATCHED,
    "renewal_card_mismatch": flow.Failure.UNMATCHED,  # this My Number card is linked to another library card
    "renewal_pending": flow.Failure.PENDING,
    "renewal_compare_limit": flow.Failure.LIMIT,
    **dict.fromkeys(CERTIFICATE_CODES, flow.Failure.CERTIFICATE_INVALID),
}


class RenewalWork(FactsAndProof[flow.Facts]):
    """Answers CheckEligibility, ReadFacts, Prove, CompareFacts and SendRequest."""

    def check(self, effect: flow.CheckEligibility) -> object:
        """Renewal is open from one month before the expiry birthday, and after expiry."""
        try:
            expiry = self.api.card_expiry(effect.card_number)
        except (ApiError, ServerError, ServerUnreachableError) as exc:
            return _failed(exc)
        if expiry.status == "valid":
            return flow.NotYetOpen(expiry.renewable_from, month_only=expiry.precision == "month")
        return flow.Eligible(flow.Eligibility(expiry.status))

    def _keep(self, four: BasicFour) -> flow.Facts:
        """Name, address and birth date: the sex is dropped here."""
        return flow.Facts(four.name, four.address, four.birth_date)

    def prove(self, effect: flow.Prove) -> object:
        """The card signs a fresh challenge (one VERIFY of the 利用者証明用 PIN); the server's proof for the number."""
        def proven(signed: SignedChallenge, facts: flow.Facts | None) -> object:
            proof = self.api.renewal_proof(card_number=effect.card_number, challenge_id=signed.challenge_id,
                                           certificate_der=effect.certificate_der, signature=signed.signature,
                                           idempotency_key=effect.idempotency_key)
            return flow.Proven(proof, facts)

        return self._prove(effect, proven, _failed)

    def compare(self, effect: flow.CompareFacts) -> object:
        """The server's same/different for the card's facts."""
        facts = effect.facts
        try:
            answer = self.api.renewal_compare(effect.card_number, facts.name, facts.address, facts.birth_date,
                                              proof=effect.proof)
        except (ApiError, ServerError, ServerUnreachableError) as exc:
            return _failed(exc)
        return flow.Compared(_comparison(answer))

    def send(self, effect: flow.SendRequest) -> object:
        """Store the request; the answer's reference code goes on the counter ticket."""
        facts = effect.facts
        try:
            answer = self.api.renewal_request(effect.card_number, facts.name, facts.address, facts.birth_date,
                                              proof=effect.proof, idempotency_key=effect.idempotency_key)
        except (ApiError, ServerError, ServerUnreachableError) as exc:
            return _failed(exc)
        if not answer.reference_code:
            log.warning("renewal request answered without a reference code")
            return flow.RenewalFailed(flow.Failure.SERVER_ERROR)
        return flow.Requested(answer.reference_code)


def _comparison(answer: RenewalAnswer) -> flow.Comparison:
    return flow.Comparison(flow.Eligibility(answer.status), answer.address == "different")


def _failed(exc: Exception) -> flow.RenewalFailed:
    if isinstance(exc, ServerUnreachableError):
        return flow.RenewalFailed(flow.Failure.SERVER_UNREACHABLE)
    if isinstance(exc, ApiError):
        log.info("renewal refused: %s", exc.code)
        return flow.RenewalFailed(FAILURES.get(exc.code, flow.Failure.SERVER_ERROR))
    log.warning("renewal failed: %s", type(exc).__name__)
    return flow.RenewalFailed(flow.Failure.SERVER_ERROR)
