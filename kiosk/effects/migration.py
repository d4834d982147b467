"""The migration's card and server work: read without a PIN, the birth date, sign and submit."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import Any

from kiosk.api.client import KioskApiClient
from kiosk.api.errors import ApiError, KioskApiError, ServerError, ServerUnreachableError
from kiosk.card import CardError, JpkiSession, TextApSession
from kiosk.card.detect import detect_profile
from kiosk.card.profile import NewerCardError, PinNotSetError
from kiosk.clock import LIBRARY_TZ
from kiosk.effects.card import (
    CardSessions,
    SignedChallenge,
    card_trouble,
    pin_command,
    read_birth_date,
    sign_challenge,
)
from kiosk.flows import card_steps as cs
from kiosk.flows import migration as mig

log = logging.getLogger(__name__)

# Server refusals of a migration, by the server's stable error code; any other code is a server error.
REFUSALS = {
    "no_old_link": mig.Refusal.NO_OLD_LINK,
    "already_migrated": mig.Refusal.ALREADY_MIGRATED,
    "migration_pending": mig.Refusal.ALREADY_MIGRATED,
    "mykey_linked_elsewhere": mig.Refusal.LINKED_ELSEWHERE,
    "certificate_expired": mig.Refusal.CERTIFICATE_EXPIRED,
    "certificate_not_yet_valid": mig.Refusal.CERTIFICATE_EXPIRED,
    "certificate_revoked": mig.Refusal.CERTIFICATE_REVOKED,
    "unknown_ca": mig.Refusal.UNKNOWN_CA,
    "unknown_patron": mig.Refusal.UNKNOWN_PATRON,
    "malformed_card_number": mig.Refusal.UNKNOWN_PATRON,
    "patron_inactive": mig.Refusal.UNKNOWN_PATRON,
}


class MigrationWork:
    """Answers ReadCard, ReadBirthDate and SignAndSubmit."""

    def __init__(self, api: KioskApiClient, cards: CardSessions, today: Callable[[], date]) -> None:
        self.api = api
        self.cards = cards
        self.today = today

    def read_card(self, _effect: cs.ReadCard) -> object:
        """The card's generation, the certificate and both PINs' tries, with no PIN."""
        try:
            with self.cards.open() as connection:
                profile = detect_profile(connection)  # told by the card's answers; the same APDUs as the token check
                jpki = JpkiSession(connection)
                certificate = jpki.read_auth_certificate()
                auth_tries = jpki.auth_pin_tries_left()
                text_tries = TextApSession(connection).text_pin_tries_left()
        except NewerCardError:
            log.info("card read: a newer card generation")
            return cs.CardNotUsable(cs.Unusable.NEWER_CARD)
        except PinNotSetError:
            log.info("card read: no PIN set (face authentication only)")
            return cs.CardNotUsable(cs.Unusable.FACE_AUTH_ONLY)
        except CardError as exc:
            log.info("card read failed: %s", type(exc).__name__)
            return cs.CardFailed(card_trouble(exc))
        return cs.CardRead(cs.CardFacts(
            certificate_der=certificate.der,
            certificate_not_after=certificate.not_after.astimezone(LIBRARY_TZ).date(),
            auth_tries=auth_tries,
            text_tries=text_tries,
            profile=profile,
        ))

    def read_birth_date(self, effect: mig.ReadBirthDate) -> object:
        """VERIFY the 入力補助 PIN and read the birth date."""
        return pin_command(self.cards, [effect.pin],
                           lambda connection: read_birth_date(connection, effect.pin, effect.last_try_confirmed),
                           mig.BirthDateRead)

    def sign_and_submit(self, effect: mig.SignAndSubmit) -> object:
        """Sign a fresh challenge and send it; done only once the server says so."""
        def on_card(connection: Any) -> tuple[SignedChallenge, date | None]:
            birth_date = effect.birth_date
            if effect.text_pin is not None:
                birth_date = read_birth_date(connection, effect.text_pin, False)
            return sign_challenge(self.api, connection, effect.auth_pin, effect.last_try_confirmed,
                                  birth_date), birth_date

        def submit(done: tuple[SignedChallenge, date | None]) -> object:
            signed, birth_date = done
            outcome = self.api.submit_migration(
                challenge_id=signed.challenge_id,
                card_number=effect.card_number,
                certificate_der=effect.certificate_der,
                signature=signed.signature,
                birth_date=birth_date,
                idempotency_key=effect.idempotency_key,
            )
            reference = outcome.reference_code if outcome.status == "pending" else None
            return mig.Migrated(self.today(), reference)

        return pin_command(self.cards, [effect.auth_pin, effect.text_pin], on_card, submit, _refused)


def _refused(exc: KioskApiError) -> mig.MigrationRefused:
    if isinstance(exc, ApiError):
        log.info("migration refused: %s", exc.code)
        return mig.MigrationRefused(REFUSALS.get(exc.code, mig.Refusal.SERVER_ERROR))
    if isinstance(exc, ServerUnreachableError):
        return mig.MigrationRefused(mig.Refusal.SERVER_UNREACHABLE)
    log.warning("migration failed: server status %s", exc.status if isinstance(exc, ServerError) else "?")
    return mig.MigrationRefused(mig.Refusal.SERVER_ERROR)
