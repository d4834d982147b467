"""The renewal request's card and server work: is renewal open, the card's facts behind the 入力補助 PIN,
the server's comparison, and the request itself."""

from __future__ import annotations

import logging

from kiosk.api.client import KioskApiClient, RenewalAnswer
from kiosk.api.errors import ApiError, ServerError, ServerUnreachableError
from kiosk.card import CardError, TextApSession
from kiosk.effects.card import PIN_ERRORS, CardSessions, PinRefusedError, card_trouble
from kiosk.flows import renewal as flow
from kiosk.flows.card_steps import CardFailed, PinStep

log = logging.getLogger(__name__)

# Server refusals by stable code; any other code is a server error.
FAILURES = {
    "not_yet_renewable": flow.Failure.NOT_YET,
    "unknown_patron": flow.Failure.UNKNOWN_CARD,
    "malformed_card_number": flow.Failure.UNKNOWN_CARD,
    "patron_inactive": flow.Failure.INACTIVE,
    "renewal_unmatched": flow.Failure.UNMATCHED,
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
            return flow.NotYetOpen(expiry.renewable_from)
        return flow.Eligible(flow.Eligibility(expiry.status))

    def read_facts(self, effect: flow.ReadFacts) -> object:
        """VERIFY the 入力補助 PIN and keep name, address and birth date (the sex is dropped here)."""
        try:
            with self.cards.open() as connection:
                text = TextApSession(connection)
                try:
                    text.verify_text_pin(effect.pin, last_try_confirmed=effect.last_try_confirmed)
                except PIN_ERRORS as exc:
                    raise PinRefusedError.of(exc, PinStep.TEXT, None) from None
                four = text.read_basic_four()
        except PinRefusedError as problem:
            return problem.event
        except CardError as exc:
            return CardFailed(card_trouble(exc))
        finally:
            effect.pin.wipe()
        return flow.FactsRead(flow.Facts(four.name, four.address, four.birth_date))

    def compare(self, effect: flow.CompareFacts) -> object:
        """The server's same/different for the card's facts."""
        facts = effect.facts
        try:
            answer = self.api.renewal_compare(effect.card_number, facts.name, facts.address, facts.birth_date)
        except (ApiError, ServerError, ServerUnreachableError) as exc:
            return _failed(exc)
        return flow.Compared(_comparison(answer))

    def send(self, effect: flow.SendRequest) -> object:
        """Store the request; the answer's reference code goes on the counter ticket."""
        facts = effect.facts
        try:
            answer = self.api.renewal_request(effect.card_number, facts.name, facts.address, facts.birth_date,
                                              idempotency_key=effect.idempotency_key)
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
