"""The registration application's card and server work: the IDs the counter accepts, the card's facts behind
the 入力補助 PIN (name, address, birth date, sex: never the 個人番号), the card's signature over a fresh server
challenge, and the application itself."""

from __future__ import annotations

import logging

from kiosk.api.errors import (
    ApiError,
    RegistrationContactError,
    ServerError,
    ServerUnreachableError,
)
from kiosk.card import BasicFour
from kiosk.effects.card import FactsAndProof, SignedChallenge
from kiosk.effects.expiry import CERTIFICATE_CODES
from kiosk.flows import registration as flow

log = logging.getLogger(__name__)

# Server refusals by stable code; any other code is a server error.
FAILURES = {
    "registration_already_patron": flow.Failure.ALREADY_PATRON,
    "registration_pending": flow.Failure.PENDING,
    "challenge_unknown": flow.Failure.CHALLENGE,
    "challenge_expired": flow.Failure.CHALLENGE,
    "challenge_used": flow.Failure.CHALLENGE,
    **dict.fromkeys(CERTIFICATE_CODES, flow.Failure.CERTIFICATE_INVALID),
}
CONTACT_PROBLEMS = {
    "invalid_phone": flow.ContactProblem.PHONE,
    "invalid_email": flow.ContactProblem.EMAIL,
    "registration_contact_required": flow.ContactProblem.REQUIRED,
}


class RegistrationWork(FactsAndProof[flow.Facts]):
    """Answers LoadAcceptedIds, ReadFacts, Sign and Apply."""

    def accepted_ids(self, _effect: flow.LoadAcceptedIds) -> object:
        """The server's list; without it the screen names the IDs in general words (a ticket all the same)."""
        try:
            return flow.IdsLoaded(self.api.registration_accepted_ids())
        except (ApiError, ServerError, ServerUnreachableError) as exc:
            log.info("accepted IDs not had: %s", type(exc).__name__)
            return flow.IdsLoaded(None)

    def _keep(self, four: BasicFour) -> flow.Facts:
        """All four: the application form asks name, address, birth date and sex."""
        return flow.Facts(four.name, four.address, four.birth_date, four.sex)

    def sign(self, effect: flow.Sign) -> object:
        """The card signs a fresh challenge (one VERIFY of the 利用者証明用 PIN): the application's signature."""
        def signed(challenge: SignedChallenge, facts: flow.Facts | None) -> object:
            return flow.Signed(flow.Signature(challenge.challenge_id, effect.certificate_der, challenge.signature),
                               facts)

        return self._prove(effect, signed, _failed)

    def apply(self, effect: flow.Apply) -> object:
        """Store the application; the answer's reference goes on the counter ticket."""
        facts, signature = effect.facts, effect.signature
        try:
            receipt = self.api.registration_apply(
                challenge_id=signature.challenge_id, certificate_der=signature.certificate_der,
                signature=signature.signature, name=facts.name, address=facts.address, birth_date=facts.birth_date,
                sex=facts.sex, phone=effect.phone, email=effect.email, idempotency_key=effect.idempotency_key)
        except RegistrationContactError as exc:
            return flow.ContactRefused(CONTACT_PROBLEMS[exc.code])
        except (ApiError, ServerError, ServerUnreachableError) as exc:
            return _failed(exc)
        return flow.Applied(receipt.reference_code)


def _failed(exc: Exception) -> flow.RegistrationFailed:
    # RegistrationRefusedError (already a patron, one already waiting) is an ApiError: to the counter.
    if isinstance(exc, ServerUnreachableError):
        return flow.RegistrationFailed(flow.Failure.SERVER_UNREACHABLE)
    if isinstance(exc, ApiError):
        log.info("registration refused: %s", exc.code)
        return flow.RegistrationFailed(FAILURES.get(exc.code, flow.Failure.SERVER_ERROR))
    log.warning("registration failed: %s", type(exc).__name__)
    return flow.RegistrationFailed(flow.Failure.SERVER_ERROR)
