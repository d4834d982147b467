"""The expiry check's server work: by library card number, or by a signature of the My Number card."""

from __future__ import annotations

import logging

from kiosk.api.client import KioskApiClient
from kiosk.api.errors import ApiError, IlsUnreachableError, KioskApiError, ServerError, ServerUnreachableError
from kiosk.api.wire import CardExpiry
from kiosk.effects.card import CardSessions, SignedChallenge, pin_command, sign_challenge
from kiosk.flows import expiry

log = logging.getLogger(__name__)
CERTIFICATE_CODES = ("certificate_expired", "certificate_not_yet_valid", "certificate_revoked", "unknown_ca")


class ExpiryWork:
    """Answers LookupExpiry and LookupExpiryByCard."""

    def __init__(self, api: KioskApiClient, cards: CardSessions) -> None:
        self.api = api
        self.cards = cards

    def lookup(self, effect: expiry.LookupExpiry) -> object:
        """Expiry of a library card by its number."""
        try:
            answer = self.api.card_expiry(effect.card_number)
        except IlsUnreachableError:
            return expiry.LookupFailed(expiry.Failure.ILS_UNREACHABLE)
        except ApiError as exc:
            if exc.code in ("unknown_patron", "malformed_card_number"):
                return expiry.LookupFailed(expiry.Failure.UNKNOWN_CARD)
            log.warning("expiry lookup refused: %s", exc.code)
            return expiry.LookupFailed(expiry.Failure.SERVER_ERROR)
        except ServerUnreachableError:
            return expiry.LookupFailed(expiry.Failure.SERVER_UNREACHABLE)
        except ServerError as exc:
            log.warning("expiry lookup failed: server status %s", exc.status)
            return expiry.LookupFailed(expiry.Failure.SERVER_ERROR)
        return expiry.Answered(_view(answer))

    def lookup_by_card(self, effect: expiry.LookupExpiryByCard) -> object:
        """Expiry of the library card linked to the My Number card that signs the challenge."""
        def ask(signed: SignedChallenge) -> object:
            answer = self.api.expiry_by_mynumber(
                challenge_id=signed.challenge_id,
                certificate_der=effect.certificate_der,
                signature=signed.signature,
                idempotency_key=effect.idempotency_key,
            )
            return expiry.Answered(_view(answer), answer.card_number)

        return pin_command(
            self.cards, [effect.auth_pin],
            lambda connection: sign_challenge(self.api, connection, effect.auth_pin, effect.last_try_confirmed, None),
            ask, _by_card_failed)


def _by_card_failed(exc: KioskApiError) -> expiry.LookupFailed:
    if isinstance(exc, IlsUnreachableError):
        return expiry.LookupFailed(expiry.Failure.ILS_UNREACHABLE)
    if isinstance(exc, ApiError):
        log.info("expiry by card refused: %s", exc.code)
        if exc.code == "not_linked":
            return expiry.LookupFailed(expiry.Failure.NOT_LINKED)
        if exc.code in CERTIFICATE_CODES:
            return expiry.LookupFailed(expiry.Failure.CERTIFICATE_INVALID)
        return expiry.LookupFailed(expiry.Failure.SERVER_ERROR)
    if isinstance(exc, ServerUnreachableError):
        return expiry.LookupFailed(expiry.Failure.SERVER_UNREACHABLE)
    return expiry.LookupFailed(expiry.Failure.SERVER_ERROR)


def _view(answer: CardExpiry) -> expiry.ExpiryView:
    return expiry.ExpiryView(
        valid_until=answer.valid_until,
        renewable_from=answer.renewable_from,
        days_left=answer.days_left,
        status=expiry.CardStatus(answer.status),
    )
