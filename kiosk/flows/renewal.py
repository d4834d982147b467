"""利用者カードの更新の申し込み: a renewal request the 2nd-floor counter completes with one confirmation.

Steps: library card number (typed, scanned, or passed in by the expiry check or the check-up) → the server
says whether renewal is open → with the My Number card: place it (certificate and both PINs' tries read
without a PIN) → is the 券面事項入力補助 PIN the same as the 利用者証明用 PIN? (as the migration asks) → the
PIN pad(s) (the shared card steps: tries first, a warning before the last try, nothing retried by itself)
→ the card's name, address and birth date are read, and the card signs a server challenge with its
利用者証明用 key: the server's proof for this card number → the facts are compared by the server, with the
proof → the card's facts are shown with the differing ones marked → the request is sent (with the proof),
and a ticket with its reference takes the patron to the counter. Without the card: what to bring, and a
renewal ticket.

The signature is what lets the server answer at all (a typed card number alone learns nothing): so an
expired or revoked 利用者証明用 certificate, or a blocked 利用者証明用 PIN, ends here with the renewal ticket
for the counter, which renews with an ID, as without the card.

Privacy: the screen shows only what the card itself says; the server answers "same" or "different", and
only when it is the same person (else the patron is sent to the counter). The facts live in this flow's
states, which ``close`` drops when the session ends.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

from kiosk.card.pin import Pin
from kiosk.flows import card_steps as cs
from kiosk.flows.card_steps import (
    CARD,
    PIN,
    RESULT,
    CardFacts,
    CardUnusable,
    CertificateExpired,
    EnteringPin,
    FactsProofFlow,
    LastTryWarning,
    PinBlocked,
    Proving,
    ReadCard,
    ReadingCard,
    ReadingFacts,
    SamePin,
    WaitingForCard,
    card_counter_ticket,
    card_step_rows,
)
from kiosk.flows.common import (
    FINISHED,
    LIBRARY_CARD,
    Back,
    EffectFailed,
    Entering,
    Finished,
    Retry,
    enter_card_number,
)
from kiosk.flows.pinpad import PinBuffer
from kiosk.states import COMPLETED, COUNTER, FAILED, CounterTicket, Cue, Paths, Result, StateInfo, constant, error_if


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
    CERTIFICATE_INVALID = "certificate_invalid"  # the server refused the 利用者証明用 certificate (revoked, ...)
    PENDING = "pending"  # a request for this patron already waits at the counter: never overwritten
    LIMIT = "limit"  # this card number (or this kiosk) has made its compares for now
    SERVER_UNREACHABLE = "server_unreachable"
    SERVER_ERROR = "server_error"


RETRYABLE = frozenset({Failure.SERVER_UNREACHABLE, Failure.SERVER_ERROR})
# Sent to the counter with a ticket: the counter renews with an ID.
TO_COUNTER = frozenset({Failure.UNMATCHED, Failure.INACTIVE, Failure.CERTIFICATE_INVALID, Failure.PENDING,
                        Failure.LIMIT})


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
class Comparing:
    """The server compares the card's facts with the record (with the card's proof)."""

    card_number: str
    facts: Facts
    proof: str = field(repr=False, default="")


@dataclass(frozen=True)
class Review:
    """The card's facts, the differing ones marked; send the request or go back."""

    card_number: str
    facts: Facts
    comparison: Comparison
    proof: str = field(repr=False, default="")


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
    month_only: bool = False  # the server told the month only (typed_number_expiry_precision)


@dataclass(frozen=True)
class Failed:
    """Not sent; ``retry`` is the state a retry goes back to (None: not worth retrying)."""

    card_number: str
    failure: Failure
    retry: Checking | EnteringPin | Comparing | Review | None = None


State = (
    CardNumber | Checking | ChooseWay | WhatToBring | WaitingForCard | ReadingCard | CertificateExpired | SamePin
    | EnteringPin | LastTryWarning | PinBlocked | ReadingFacts | Proving | Comparing | Review | Sending | Sent | NotYet
    | Failed | Finished | CardUnusable
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
    """The server says the card is still valid and renewal opens later (told to the month, or to the day)."""

    renewable_from: date
    month_only: bool = False


@dataclass(frozen=True)
class WithCard:
    """The patron has the My Number card and its 入力補助 PIN."""


@dataclass(frozen=True)
class WithoutCard:
    """The patron does not have the card with them."""


FactsRead = cs.FactsRead[Facts]  # the shared card step's events, with this flow's facts
AuthPinWrongAfterFacts = cs.AuthPinWrongAfterFacts[Facts]


@dataclass(frozen=True)
class Proven:
    """The server's proof for this card number; ``facts`` when read in the same card session (shared PIN)."""

    proof: str = field(repr=False)
    facts: Facts | None = None


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
class ReadFacts(cs.ReadFacts):
    """VERIFY the 入力補助 PIN and read name, address and birth date."""


@dataclass(frozen=True)
class Prove(cs.Prove):
    """Get a challenge, VERIFY the 利用者証明用 PIN, sign, and ask the server for the proof for ``card_number``."""

    card_number: str
    idempotency_key: str


@dataclass(frozen=True)
class CompareFacts:
    """Send the facts for comparison, with the proof (nothing is stored)."""

    card_number: str
    facts: Facts
    proof: str = field(repr=False, default="")


@dataclass(frozen=True)
class SendRequest:
    """Store the request for the counter (with the proof)."""

    card_number: str
    facts: Facts
    idempotency_key: str
    proof: str = field(repr=False, default="")


class RenewalFlow(FactsProofFlow[Facts]):
    """The renewal request as a state machine."""

    def __init__(self, barcode_pattern: str, today: Callable[[], date] = date.today,
                 new_key: Callable[[], str] = lambda: str(uuid.uuid4())) -> None:
        self.state: State = CardNumber()
        self.pin = PinBuffer()
        self._pattern = re.compile(barcode_pattern, re.ASCII)
        self._today = today
        self._new_key = new_key
        self._status = Eligibility.RENEWABLE
        # The facts read with the separate 入力補助 PIN, until the proof is had (then they live in the states).
        self._facts = None

    def _check(self, card_number: str) -> list[object]:
        self.state = Checking(card_number)
        return [CheckEligibility(card_number)]

    def _step(self, state: object, event: object) -> list[object]:
        match state:
            case CardNumber():
                return self._on_card_number(state, event)
            case Checking():
                return self._on_checking(state, event)
            case ChooseWay():
                return self._on_choose_way(state, event)
            case WhatToBring():
                return self._on_what_to_bring(state, event)
            case Comparing():
                return self._on_comparing(state, event)
            case Review():
                return self._on_review(state, event)
            case Sending():
                return self._on_sending(state, event)
            case Failed():
                return self._on_failed(state, event)
        return super()._step(state, event)

    def _on_card_number(self, state: CardNumber, event: object) -> list[object]:
        if isinstance(event, Begin):
            return self._check(event.card_number)
        entered = enter_card_number(state.entry, event, self._pattern)
        if isinstance(entered, str):
            return self._check(entered)
        self.state = CardNumber(entered)
        return []

    def _on_checking(self, state: Checking, event: object) -> list[object]:
        if isinstance(event, Eligible):
            self._status = event.status
            self.state = ChooseWay(state.card_number, event.status)
        elif isinstance(event, NotYetOpen):
            self.state = NotYet(state.card_number, event.renewable_from, event.month_only)
        elif isinstance(event, RenewalFailed | EffectFailed):
            self.state = self._failed(state.card_number, event, state)
        return []

    def _on_choose_way(self, state: ChooseWay, event: object) -> list[object]:
        if isinstance(event, WithCard):
            self.state = ReadingCard(state.card_number)
            return [ReadCard()]  # the card may already be on the reader
        if isinstance(event, WithoutCard):
            self.state = WhatToBring(state.card_number)
        elif isinstance(event, Back):
            self.state = CardNumber(Entering(state.card_number))
        return []

    def _on_what_to_bring(self, state: WhatToBring, event: object) -> list[object]:
        if isinstance(event, Back):
            self.state = ChooseWay(state.card_number, self._status)
        return []

    # -- hooks of the shared card steps ----------------------------------------------------------------
    # A blocked 利用者証明用 PIN or an expired certificate stops at the shared steps (PinBlocked,
    # CertificateExpired): without the card's signature the server answers nothing, so the counter renews.
    def _before_card(self, card_number: str) -> State:
        self._facts = None
        return ChooseWay(card_number, self._status)

    def _card_ready(self, card_number: str, card: CardFacts) -> State:
        self._facts = None  # the card may have been swapped: its facts are read again
        return SamePin(card_number, card)

    def _pin_back(self, pad: EnteringPin) -> State:
        self._facts = None
        return SamePin(pad.card_number, pad.card)

    def _same_pin_back(self, state: SamePin) -> State:
        return ChooseWay(state.card_number, self._status)

    def _read_facts(self, pad: EnteringPin, pin: Pin, last_try_confirmed: bool) -> list[object]:
        self.state = ReadingFacts(pad.card_number, pad.card)
        return [ReadFacts(pin, last_try_confirmed)]

    def _prove(self, pad: EnteringPin, auth_pin: Pin, text_pin: Pin | None, last_try_confirmed: bool) -> list[object]:
        self.state = Proving(pad.card_number, pad.card, pad.step, pad.birth_date)
        return [Prove(pad.card.certificate_der, auth_pin, last_try_confirmed, text_pin, pad.card_number,
                      self._new_key())]

    def _proof_answer(self, state: Proving, event: object) -> list[object]:
        if isinstance(event, Proven):
            facts = self._proven_facts(event.facts)
            if facts is None:  # cannot happen: the facts come before or with the proof
                self.state = Failed(state.card_number, Failure.SERVER_ERROR)
                return []
            self.state = Comparing(state.card_number, facts, event.proof)
            return [CompareFacts(state.card_number, facts, event.proof)]
        if isinstance(event, RenewalFailed | EffectFailed):
            failure = event.failure if isinstance(event, RenewalFailed) else Failure.SERVER_ERROR
            retry = state.pad_again() if failure in RETRYABLE else None  # a new challenge needs the PIN again
            self.state = Failed(state.card_number, failure, retry)
        return []

    def _on_comparing(self, state: Comparing, event: object) -> list[object]:
        if isinstance(event, Compared):
            self.state = Review(state.card_number, state.facts, event.comparison, state.proof)
        elif isinstance(event, RenewalFailed | EffectFailed):
            self.state = self._failed(state.card_number, event, state)
        return []

    def _on_review(self, state: Review, event: object) -> list[object]:
        if isinstance(event, Send):
            self.state = Sending(state)
            return [SendRequest(state.card_number, state.facts, self._new_key(), state.proof)]
        if isinstance(event, Back):
            self.state = ChooseWay(state.card_number, self._status)  # the facts and the proof are dropped
        return []

    def _on_sending(self, state: Sending, event: object) -> list[object]:
        if isinstance(event, Requested):
            self.state = Sent(state.review.card_number, event.reference, state.review.comparison.address_differs)
        elif isinstance(event, RenewalFailed | EffectFailed):
            self.state = self._failed(state.review.card_number, event, state.review)
        return []

    def _on_failed(self, state: Failed, event: object) -> list[object]:
        if isinstance(event, Retry) and state.retry is not None:
            retry = state.retry
            if isinstance(retry, Checking):
                return self._check(retry.card_number)
            if isinstance(retry, Comparing):
                self.state = retry
                return [CompareFacts(retry.card_number, retry.facts, retry.proof)]
            self.state = retry  # Review: the patron taps Send again; a pad: the PIN again for a new challenge
        elif isinstance(event, Back) and state.failure is Failure.UNKNOWN_CARD:
            self.state = CardNumber(Entering(state.card_number))
        return []

    def _failed(self, card_number: str, event: object, retry: Checking | Comparing | Review) -> State:
        if isinstance(event, RenewalFailed) and event.failure is Failure.NOT_YET and event.renewable_from:
            return NotYet(card_number, event.renewable_from)
        failure = event.failure if isinstance(event, RenewalFailed) else Failure.SERVER_ERROR
        return Failed(card_number, failure, retry if failure in RETRYABLE else None)


def _failed_ticket(state: Failed) -> CounterTicket | None:
    if state.failure in (Failure.UNMATCHED, Failure.INACTIVE):
        return "registration", "renewal_unmatched", None
    if state.failure in TO_COUNTER:
        return "registration", "renewal", None  # revoked certificate, a request already waiting, the limit
    return None


def _failed_result(state: Failed) -> Result:
    # INACTIVE is offered a ticket (_failed_ticket) yet counted as failed: the statistics always did so.
    if state.failure in (Failure.UNMATCHED, Failure.PENDING, Failure.LIMIT, Failure.CERTIFICATE_INVALID):
        return COUNTER, state.failure.value  # sent to the counter with a ticket
    return FAILED, state.failure.value


def _card_stop_ticket(state: PinBlocked | CertificateExpired) -> CounterTicket:
    # The counter renews with an ID; the PIN and the certificate are the city office's.
    return "registration", "renewal", None


_CARD = card_step_rows(same_pin=True)

# -- what each state is (screens/routes.py, kiosk/a11y/cues.py and kiosk/statistics.py read it) --------------
# The step indicator's ways (kiosk/steps.py). With the card: 図書館カード → 方法 → マイナンバーカード → 暗証番号 →
# 確認 → 結果; without it: 図書館カード → 方法 → 持ち物 (its own last step, so the indicator turns to that way).
WAY = "way"
REVIEW = "review"
BRING = "bring"
STEPS: Paths = ((LIBRARY_CARD, WAY, CARD, PIN, REVIEW, RESULT), (LIBRARY_CARD, WAY, BRING))

STATES: dict[type, StateInfo] = {
    CardNumber: StateInfo("card_number", "card_number", first=True, cue=error_if(lambda s: s.entry.problem is not None),
                          typed=lambda s: len(s.entry.digits), step=LIBRARY_CARD),
    Checking: StateInfo("renewal_working", "checking", busy=True, step=LIBRARY_CARD),  # is renewal open for it?
    ChooseWay: StateInfo("renewal_way", "choose_way", step=WAY),
    WhatToBring: StateInfo("renewal_bring", "what_to_bring", outcome=constant((COUNTER, "renewal_without_card")),
                           counter=lambda s: ("registration", "renewal", None), step=BRING),
    # The card checks a PIN (ReadingFacts: the other comes next), then the server compares for the review.
    ReadingFacts: StateInfo("renewal_working", "reading_facts", busy=True, step=PIN),
    Proving: StateInfo("renewal_working", "proving", busy=True, step=PIN),
    Comparing: StateInfo("renewal_working", "comparing", busy=True, step=REVIEW),
    Review: StateInfo("renewal_review", "review", step=REVIEW),
    Sending: StateInfo("renewal_working", "sending", busy=True, step=RESULT),
    # The counter completes the request with one confirmation.
    Sent: StateInfo("renewal_result", "sent", sign="done", cue=Cue.OK, outcome=constant((COUNTER, "renewal_request")),
                    counter=lambda s: ("registration", "renewal_request", s.reference), step=RESULT),
    NotYet: StateInfo("renewal_result", "not_yet", sign="attention", cue=Cue.WARNING,
                      outcome=constant((COMPLETED, "not_yet_open")),
                      step=RESULT),
    Failed: StateInfo("renewal_result", "failed", sign="failed",
                      cue=Cue.ERROR, outcome=_failed_result, counter=_failed_ticket,
                      step=RESULT),
    **_CARD,
    # Without the card's signature the server answers nothing: the counter renews with an ID.
    PinBlocked: replace(_CARD[PinBlocked], screen="renewal_result", counter=_card_stop_ticket),
    CertificateExpired: replace(_CARD[CertificateExpired], screen="renewal_result", counter=_card_stop_ticket),
    CardUnusable: replace(_CARD[CardUnusable], screen="renewal_result",
                          counter=lambda s: card_counter_ticket(s, "registration")),
    Finished: FINISHED,
}


def counter_ticket_for(state: object) -> CounterTicket | None:
    """(service, reason, reference) of the one-tap counter ticket ``state`` offers (its row says), or None."""
    info = STATES.get(type(state))
    return info.counter_of(state) if info is not None else None
