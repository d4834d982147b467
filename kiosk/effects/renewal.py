"""The renewal request's card and server work: is renewal open, the card's facts behind the 入力補助 PIN,
the card's signature over a server challenge (the proof the server needs for this card number), the
server's comparison, and the request itself."""

from __future__ import annotations

import logging

from kiosk.api.client import KioskApiClient
from kiosk.api.errors import ApiError, ServerError, ServerUnreachableError
from kiosk.api.wire import RenewalAnswer
from kiosk.card import CardError, TextApSession
from kiosk.card.pin import Pin
from kiosk.card.protocol import Connection
from kiosk.effects.card import PIN_ERRORS, CardSessions, PinRefusedError, card_trouble, sign_challenge
from kiosk.effects.expiry import CERTIFICATE_CODES
from kiosk.flows import renewal as flow
from kiosk.flows.card_steps import CardFailed, PinStep, PinWrong

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


class RenewalWork:
    """Answers CheckEligibility, ReadFacts, CompareFacts and SendRequest."""

    def __init__(self, api: KioskApiClient, cards: CardSessions) -> None:
        self.api = api
        self.cards = cards

    def check(self, effect: flow.CheckEligibility) -> object:
        """Renewal is open from one month before the expiry birthday, and after expiry."""
        try:
            expiry = self.api.card_expiry(effect.card_number)
        except (ApiError, ServerError, ServerUnreachableError) as exc:
            return _failed(exc)
        if expiry.status == "valid":
            return flow.NotYetOpen(expiry.renewable_from, month_only=expiry.precision == "month")
        return flow.Eligible(flow.Eligibility(expiry.status))

    def read_facts(self, effect: flow.ReadFacts) -> object:
        """VERIFY the 入力補助 PIN and keep name, address and birth date (the sex is dropped here)."""
        try:
            with self.cards.open() as connection:
                facts = _read_facts(connection, effect.pin, effect.last_try_confirmed)
        except PinRefusedError as problem:
            return problem.event
        except CardError as exc:
            return CardFailed(card_trouble(exc))
        finally:
            effect.pin.wipe()
        return flow.FactsRead(facts)

    def prove(self, effect: flow.Prove) -> object:
        """The card signs a fresh challenge (one VERIFY of the 利用者証明用 PIN); the server's proof for the number.

        On the shared-PIN path the facts are read first, in the same card session.
        """
        facts = None
        try:
            with self.cards.open() as connection:
                if effect.text_pin is not None:
                    facts = _read_facts(connection, effect.text_pin, False)
                signed = sign_challenge(self.api, connection, effect.auth_pin, effect.last_try_confirmed,
                                        facts.birth_date if facts else None)
            proof = self.api.renewal_proof(card_number=effect.card_number, challenge_id=signed.challenge_id,
                                           certificate_der=effect.certificate_der, signature=signed.signature,
                                           idempotency_key=effect.idempotency_key)
        except PinRefusedError as problem:
            if facts is not None and isinstance(problem.event, PinWrong):
                return flow.AuthPinWrongAfterFacts(problem.event, facts)
            return problem.event
        except CardError as exc:
            return CardFailed(card_trouble(exc))
        except (ApiError, ServerError, ServerUnreachableError) as exc:
            return _failed(exc)
        finally:
            effect.auth_pin.wipe()
            if effect.text_pin is not None:
                effect.text_pin.wipe()
        return flow.Proven(proof, facts)

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


def _read_facts(connection: Connection, pin: Pin, last_try_confirmed: bool) -> flow.Facts:
    """VERIFY the 入力補助 PIN and read name, address and birth date (the sex is dropped here)."""
    text = TextApSession(connection)
    try:
        text.verify_text_pin(pin, last_try_confirmed=last_try_confirmed)
    except PIN_ERRORS as exc:
        raise PinRefusedError.of(exc, PinStep.TEXT, None) from None
    four = text.read_basic_four()
    return flow.Facts(four.name, four.address, four.birth_date)


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
