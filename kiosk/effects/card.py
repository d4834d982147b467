"""Card sessions for effects: one PC/SC connection per effect, so a VERIFY and the signature it unlocks
always share one card session, and the card is reset (PIN state gone) when the effect ends. And the card's
facts and its proof (``FactsAndProof``), the work of the flows that need both PINs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from kiosk.api.client import KioskApiClient
from kiosk.api.errors import KioskApiError
from kiosk.card import (
    BasicFour,
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
    UnexpectedAnswerError,
    WrongPinError,
    sha256_digest_info,
)
from kiosk.flows import card_steps as cs

PIN_ERRORS = (WrongPinError, PinBlockedError, LastTryNotConfirmedError)
T = TypeVar("T")


class PinRefusedError(Exception):
    """Carries the event for a refused or blocked PIN out of a card session."""

    def __init__(self, event: object) -> None:
        super().__init__()
        self.event = event

    @classmethod
    def of(cls, exc: Exception, step: cs.PinStep, birth_date: date | None) -> PinRefusedError:
        """The event a card-layer PIN error means."""
        if isinstance(exc, PinBlockedError):
            return cls(cs.PinBlockedOnCard(step))
        # The tries changed under us (LastTryNotConfirmed): ask again, with the last-try warning.
        tries = exc.tries_left if isinstance(exc, WrongPinError) else 1
        return cls(cs.PinWrong(step, tries, birth_date))


@dataclass(frozen=True)
class SignedChallenge:
    """A server challenge signed by the card's 利用者証明用 key."""

    challenge_id: str
    signature: bytes


def card_trouble(exc: CardError) -> cs.CardTrouble:
    """What a card-layer error means for the patron."""
    if isinstance(exc, NoCardError):
        return cs.CardTrouble.NO_CARD
    if isinstance(exc, CardRemovedError):
        return cs.CardTrouble.REMOVED
    if isinstance(exc, NotMyNumberCardError):
        return cs.CardTrouble.NOT_MY_NUMBER
    if isinstance(exc, ReaderGoneError):
        return cs.CardTrouble.READER_GONE
    if isinstance(exc, UnexpectedAnswerError):
        return cs.CardTrouble.UNEXPECTED_ANSWER
    return cs.CardTrouble.UNRESPONSIVE  # no answer (CardTimeoutError among them)


class CardSessions:
    """Opens the card in the configured reader (or through ``connect``, for tests) for one effect."""

    def __init__(self, reader: str | None, connect: Callable[[], Any] | None = None,
                 command_timeout_s: float = 5.0) -> None:
        self._connect = connect or (lambda: _pcsc_connect(reader, command_timeout_s))

    @contextmanager
    def open(self) -> Iterator[Any]:
        """A connection to the card, closed (and the card reset) at the end."""
        connection = self._connect()
        try:
            yield connection
        finally:
            close = getattr(connection, "close", None)
            if close is not None:
                with suppress(CardError):
                    close()


def pin_command(cards: CardSessions, pins: Iterable[Pin | None], on_card: Callable[[Any], T],
                then: Callable[[T], object], failed: Callable[[KioskApiError], object] | None = None) -> object:
    """A card command under PINs, then what follows it: the event it ends in.

    ``on_card`` runs in one card session; ``then`` runs on its result once the session is closed, so a server
    call never holds the card. A refused PIN and a card error become their events, a server error ``failed``'s
    (with no ``failed``, the command calls no server); every PIN is wiped at the end, whatever happened."""
    try:
        with cards.open() as connection:
            result = on_card(connection)
        return then(result)
    except PinRefusedError as problem:
        return problem.event
    except CardError as exc:
        return cs.CardFailed(card_trouble(exc))
    except KioskApiError as exc:
        if failed is None:
            raise
        return failed(exc)
    finally:
        for pin in pins:
            if pin is not None:
                pin.wipe()


def sign_challenge(api: KioskApiClient, connection: Any, pin: Pin, last_try_confirmed: bool,
                   birth_date: date | None) -> SignedChallenge:
    """A fresh server challenge signed with the 利用者証明用 key after one VERIFY."""
    # The challenge comes before the PIN is used: if the server is down, no try is spent.
    challenge = api.migration_challenge()
    jpki = JpkiSession(connection)
    try:
        jpki.verify_auth_pin(pin, last_try_confirmed=last_try_confirmed)
    except PIN_ERRORS as exc:
        raise PinRefusedError.of(exc, cs.PinStep.AUTH, birth_date) from None
    return SignedChallenge(challenge.challenge_id, jpki.sign_auth(sha256_digest_info(challenge.challenge)))


def read_four(connection: Any, pin: Pin, last_try_confirmed: bool) -> BasicFour:
    """VERIFY the 入力補助 PIN and read the four facts: name, address, birth date and sex (never the 個人番号)."""
    text = TextApSession(connection)
    try:
        text.verify_text_pin(pin, last_try_confirmed=last_try_confirmed)
    except PIN_ERRORS as exc:
        raise PinRefusedError.of(exc, cs.PinStep.TEXT, None) from None
    return text.read_basic_four()


def read_birth_date(connection: Any, pin: Pin, last_try_confirmed: bool) -> date:
    """VERIFY the 入力補助 PIN and keep only the birth date of the four facts."""
    return read_four(connection, pin, last_try_confirmed).birth_date


class FactsAndProof(Generic[cs.FactsT]):
    """Answers a ``FactsProofFlow``'s card effects, each in one card session, each PIN wiped after its command.

    A flow's work says what it keeps of the four facts (``_keep``), what the signature is for and what a server
    refusal means (``_prove``'s arguments)."""

    def __init__(self, api: KioskApiClient, cards: CardSessions) -> None:
        self.api = api
        self.cards = cards

    def _keep(self, four: BasicFour) -> cs.FactsT:
        """The flow's facts: what it keeps of the four."""
        raise NotImplementedError

    def read_facts(self, effect: cs.ReadFacts) -> object:
        """VERIFY the 入力補助 PIN and read the facts."""
        return pin_command(self.cards, [effect.pin],
                           lambda connection: self._keep(read_four(connection, effect.pin, effect.last_try_confirmed)),
                           cs.FactsRead)

    def _prove(self, effect: cs.Prove, proven: Callable[[SignedChallenge, cs.FactsT | None], object],
               failed: Callable[[KioskApiError], object]) -> object:
        """The card signs a fresh challenge (one VERIFY of the 利用者証明用 PIN), and ``proven`` answers with it
        (after the card session); on the shared-PIN path the facts are read first, in the same card session."""
        def on_card(connection: Any) -> tuple[SignedChallenge, cs.FactsT | None]:
            facts = self._keep(read_four(connection, effect.text_pin, False)) if effect.text_pin is not None else None
            try:
                return sign_challenge(self.api, connection, effect.auth_pin, effect.last_try_confirmed,
                                      facts.birth_date if facts is not None else None), facts
            except PinRefusedError as problem:
                # The facts were read with the shared PIN: keep them, so the patron retypes only that PIN.
                if facts is not None and isinstance(problem.event, cs.PinWrong):
                    raise PinRefusedError(cs.AuthPinWrongAfterFacts(problem.event, facts)) from None
                raise

        return pin_command(self.cards, [effect.auth_pin, effect.text_pin], on_card, lambda done: proven(*done),
                           failed)


def _pcsc_connect(reader: str | None, command_timeout_s: float) -> Any:
    from kiosk.card.pcsc import connect  # imported late: pyscard only where a card is used

    return connect(reader, command_timeout_s=command_timeout_s)
