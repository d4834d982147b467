"""The check-up's card and server work: sign a challenge, then ask the server what it knows of this card."""

from __future__ import annotations

import logging

from kiosk.api.client import KioskApiClient
from kiosk.api.errors import ApiError, ServerError, ServerUnreachableError
from kiosk.api.wire import CardCheckup
from kiosk.card import CardError
from kiosk.effects.card import CardSessions, PinRefusedError, card_trouble, sign_challenge
from kiosk.effects.expiry import CERTIFICATE_CODES
from kiosk.flows import card_steps as cs
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
        try:
            with self.cards.open() as connection:
                signed = sign_challenge(self.api, connection, effect.auth_pin, effect.last_try_confirmed, None)
            answer = self.api.card_checkup(challenge_id=signed.challenge_id, certificate_der=effect.certificate_der,
                                           signature=signed.signature, idempotency_key=effect.idempotency_key)
        except PinRefusedError as problem:
            return problem.event
        except CardError as exc:
            return cs.CardFailed(card_trouble(exc))
        except ApiError as exc:
            log.info("check-up refused: %s", exc.code)
            if exc.code in CERTIFICATE_CODES:
                return checkup.CheckFailed(checkup.Failure.CERTIFICATE_INVALID)
            return checkup.CheckFailed(checkup.Failure.SERVER_ERROR)
        except ServerUnreachableError:
            return checkup.CheckFailed(checkup.Failure.SERVER_UNREACHABLE)
        except ServerError as exc:
            log.warning("check-up failed: server status %s", exc.status)
            return checkup.CheckFailed(checkup.Failure.SERVER_ERROR)
        finally:
            effect.auth_pin.wipe()
        return checkup.CheckedUp(view(answer))


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
