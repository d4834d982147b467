"""マイナンバーカード連携の切り替え: move a patron's link from the old scheme to the MyKey scheme.

Steps: what will happen → consent → library card number → place the My Number card (certificate,
its expiry and both PINs' tries read without a PIN) → is the 券面事項入力補助 PIN the same? →
PIN pad(s) → the card reads the birth date and signs the server's challenge → the server's answer.

PIN rules (never lock a card): the tries are shown before any PIN is asked; with one try left a
full-screen warning needs an explicit confirmation; nothing is retried by itself; the first PIN is
reused for the 入力補助 application only when the patron says it is the same and that application has
at least two tries left. The PIN is typed into a PinBuffer the flow owns; it leaves it only as
one-use Pins inside the effect that sends it, and is zeroed when the step or the session ends.
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
    CARD,
    PIN,
    RESULT,
    CardFacts,
    CardPinFlow,
    CardTrouble,
    CardUnusable,
    CertificateExpired,
    EnteringPin,
    LastTryWarning,
    PinBlocked,
    PinStep,
    ReadCard,
    ReadingCard,
    SamePin,
    WaitingForCard,
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


class Refusal(StrEnum):
    """Why the link was not switched; each has its own message and next step."""

    NO_OLD_LINK = "no_old_link"
    ALREADY_MIGRATED = "already_migrated"
    LINKED_ELSEWHERE = "linked_elsewhere"  # this My Number card's MyKey ID already links another library card
    CERTIFICATE_EXPIRED = "certificate_expired"
    CERTIFICATE_REVOKED = "certificate_revoked"
    UNKNOWN_CA = "unknown_ca"
    UNKNOWN_PATRON = "unknown_patron"
    SERVER_UNREACHABLE = "server_unreachable"
    SERVER_ERROR = "server_error"


# The server was not reached or failed: nothing changed, and trying again is worth it.
RETRYABLE = frozenset({Refusal.SERVER_UNREACHABLE, Refusal.SERVER_ERROR})


# -- states ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Intro:
    """What will happen and what is needed."""


@dataclass(frozen=True)
class Consent:
    """What is read and sent, and what never is (the 個人番号); ``card_number`` when another flow knows it."""

    card_number: str = ""


@dataclass(frozen=True)
class CardNumber:
    """The library card number, by pad or scanner."""

    entry: Entering = field(default_factory=Entering)


@dataclass(frozen=True)
class ReadingBirthDate:
    """The card checks the 入力補助 PIN and gives the birth date."""

    card_number: str
    card: CardFacts


@dataclass(frozen=True)
class Migrating:
    """The card signs the server's challenge and the server switches the link."""

    card_number: str
    card: CardFacts
    step: PinStep
    birth_date: date | None = None


@dataclass(frozen=True)
class Completed:
    """The link is now a MyKey link."""

    card_number: str
    on: date


@dataclass(frozen=True)
class Pending:
    """Held for staff confirmation at the counter, with a reference code."""

    card_number: str
    reference: str


@dataclass(frozen=True)
class Refused:
    """Not switched; ``retry_pin`` is where a retry goes (the PIN is needed again for a new challenge)."""

    card_number: str
    reason: Refusal
    retry_pin: EnteringPin | None = None


State = (
    Intro | Consent | CardNumber | WaitingForCard | ReadingCard | CertificateExpired | PinBlocked | SamePin
    | EnteringPin | LastTryWarning | ReadingBirthDate | Migrating | Completed | Pending | Refused | Finished
    | CardUnusable
)


# -- events ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Next:
    """Go on from the explanation."""


@dataclass(frozen=True)
class Begin:
    """Another flow (the card check-up) starts the switch for a library card it already knows."""

    card_number: str


@dataclass(frozen=True)
class Agree:
    """The patron consents to what will be read and sent."""


@dataclass(frozen=True)
class BirthDateRead:
    """The 入力補助 application gave the birth date."""

    birth_date: date


@dataclass(frozen=True)
class Migrated:
    """The server switched the link (or holds it for staff, with a reference)."""

    on: date
    reference: str | None = None


@dataclass(frozen=True)
class MigrationRefused:
    """The server did not switch the link."""

    reason: Refusal


# -- effects --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReadBirthDate:
    """VERIFY the 入力補助 PIN and read the birth date."""

    pin: Pin
    last_try_confirmed: bool


@dataclass(frozen=True)
class SignAndSubmit:
    """Get a challenge, VERIFY the 利用者証明用 PIN, sign, and send it all to the server.

    With ``text_pin`` (the shared-PIN path) the birth date is read first, in the same card session.
    """

    card_number: str
    certificate_der: bytes
    auth_pin: Pin
    last_try_confirmed: bool
    idempotency_key: str
    birth_date: date | None = None
    text_pin: Pin | None = None


class MigrationFlow(CardPinFlow):
    """The migration as a state machine."""

    def __init__(self, barcode_pattern: str, today: Callable[[], date],
                 new_key: Callable[[], str] = lambda: str(uuid.uuid4())) -> None:
        self.state: State = Intro()
        self.pin = PinBuffer()
        self._pattern = re.compile(barcode_pattern, re.ASCII)
        self._today = today
        self._new_key = new_key

    def _step(self, state: object, event: object) -> list[object]:
        match state:
            case Intro():
                return self._on_intro(state, event)
            case Consent():
                return self._on_consent(state, event)
            case CardNumber():
                return self._on_card_number(state, event)
            case ReadingBirthDate():
                return self._on_reading_birth_date(state, event)
            case Migrating():
                return self._on_migrating(state, event)
            case Refused():
                return self._on_refused(state, event)
        return super()._step(state, event)

    # Each handler takes the current state and the event, sets the next state, returns effects.
    def _on_intro(self, state: Intro, event: object) -> list[object]:
        if isinstance(event, Next):
            self.state = Consent()
        elif isinstance(event, Begin):
            self.state = Consent(event.card_number)  # the patron still reads and agrees to the notice
        return []

    def _on_consent(self, state: Consent, event: object) -> list[object]:
        if isinstance(event, Agree):
            if state.card_number:  # known already: no number to type again
                self.state = ReadingCard(state.card_number)
                return [ReadCard()]
            self.state = CardNumber()
        elif isinstance(event, Back):
            self.state = Intro()
        return []

    def _on_card_number(self, state: CardNumber, event: object) -> list[object]:
        if isinstance(event, Back):
            self.state = Consent()
            return []
        entered = enter_card_number(state.entry, event, self._pattern)
        if isinstance(entered, str):
            self.state = ReadingCard(entered)
            return [ReadCard()]  # the card may already be on the reader
        self.state = CardNumber(entered)
        return []

    # -- hooks of the shared card steps ----------------------------------------------------------------
    def _before_card(self, card_number: str) -> State:
        return CardNumber(Entering(card_number))

    def _card_ready(self, card_number: str, card: CardFacts) -> State:
        return SamePin(card_number, card)

    def _pin_back(self, pad: EnteringPin) -> State:
        return SamePin(pad.card_number, pad.card)

    def _send_pin(self, pad: EnteringPin, *, last_try_confirmed: bool) -> list[object]:
        if pad.step is PinStep.TEXT:
            (pin,) = self.pin.take()
            self.state = ReadingBirthDate(pad.card_number, pad.card)
            return [ReadBirthDate(pin, last_try_confirmed)]
        if pad.step is PinStep.SHARED:
            text_pin, auth_pin = self.pin.take(copies=2)
        else:
            (auth_pin,), text_pin = self.pin.take(), None
        self.state = Migrating(pad.card_number, pad.card, pad.step, pad.birth_date)
        return [SignAndSubmit(pad.card_number, pad.card.certificate_der, auth_pin, last_try_confirmed,
                              self._new_key(), pad.birth_date, text_pin)]

    def _on_reading_birth_date(self, state: ReadingBirthDate, event: object) -> list[object]:
        if isinstance(event, EffectFailed):
            self.state = WaitingForCard(state.card_number, CardTrouble.UNRESPONSIVE)
        elif isinstance(event, BirthDateRead):
            self.state = EnteringPin(state.card_number, state.card, PinStep.AUTH, birth_date=event.birth_date)
        else:
            self._card_step_failed(state.card_number, state.card, PinStep.TEXT, None, event)
        return []

    def _on_migrating(self, state: Migrating, event: object) -> list[object]:
        if isinstance(event, Migrated):
            self.state = (Pending(state.card_number, event.reference) if event.reference
                          else Completed(state.card_number, event.on))
        elif isinstance(event, MigrationRefused | EffectFailed):
            reason = event.reason if isinstance(event, MigrationRefused) else Refusal.SERVER_ERROR
            retry = None
            if reason in RETRYABLE:
                retry = EnteringPin(state.card_number, state.card, state.step, birth_date=state.birth_date)
            self.state = Refused(state.card_number, reason, retry)
        else:
            self._card_step_failed(state.card_number, state.card, state.step, state.birth_date, event)
        return []

    def _on_refused(self, state: Refused, event: object) -> list[object]:
        if isinstance(event, Retry) and state.retry_pin is not None:
            self.state = state.retry_pin
        return []


# Outcomes that send the patron to the 2nd-floor counter, with the ticket's service and reason code.
_COUNTER_REASONS: dict[Refusal, tuple[str, str]] = {
    Refusal.NO_OLD_LINK: ("mynumber", "no_old_link"),
    Refusal.LINKED_ELSEWHERE: ("mynumber", "linked_elsewhere"),
    Refusal.UNKNOWN_PATRON: ("registration", "unknown_patron"),
    Refusal.UNKNOWN_CA: ("mynumber", "certificate"),
}


def _pending_ticket(state: Pending) -> CounterTicket:
    return "mynumber", "migration_pending", state.reference  # the counter confirms the held switch


def _refused_ticket(state: Refused) -> CounterTicket | None:
    if state.reason in _COUNTER_REASONS:
        service, reason = _COUNTER_REASONS[state.reason]
        return service, reason, None
    return None


def _refused_result(state: Refused) -> Result:
    """At the counter when a ticket is offered (its reason), else failed (the refusal)."""
    ticket = _refused_ticket(state)
    return (COUNTER, ticket[1]) if ticket is not None else (FAILED, state.reason.value)


# -- what each state is (screens/routes.py, kiosk/a11y/cues.py and kiosk/statistics.py read it) --------------
# The step indicator (kiosk/steps.py): 図書館カード → マイナンバーカード → 暗証番号 → 結果.
STEPS: Paths = ((LIBRARY_CARD, CARD, PIN, RESULT),)

STATES: dict[type, StateInfo] = {
    # What the flow does and the consent to it come before its steps: no indicator yet.
    Intro: StateInfo("migrate_intro", "intro", first=True, step=None),
    Consent: StateInfo("migrate_consent", "consent", step=None),
    CardNumber: StateInfo("card_number", "card_number", cue=error_if(lambda s: s.entry.problem is not None),
                          typed=lambda s: len(s.entry.digits), step=LIBRARY_CARD),
    # The card checks the 入力補助 PIN (the other PIN comes next), then signs after the last one.
    ReadingBirthDate: StateInfo("migrate_working", "reading_birth_date", busy=True, step=PIN),
    Migrating: StateInfo("migrate_working", "migrating", busy=True, step=RESULT),
    Completed: StateInfo("migrate_result", "completed", sign="done",
                         cue=Cue.OK, outcome=constant((COMPLETED, None)), step=RESULT),
    Pending: StateInfo("migrate_result", "pending", sign="attention",
                       cue=Cue.WARNING, outcome=lambda s: (COUNTER, _pending_ticket(s)[1]),
                       counter=_pending_ticket, step=RESULT),
    Refused: StateInfo("migrate_result", "refused",
                       # Already switched: nothing is left to do.
                       sign=lambda s: "done" if s.reason is Refusal.ALREADY_MIGRATED else "failed",
                       cue=Cue.ERROR, outcome=_refused_result, counter=_refused_ticket,
                       step=RESULT),
    **card_step_rows(same_pin=True),
    Finished: FINISHED,
}


def counter_ticket_for(state: object) -> CounterTicket | None:
    """(service, reason, reference) of the one-tap counter ticket this outcome offers (its row says), or None."""
    info = STATES.get(type(state))
    return info.counter_of(state) if info is not None else None
