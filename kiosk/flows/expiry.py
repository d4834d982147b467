"""有効期限の確認: the patron enters or scans a library card number and sees until when it is valid."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from kiosk.card.pin import Pin
from kiosk.flows.card_steps import (
    CARD,
    PIN,
    RESULT,
    CardFacts,
    CardPinFlow,
    CardRemoved,
    CardTrouble,
    CardUnusable,
    CertificateExpired,
    EnteringPin,
    LastTryWarning,
    PinBlocked,
    PinStep,
    PinWrong,
    ReadCard,
    ReadingCard,
    WaitingForCard,
    card_step_rows,
)
from kiosk.flows.common import (
    FINISHED,
    LIBRARY_CARD,
    Back,
    Backspace,
    Clear,
    Digit,
    Done,
    EffectFailed,
    Entering,
    Finished,
    Retry,
    Scanned,
    Submit,
    enter_card_number,
)
from kiosk.flows.pinpad import PinBuffer
from kiosk.states import COMPLETED, FAILED, CounterTicket, Cue, Paths, StateInfo, error_if

__all__ = [
    "Answered", "Back", "Backspace", "ByCard", "ByNumber", "CardFacts", "CardRemoved", "CardStatus", "CardTrouble",
    "CheckingByCard", "ChooseMethod", "Clear", "Digit", "Done", "Entering", "EnteringPin", "ExpiryFlow",
    "ExpiryView", "Failed", "Failure", "Finished", "LookingUp", "LookupExpiry", "LookupExpiryByCard",
    "LookupFailed", "PinStep", "PinWrong", "ReadCard", "ReadingCard", "Retry", "Scanned", "Shown", "Submit",
    "WaitingForCard",
]


class CardStatus(StrEnum):
    """Where the card stands today, as the server says."""

    VALID = "valid"
    RENEWABLE = "renewable"
    EXPIRED = "expired"


class Failure(StrEnum):
    """Why the server could not answer; each has its own message and next step."""

    UNKNOWN_CARD = "unknown_card"
    NOT_LINKED = "not_linked"  # the My Number card has no MyKey link to a library card
    CERTIFICATE_INVALID = "certificate_invalid"  # expired, revoked or unknown to the server
    SERVER_UNREACHABLE = "server_unreachable"
    SERVER_ERROR = "server_error"
    ILS_UNREACHABLE = "ils_unreachable"  # the server answered, the library's ILS (SIP2) did not: not "expired"


@dataclass(frozen=True)
class ExpiryView:
    """What the server says about a card's expiry."""

    valid_until: date
    renewable_from: date
    days_left: int | None  # None: told to the month (a typed number; the dates are then the 1st of the month)
    status: CardStatus


# -- states (Entering, Finished and the card steps are shared with the other flows) ---------------
@dataclass(frozen=True)
class ChooseMethod:
    """By library card number, or by My Number card (for a MyKey link)?"""


@dataclass(frozen=True)
class LookingUp:
    """Waiting for the server (``card_number`` is empty when asked by My Number card)."""

    card_number: str


@dataclass(frozen=True)
class Shown:
    """The answer."""

    card_number: str
    expiry: ExpiryView


@dataclass(frozen=True)
class Failed:
    """The server could not answer; nothing was changed anywhere. ``retry_pin``: by card, a retry needs the PIN."""

    card_number: str
    failure: Failure
    retry_pin: EnteringPin | None = None


# -- events (pad, scanner and navigation events are shared) -----------------------------------------
@dataclass(frozen=True)
class ByNumber:
    """Check by library card number."""


@dataclass(frozen=True)
class ByCard:
    """Check by My Number card."""


@dataclass(frozen=True)
class Answered:
    """The server answered (by My Number card it also says which library card)."""

    expiry: ExpiryView
    card_number: str | None = None


@dataclass(frozen=True)
class LookupFailed:
    """The server could not answer."""

    failure: Failure


# -- effects --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LookupExpiry:
    """Ask the server for this card's expiry."""

    card_number: str


@dataclass(frozen=True)
class LookupExpiryByCard:
    """Get a challenge, VERIFY the 利用者証明用 PIN, sign, and ask the server for the linked card's expiry."""

    certificate_der: bytes
    auth_pin: Pin
    last_try_confirmed: bool
    idempotency_key: str


@dataclass(frozen=True)
class CheckingByCard:
    """The card signs the server's challenge; the server finds the linked library card."""

    pad: EnteringPin


State = (
    ChooseMethod | Entering | LookingUp | Shown | Failed | Finished | CheckingByCard | WaitingForCard
    | ReadingCard | EnteringPin | LastTryWarning | CertificateExpired | PinBlocked | CardUnusable
)


class ExpiryFlow(CardPinFlow):
    """The expiry check as a state machine: by number, or by My Number card through the shared card steps."""

    def __init__(self, barcode_pattern: str, today: Callable[[], date] = date.today,
                 new_key: Callable[[], str] = lambda: str(uuid.uuid4())) -> None:
        self.state: State = ChooseMethod()
        self.pin = PinBuffer()
        self._pattern = re.compile(barcode_pattern, re.ASCII)
        self._today = today
        self._new_key = new_key

    def _step(self, state: object, event: object) -> list[object]:
        match state:
            case ChooseMethod():
                return self._on_choose_method(state, event)
            case Entering():
                return self._on_entering(state, event)
            case LookingUp():
                return self._on_looking_up(state, event)
            case CheckingByCard():
                return self._on_checking_by_card(state, event)
            case Failed():
                return self._on_failed(state, event)
            case Shown():
                return self._on_shown(state, event)
        return super()._step(state, event)

    def _on_choose_method(self, state: ChooseMethod, event: object) -> list[object]:
        if isinstance(event, ByNumber):
            self.state = Entering()
        elif isinstance(event, ByCard):
            self.state = ReadingCard("")
            return [ReadCard()]  # the card may already be on the reader
        return []

    def _on_entering(self, state: Entering, event: object) -> list[object]:
        if isinstance(event, Back):
            self.state = ChooseMethod()
            return []
        entered = enter_card_number(state, event, self._pattern)
        if isinstance(entered, str):
            self.state = LookingUp(entered)
            return [LookupExpiry(entered)]
        self.state = entered
        return []

    def _on_looking_up(self, state: LookingUp, event: object) -> list[object]:
        if isinstance(event, Answered):
            self.state = Shown(event.card_number or state.card_number, event.expiry)
        elif isinstance(event, LookupFailed):
            self.state = Failed(state.card_number, event.failure)
        elif isinstance(event, EffectFailed):
            self.state = Failed(state.card_number, Failure.SERVER_ERROR)
        return []

    def _on_checking_by_card(self, state: CheckingByCard, event: object) -> list[object]:
        if isinstance(event, Answered):
            self.state = Shown(event.card_number or "", event.expiry)
        elif isinstance(event, LookupFailed):
            retry = state.pad if event.failure in (Failure.SERVER_UNREACHABLE, Failure.SERVER_ERROR,
                                                   Failure.ILS_UNREACHABLE) else None
            self.state = Failed("", event.failure, replace(retry, digits=0) if retry else None)
        elif isinstance(event, EffectFailed):
            self.state = Failed("", Failure.SERVER_ERROR, replace(state.pad, digits=0))
        else:
            self._card_step_failed("", state.pad.card, PinStep.AUTH, None, event)
        return []

    def _on_failed(self, state: Failed, event: object) -> list[object]:
        if isinstance(event, Retry):
            if state.retry_pin is not None:
                self.state = state.retry_pin
            elif state.card_number:
                self.state = LookingUp(state.card_number)
                return [LookupExpiry(state.card_number)]
        elif isinstance(event, Back):
            self.state = Entering(state.card_number) if state.card_number else ChooseMethod()
        return []

    def _on_shown(self, state: Shown, event: object) -> list[object]:
        if isinstance(event, Back):
            self.state = ChooseMethod()
        return []

    # -- hooks of the shared card steps ----------------------------------------------------------------
    def _before_card(self, card_number: str) -> State:
        return ChooseMethod()

    def _card_ready(self, card_number: str, card: CardFacts) -> State:
        # A MyKey link is proved by a signature, so the 利用者証明用 PIN is needed.
        return EnteringPin(card_number, card, PinStep.AUTH)

    def _pin_back(self, pad: EnteringPin) -> State:
        return ChooseMethod()

    def _send_pin(self, pad: EnteringPin, *, last_try_confirmed: bool) -> list[object]:
        (pin,) = self.pin.take()
        self.state = CheckingByCard(pad)
        return [LookupExpiryByCard(pad.card.certificate_der, pin, last_try_confirmed, self._new_key())]


def _renewal_ticket(state: Shown) -> CounterTicket | None:
    """A renewal ticket for the counter when renewal is open or the card has expired."""
    if state.expiry.status in (CardStatus.RENEWABLE, CardStatus.EXPIRED):
        return "registration", "renewal", None
    return None


# -- what each state is (screens/routes.py, kiosk/a11y/cues.py and kiosk/statistics.py read it) --------------
# The step indicator's ways (kiosk/steps.py): by number 図書館カード → 結果;
# by My Number card マイナンバーカード → 暗証番号 → 結果.
STEPS: Paths = ((LIBRARY_CARD, RESULT), (CARD, PIN, RESULT))

STATES: dict[type, StateInfo] = {
    # The choice of the way shows no step yet: how many there are depends on it.
    ChooseMethod: StateInfo("expiry_method", "choose_method", first=True, step=None),
    Entering: StateInfo("card_number", "card_number", cue=error_if(lambda s: s.problem is not None),
                        typed=lambda s: len(s.digits), step=LIBRARY_CARD),
    LookingUp: StateInfo("expiry_result", "looking_up", busy=True, step=RESULT),
    CheckingByCard: StateInfo("migrate_working", "checking_by_card", busy=True, step=RESULT),
    Shown: StateInfo("expiry_result", "shown",
                     sign=lambda s: "done" if s.expiry.status is CardStatus.VALID else "attention",
                     cue=lambda s: Cue.OK if s.expiry.status is CardStatus.VALID
                     else Cue.WARNING, outcome=lambda s: (COMPLETED, s.expiry.status.value), counter=_renewal_ticket,
                     step=RESULT),
    Failed: StateInfo("expiry_result", "failed", sign="failed", cue=Cue.ERROR,
                      outcome=lambda s: (FAILED, s.failure.value),
                      step=RESULT),
    **card_step_rows(same_pin=False),
    Finished: FINISHED,
}


def counter_ticket_for(state: object) -> CounterTicket | None:
    """(service, reason, reference) of the one-tap counter ticket ``state`` offers (its row says), or None."""
    info = STATES.get(type(state))
    return info.counter_of(state) if info is not None else None
