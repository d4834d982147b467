"""利用者カードの更新の申し込み: a renewal request the 2nd-floor counter completes with one confirmation.

Steps: library card number (typed, scanned, or passed in by the expiry check or the check-up) → the server
says whether renewal is open → with the My Number card: place it, the 券面事項入力補助 PIN (the shared card
steps: tries first, a warning before the last try, nothing retried by itself), the card's name, address and
birth date are read and compared by the server → the card's facts are shown with the differing ones marked →
the request is sent, and a ticket with its reference takes the patron to the counter. Without the card: what
to bring, and a renewal ticket.

Privacy: the screen shows only what the card itself says; the server answers "same" or "different", and
only when it is the same person (else the patron is sent to the counter). The facts live in this flow's
states, which ``close`` drops when the session ends.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from kiosk.card.pin import Pin
from kiosk.flows.card_steps import (
    CardFacts,
    CardPinFlow,
    CardRead,
    CardTrouble,
    EnteringPin,
    LastTryWarning,
    PinBlocked,
    PinStep,
    ReadCard,
    ReadingCard,
    WaitingForCard,
)
from kiosk.flows.common import Back, EffectFailed, Entering, Finished, Retry, enter_card_number
from kiosk.flows.pinpad import PinBuffer


class Eligibility(StrEnum):
    """Where the card stands for a renewal."""

    RENEWABLE = "renewable"
    EXPIRED = "expired"


class Failure(StrEnum):
    """Why the request did not go through; each has its own message and next step."""

    NOT_YET = "not_yet"  # renewal opens one month before the expiry birthday
    UNKNOWN_CARD = "unknown_card"
    INACTIVE = "inactive"
    UNMATCHED = "unmatched"  # the card's name or birth date is not the record's: the counter sorts it out
    SERVER_UNREACHABLE = "server_unreachable"
    SERVER_ERROR = "server_error"


RETRYABLE = frozenset({Failure.SERVER_UNREACHABLE, Failure.SERVER_ERROR})


@dataclass(frozen=True)
class Facts:
    """The card's name, address and birth date (the sex is read by the card but dropped at once)."""

    name: str
    address: str
    birth_date: date

    def __repr__(self) -> str:
        return "Facts(<personal data>)"


@dataclass(frozen=True)
class Comparison:
    """The server's answer: which of the card's facts differ from the record (never the record itself)."""

    status: Eligibility
    address_differs: bool


# -- states ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CardNumber:
    """The library card number, by pad or scanner."""

    entry: Entering = field(default_factory=Entering)


@dataclass(frozen=True)
class Checking:
    """Is renewal open for this card?"""

    card_number: str


@dataclass(frozen=True)
class ChooseWay:
    """Renewal is open: with the My Number card (a request now), or without it (what to bring)."""

    card_number: str
    status: Eligibility


@dataclass(frozen=True)
class WhatToBring:
    """Without the My Number card: the documents the counter needs, and a renewal ticket."""

    card_number: str


@dataclass(frozen=True)
class ReadingFacts:
    """The card checks the 入力補助 PIN and gives the basic four facts."""

    card_number: str
    card: CardFacts


@dataclass(frozen=True)
class Comparing:
    """The server compares the card's facts with the record."""

    card_number: str
    facts: Facts


@dataclass(frozen=True)
class Review:
    """The card's facts, the differing ones marked; send the request or go back."""

    card_number: str
    facts: Facts
    comparison: Comparison


@dataclass(frozen=True)
class Sending:
    """The request is on its way to the server."""

    review: Review


@dataclass(frozen=True)
class Sent:
    """The request waits at the counter under ``reference``."""

    card_number: str
    reference: str
    address_differs: bool


@dataclass(frozen=True)
class NotYet:
    """Renewal opens on ``renewable_from``."""

    card_number: str
    renewable_from: date


@dataclass(frozen=True)
class Failed:
    """Not sent; ``retry`` is the state a retry goes back to (None: not worth retrying)."""

    card_number: str
    failure: Failure
    retry: Checking | Comparing | Review | None = None


State = (
    CardNumber | Checking | ChooseWay | WhatToBring | WaitingForCard | ReadingCard | EnteringPin | LastTryWarning
    | PinBlocked | ReadingFacts | Comparing | Review | Sending | Sent | NotYet | Failed | Finished
)


# -- events ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Begin:
    """Another flow passes the card number (the expiry check, the check-up)."""

    card_number: str


@dataclass(frozen=True)
class Eligible:
    """The server says renewal is open (or the card has expired)."""

    status: Eligibility


@dataclass(frozen=True)
class NotYetOpen:
    """The server says the card is still valid and renewal opens later."""

    renewable_from: date


@dataclass(frozen=True)
class WithCard:
    """The patron has the My Number card and its 入力補助 PIN."""


@dataclass(frozen=True)
class WithoutCard:
    """The patron does not have the card with them."""


@dataclass(frozen=True)
class FactsRead:
    """The 入力補助 application gave the facts."""

    facts: Facts


@dataclass(frozen=True)
class Compared:
    """The server's comparison."""

    comparison: Comparison


@dataclass(frozen=True)
class Send:
    """The patron asks for the renewal."""


@dataclass(frozen=True)
class Requested:
    """The server stored the request."""

    reference: str


@dataclass(frozen=True)
class RenewalFailed:
    """The server could not check, compare or store."""

    failure: Failure
    renewable_from: date | None = None


# -- effects --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CheckEligibility:
    """Ask the server whether renewal is open for this card."""

    card_number: str


@dataclass(frozen=True)
class ReadFacts:
    """VERIFY the 入力補助 PIN and read name, address and birth date."""

    pin: Pin
    last_try_confirmed: bool


@dataclass(frozen=True)
class CompareFacts:
    """Send the facts for comparison (nothing is stored)."""

    card_number: str
    facts: Facts


@dataclass(frozen=True)
class SendRequest:
    """Store the request for the counter."""

    card_number: str
    facts: Facts
    idempotency_key: str


class RenewalFlow(CardPinFlow):
    """The renewal request as a state machine."""

    def __init__(self, barcode_pattern: str, today: Callable[[], date] = date.today,
                 new_key: Callable[[], str] = lambda: str(uuid.uuid4())) -> None:
        self.state: State = CardNumber()
        self.pin = PinBuffer()
        self._pattern = re.compile(barcode_pattern, re.ASCII)
        self._today = today
        self._new_key = new_key
        self._status = Eligibility.RENEWABLE

    def close(self) -> None:
        """The session is over: the PIN digits zeroed, and the card's facts dropped with the state."""
        super().close()
        self.state = Finished()

    def _check(self, card_number: str) -> list[object]:
        self.state = Checking(card_number)
        return [CheckEligibility(card_number)]

    def _on_CardNumber(self, state: CardNumber, event: object) -> list[object]:  # noqa: N802 - state name
        if isinstance(event, Begin):
            return self._check(event.card_number)
        entered = enter_card_number(state.entry, event, self._pattern)
        if isinstance(entered, str):
            return self._check(entered)
        self.state = CardNumber(entered)
        return []

    def _on_Checking(self, state: Checking, event: object) -> list[object]:  # noqa: N802
        if isinstance(event, Eligible):
            self._status = event.status
            self.state = ChooseWay(state.card_number, event.status)
        elif isinstance(event, NotYetOpen):
            self.state = NotYet(state.card_number, event.renewable_from)
        elif isinstance(event, RenewalFailed | EffectFailed):
            self.state = self._failed(state.card_number, event, state)
        return []

    def _on_ChooseWay(self, state: ChooseWay, event: object) -> list[object]:  # noqa: N802
        if isinstance(event, WithCard):
            self.state = ReadingCard(state.card_number)
            return [ReadCard()]  # the card may already be on the reader
        if isinstance(event, WithoutCard):
            self.state = WhatToBring(state.card_number)
        elif isinstance(event, Back):
            self.state = CardNumber(Entering(state.card_number))
        return []

    def _on_WhatToBring(self, state: WhatToBring, event: object) -> list[object]:  # noqa: N802
        if isinstance(event, Back):
            self.state = ChooseWay(state.card_number, self._status)
        return []

    def _on_ReadingCard(self, state: ReadingCard, event: object) -> list[object]:  # noqa: N802
        if isinstance(event, CardRead):
            # The 入力補助AP needs neither the 利用者証明用 certificate nor its PIN: an expired certificate
            # or a blocked 利用者証明用 PIN does not stop a renewal request.
            self.state = self._card_ready(state.card_number, event.card)
            return []
        return super()._on_ReadingCard(state, event)

    # -- hooks of the shared card steps ----------------------------------------------------------------
    def _before_card(self, card_number: str) -> State:
        return ChooseWay(card_number, self._status)

    def _card_ready(self, card_number: str, card: CardFacts) -> State:
        if card.text_tries == 0:
            return PinBlocked(card_number, PinStep.TEXT)
        return EnteringPin(card_number, card, PinStep.TEXT)

    def _pin_back(self, pad: EnteringPin) -> State:
        return ChooseWay(pad.card_number, self._status)

    def _send_pin(self, pad: EnteringPin, *, last_try_confirmed: bool) -> list[object]:
        (pin,) = self.pin.take()
        self.state = ReadingFacts(pad.card_number, pad.card)
        return [ReadFacts(pin, last_try_confirmed)]

    def _on_ReadingFacts(self, state: ReadingFacts, event: object) -> list[object]:  # noqa: N802
        if isinstance(event, FactsRead):
            self.state = Comparing(state.card_number, event.facts)
            return [CompareFacts(state.card_number, event.facts)]
        if isinstance(event, EffectFailed):
            self.state = WaitingForCard(state.card_number, CardTrouble.UNRESPONSIVE)
        else:
            self._card_step_failed(state.card_number, state.card, PinStep.TEXT, None, event)
        return []

    def _on_Comparing(self, state: Comparing, event: object) -> list[object]:  # noqa: N802
        if isinstance(event, Compared):
            self.state = Review(state.card_number, state.facts, event.comparison)
        elif isinstance(event, RenewalFailed | EffectFailed):
            self.state = self._failed(state.card_number, event, state)
        return []

    def _on_Review(self, state: Review, event: object) -> list[object]:  # noqa: N802
        if isinstance(event, Send):
            self.state = Sending(state)
            return [SendRequest(state.card_number, state.facts, self._new_key())]
        if isinstance(event, Back):
            self.state = ChooseWay(state.card_number, self._status)  # the facts are dropped
        return []

    def _on_Sending(self, state: Sending, event: object) -> list[object]:  # noqa: N802
        if isinstance(event, Requested):
            self.state = Sent(state.review.card_number, event.reference, state.review.comparison.address_differs)
        elif isinstance(event, RenewalFailed | EffectFailed):
            self.state = self._failed(state.review.card_number, event, state.review)
        return []

    def _on_Failed(self, state: Failed, event: object) -> list[object]:  # noqa: N802
        if isinstance(event, Retry) and state.retry is not None:
            retry = state.retry
            if isinstance(retry, Checking):
                return self._check(retry.card_number)
            if isinstance(retry, Comparing):
                self.state = retry
                return [CompareFacts(retry.card_number, retry.facts)]
            self.state = retry  # Review: the patron taps Send again
        elif isinstance(event, Back) and state.failure is Failure.UNKNOWN_CARD:
            self.state = CardNumber(Entering(state.card_number))
        return []

    def _failed(self, card_number: str, event: object, retry: Checking | Comparing | Review) -> State:
        if isinstance(event, RenewalFailed) and event.failure is Failure.NOT_YET and event.renewable_from:
            return NotYet(card_number, event.renewable_from)
        failure = event.failure if isinstance(event, RenewalFailed) else Failure.SERVER_ERROR
        return Failed(card_number, failure, retry if failure in RETRYABLE else None)


def counter_ticket_for(state: object) -> tuple[str, str, str | None] | None:
    """(service, reason, reference) of the one-tap counter ticket this state offers, or None."""
    if isinstance(state, Sent):
        return "registration", "renewal_request", state.reference
    if isinstance(state, WhatToBring):
        return "registration", "renewal", None
    if isinstance(state, Failed) and state.failure in (Failure.UNMATCHED, Failure.INACTIVE):
        return "registration", "renewal_unmatched", None
    if isinstance(state, PinBlocked):
        return "registration", "renewal", None  # the counter renews with an ID; the PIN is the city office's
    return None
