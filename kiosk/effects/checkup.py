"""The check-up's card and server work: sign a challenge, then ask the server what it knows of this card."""

from __future__ import annotations

import logging

from kiosk.api.client import KioskApiClient
from kiosk.api.errors import ApiError, KioskApiError, ServerError, ServerUnreachableError
from kiosk.api.wire import CardCheckup
from kiosk.effects.card import CardSessions, SignedChallenge, pin_command, sign_challenge
from kiosk.effects.expiry import CERTIFICATE_CODES
from kiosk.flows import checkup
from kiosk.flows.expiry import CardStatus, ExpiryView

log = logging.getLogger(__name__)


class CheckupWork:
    """Answers CheckUp."""

    def __init__(self, api: KioskApiClient, cards: CardSessions) -> None:
        self.api = api
        self.cards = cards

    def check_up(self, effect: checkup.CheckUp) -> object:
        """One VERIFY and one signature in one card session, then the server's findings."""
        def ask(signed: SignedChallenge) -> object:
            answer = self.api.card_checkup(challenge_id=signed.challenge_id, certificate_der=effect.certificate_der,
                                           signature=signed.signature, idempotency_key=effect.idempotency_key)
            return checkup.CheckedUp(view(answer))

        return pin_command(
            self.cards, [effect.auth_pin],
            lambda connection: sign_challenge(self.api, connection, effect.auth_pin, effect.last_try_confirmed, None),
            ask, _failed)


def _failed(exc: KioskApiError) -> checkup.CheckFailed:
    if isinstance(exc, ApiError):
        log.info("check-up refused: %s", exc.code)
        if exc.code in CERTIFICATE_CODES:
            return checkup.CheckFailed(checkup.Failure.CERTIFICATE_INVALID)
        return checkup.CheckFailed(checkup.Failure.SERVER_ERROR)
    if isinstance(exc, ServerUnreachableError):
        return checkup.CheckFailed(checkup.Failure.SERVER_UNREACHABLE)
    log.warning("check-up failed: server status %s", exc.status if isinstance(exc, ServerError) else "?")
    return checkup.CheckFailed(checkup.Failure.SERVER_ERROR)


def view(answer: CardCheckup) -> checkup.CheckupView:
    """The flow's view of the server's answer."""
    card = answer.card
    expiry = None
    if card is not None:
        expiry = ExpiryView(valid_until=card.valid_until, renewable_from=card.renewable_from,
                            days_left=card.days_left, status=CardStatus(card.status))
    return checkup.CheckupView(
        link=checkup.Link(answer.link),
        card_number=card.card_number if card is not None else None,
        expiry=expiry,
        migration_reference=answer.migration_reference,
        reference=answer.reference,
    )
