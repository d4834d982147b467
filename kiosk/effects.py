"""Performs the flows' effects (server calls, card work) and answers with events.

This runs on the flow runner's worker thread. Every failure becomes an event the flow understands,
so nothing a patron does ends in an unhandled exception. Card work opens its own PC/SC connection per
effect: a VERIFY and the signature it unlocks always share one card session.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.api.client import CardExpiry, KioskApiClient
from kiosk.api.errors import ApiError, ServerError, ServerUnreachableError
from kiosk.card import (
    CardError,
    CardRemovedError,
    JpkiSession,
    LastTryNotConfirmedError,
    NoCardError,
    NotMyNumberCardError,
    Pin,
    PinBlockedError,
    ReaderGoneError,
    TextApSession,
    WrongPinError,
    sha256_digest_info,
)
from kiosk.card.protocol import Connection
from kiosk.config import KioskSettings
from kiosk.flows import expiry
from kiosk.flows import migration as mig

log = logging.getLogger(__name__)
LIBRARY_TZ = ZoneInfo("Asia/Tokyo")

# Server refusals of a migration, by the server's stable error code.
REFUSALS = {
    "no_old_link": mig.Refusal.NO_OLD_LINK,
    "already_migrated": mig.Refusal.ALREADY_MIGRATED,
    "migration_pending": mig.Refusal.ALREADY_MIGRATED,
    "certificate_expired": mig.Refusal.CERTIFICATE_EXPIRED,
    "certificate_not_yet_valid": mig.Refusal.CERTIFICATE_EXPIRED,
    "certificate_revoked": mig.Refusal.CERTIFICATE_REVOKED,
    "unknown_ca": mig.Refusal.UNKNOWN_CA,
    "unknown_patron": mig.Refusal.UNKNOWN_PATRON,
    "malformed_card_number": mig.Refusal.UNKNOWN_PATRON,
    "patron_inactive": mig.Refusal.UNKNOWN_PATRON,
}


def library_today() -> date:
    """Today at the library (Asia/Tokyo), whatever the kiosk's clock zone."""
    return datetime.now(LIBRARY_TZ).date()


def card_trouble(exc: CardError) -> mig.CardTrouble:
    """What a card-layer error means for the patron."""
    if isinstance(exc, NoCardError):
        return mig.CardTrouble.NO_CARD
    if isinstance(exc, CardRemovedError):
        return mig.CardTrouble.REMOVED
    if isinstance(exc, NotMyNumberCardError):
        return mig.CardTrouble.NOT_MY_NUMBER
    if isinstance(exc, ReaderGoneError):
        return mig.CardTrouble.READER_GONE
    return mig.CardTrouble.UNRESPONSIVE


class Performer:
    """Maps each effect type to the work that answers it."""

    def __init__(self, settings: KioskSettings, api: KioskApiClient | None = None,
                 connect: Callable[[], Connection] | None = None) -> None:
        server = settings.server
        self.api = api or KioskApiClient(server.url, server.kiosk_id, server.secret, server.timeout_s)
        self._connect = connect or (lambda: _pcsc_connect(settings.card.reader or None))
        self._handlers: dict[type, Callable[[Any], object]] = {
            expiry.LookupExpiry: self._lookup_expiry,
            expiry.LookupExpiryByCard: self._lookup_expiry_by_card,
            mig.ReadCard: self._read_card,
            mig.ReadBirthDate: self._read_birth_date,
            mig.SignAndSubmit: self._sign_and_submit,
        }

    def perform(self, effect: object) -> object:
        """Do the work ``effect`` asks for and return the answering event."""
        return self._handlers[type(effect)](effect)

    @contextmanager
    def _card(self) -> Iterator[Connection]:
        connection = self._connect()
        try:
            yield connection
        finally:
            close = getattr(connection, "close", None)
            if close is not None:
                with suppress(CardError):
                    close()

    # -- expiry -------------------------------------------------------------------------------------
    def _lookup_expiry(self, effect: expiry.LookupExpiry) -> object:
        try:
            answer = self.api.card_expiry(effect.card_number)
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
        return expiry.Answered(_expiry_view(answer))

    def _lookup_expiry_by_card(self, effect: expiry.LookupExpiryByCard) -> object:
        try:
            with self._card() as connection:
                signed = self._sign_challenge(connection, effect.auth_pin, effect.last_try_confirmed, None)
            answer = self.api.expiry_by_mynumber(
                challenge_id=signed.challenge_id,
                certificate_der=effect.certificate_der,
                signature=signed.signature,
                idempotency_key=effect.idempotency_key,
            )
        except _PinRefusedError as problem:
            return problem.event
        except CardError as exc:
            return mig.CardFailed(card_trouble(exc))
        except ApiError as exc:
            log.info("expiry by card refused: %s", exc.code)
            if exc.code == "not_linked":
                return expiry.LookupFailed(expiry.Failure.NOT_LINKED)
            if exc.code in ("certificate_expired", "certificate_not_yet_valid", "certificate_revoked", "unknown_ca"):
                return expiry.LookupFailed(expiry.Failure.CERTIFICATE_INVALID)
            return expiry.LookupFailed(expiry.Failure.SERVER_ERROR)
        except ServerUnreachableError:
            return expiry.LookupFailed(expiry.Failure.SERVER_UNREACHABLE)
        except ServerError:
            return expiry.LookupFailed(expiry.Failure.SERVER_ERROR)
        finally:
            effect.auth_pin.wipe()
        return expiry.Answered(_expiry_view(answer), answer.card_number)

    # -- migration ----------------------------------------------------------------------------------
    def _read_card(self, _effect: mig.ReadCard) -> object:
        try:
            with self._card() as connection:
                jpki = JpkiSession(connection)
                jpki.check_my_number_card()
                certificate = jpki.read_auth_certificate()
                auth_tries = jpki.auth_pin_tries_left()
                text_tries = TextApSession(connection).text_pin_tries_left()
        except CardError as exc:
            log.info("card read failed: %s", type(exc).__name__)
            return mig.CardFailed(card_trouble(exc))
        return mig.CardRead(mig.CardFacts(
            certificate_der=certificate.der,
            certificate_not_after=certificate.not_after.astimezone(LIBRARY_TZ).date(),
            auth_tries=auth_tries,
            text_tries=text_tries,
        ))

    def _read_birth_date(self, effect: mig.ReadBirthDate) -> object:
        try:
            with self._card() as connection:
                return mig.BirthDateRead(self._birth_date(connection, effect.pin, effect.last_try_confirmed))
        except _PinRefusedError as problem:
            return problem.event
        except CardError as exc:
            return mig.CardFailed(card_trouble(exc))
        finally:
            effect.pin.wipe()

    def _sign_and_submit(self, effect: mig.SignAndSubmit) -> object:
        birth_date = effect.birth_date
        try:
            with self._card() as connection:
                if effect.text_pin is not None:
                    birth_date = self._birth_date(connection, effect.text_pin, False)
                signed = self._sign_challenge(connection, effect.auth_pin, effect.last_try_confirmed, birth_date)
            outcome = self.api.submit_migration(
                challenge_id=signed.challenge_id,
                card_number=effect.card_number,
                certificate_der=effect.certificate_der,
                signature=signed.signature,
                birth_date=birth_date,
                idempotency_key=effect.idempotency_key,
            )
        except _PinRefusedError as problem:
            return problem.event
        except CardError as exc:
            return mig.CardFailed(card_trouble(exc))
        except ApiError as exc:
            log.info("migration refused: %s", exc.code)
            return mig.MigrationRefused(REFUSALS.get(exc.code, mig.Refusal.SERVER_ERROR))
        except ServerUnreachableError:
            return mig.MigrationRefused(mig.Refusal.SERVER_UNREACHABLE)
        except ServerError as exc:
            log.warning("migration failed: server status %s", exc.status)
            return mig.MigrationRefused(mig.Refusal.SERVER_ERROR)
        finally:
            effect.auth_pin.wipe()
            if effect.text_pin is not None:
                effect.text_pin.wipe()
        reference = outcome.reference_code if outcome.status == "pending" else None
        return mig.Migrated(library_today(), reference)

    def _sign_challenge(self, connection: Connection, pin: Pin, last_try_confirmed: bool,
                        birth_date: date | None) -> _Signed:
        """A fresh server challenge signed with the 利用者証明用 key after one VERIFY."""
        # The challenge comes before the PIN is used: if the server is down, no try is spent.
        challenge = self.api.migration_challenge()
        jpki = JpkiSession(connection)
        try:
            jpki.verify_auth_pin(pin, last_try_confirmed=last_try_confirmed)
        except _PIN_ERRORS as exc:
            raise _PinRefusedError.of(exc, mig.PinStep.AUTH, birth_date) from None
        return _Signed(challenge.challenge_id, jpki.sign_auth(sha256_digest_info(challenge.challenge)))

    @staticmethod
    def _birth_date(connection: Connection, pin: Pin, last_try_confirmed: bool) -> date:
        """VERIFY the 入力補助 PIN and keep only the birth date of the four facts."""
        text = TextApSession(connection)
        try:
            text.verify_text_pin(pin, last_try_confirmed=last_try_confirmed)
        except _PIN_ERRORS as exc:
            raise _PinRefusedError.of(exc, mig.PinStep.TEXT, None) from None
        return text.read_basic_four().birth_date


_PIN_ERRORS = (WrongPinError, PinBlockedError, LastTryNotConfirmedError)


@dataclass(frozen=True)
class _Signed:
    challenge_id: str
    signature: bytes


def _expiry_view(answer: CardExpiry) -> expiry.ExpiryView:
    return expiry.ExpiryView(
        valid_until=answer.valid_until,
        renewable_from=answer.renewable_from,
        days_left=answer.days_left,
        status=expiry.CardStatus(answer.status),
    )


class _PinRefusedError(Exception):
    """Carries the event for a refused or blocked PIN out of a card session."""

    def __init__(self, event: object) -> None:
        super().__init__()
        self.event = event

    @classmethod
    def of(cls, exc: Exception, step: mig.PinStep, birth_date: date | None) -> _PinRefusedError:
        if isinstance(exc, PinBlockedError):
            return cls(mig.PinBlockedOnCard(step))
        # The tries changed under us (LastTryNotConfirmed): ask again, with the last-try warning.
        tries = exc.tries_left if isinstance(exc, WrongPinError) else 1
        return cls(mig.PinWrong(step, tries, birth_date))


def _pcsc_connect(reader: str | None) -> Connection:
    from kiosk.card.pcsc import connect  # imported late: pyscard only where a card is used

    return connect(reader)
