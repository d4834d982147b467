"""The card steps every My Number card flow shares: place the card, read it without a PIN, PIN pads with
the never-lock rules (tries shown first, a full-screen confirmation before the last try, nothing retried
by itself), and what a refused PIN or a card taken away means.

``CardPinFlow`` handles those states; a flow says through four hooks where they lead: what comes before
the card (Back), what follows a good read, where Back from a PIN pad goes, and what a typed PIN is for.
``FactsProofFlow`` adds the card's facts and its proof (the renewal, the registration).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Generic, Protocol, TypeVar

from kiosk.card.pin import Pin
from kiosk.card.profile import CURRENT, CardProfile, PinRole, ResetRoute
from kiosk.flows.common import Back, Backspace, Clear, Digit, Done, EffectFailed, Finished, Submit
from kiosk.flows.pinpad import PinBuffer
from kiosk.states import COUNTER, FAILED, CounterTicket, Cue, StateInfo, constant, error_if


class PinStep(StrEnum):
    """Which PIN the pad asks for."""

    TEXT = "text"  # 券面事項入力補助用 (birth date)
    AUTH = "auth"  # 利用者証明用電子証明書 (signature)
    SHARED = "shared"  # the same four digits for both, as the patron said


class Unusable(StrEnum):
    """Why a My Number card cannot be used at the kiosk at all: the patron goes to the counter."""

    NEWER_CARD = "newer_card"  # a card generation this kiosk does not know yet
    FACE_AUTH_ONLY = "face_auth_only"  # 顔認証マイナンバーカード: no PIN was ever set


class CardTrouble(StrEnum):
    """Why the card could not be used just now."""

    NO_CARD = "no_card"
    REMOVED = "removed"
    NOT_MY_NUMBER = "not_my_number"
    UNRESPONSIVE = "unresponsive"  # no answer: a timeout, a mute card, a card gone without the reader noticing
    UNEXPECTED_ANSWER = "unexpected_answer"  # an answer no My Number card gives (bad data, lengths, status words)
    READER_GONE = "reader_gone"


@dataclass(frozen=True)
class CardFacts:
    """What the card tells without a PIN."""

    certificate_der: bytes
    certificate_not_after: date
    auth_tries: int
    text_tries: int
    profile: CardProfile = CURRENT  # the card's generation: which PINs it has and what they are called


@dataclass(frozen=True)
class WaitingForCard:
    """Place the My Number card on the reader."""

    card_number: str
    trouble: CardTrouble | None = None


@dataclass(frozen=True)
class ReadingCard:
    """Reading the certificate and the tries (no PIN)."""

    card_number: str


@dataclass(frozen=True)
class CertificateExpired:
    """The 利用者証明用電子証明書 has expired: renew it at the city office. The flow stops."""

    card_number: str
    not_after: date


@dataclass(frozen=True)
class PinBlocked:
    """A PIN is blocked: the flow stops and says where that PIN is reset (the profile knows)."""

    card_number: str
    step: PinStep
    profile: CardProfile = CURRENT

    @property
    def reset_routes(self) -> tuple[ResetRoute, ...]:
        """Where the blocked PIN is reset (both PINs' routes when they were shared)."""
        return self.profile.reset_routes(*pin_roles(self.step))


@dataclass(frozen=True)
class CardUnusable:
    """A My Number card the kiosk cannot use (a newer generation, face authentication only): to the counter."""

    card_number: str
    reason: Unusable


@dataclass(frozen=True)
class EnteringPin:
    """A PIN pad; ``digits`` is only how many are typed, ``wrong`` says the last one was refused."""

    card_number: str
    card: CardFacts
    step: PinStep
    digits: int = 0
    wrong: bool = False
    too_short: bool = False
    birth_date: date | None = None

    @property
    def length(self) -> int:
        """How many digits this PIN has, as the card's profile says (both the same when shared)."""
        return max(self.card.profile.pin(role).length for role in pin_roles(self.step))

    @property
    def title_key(self) -> str:
        """The message key of the PIN's name."""
        if self.step is PinStep.SHARED:
            return "pin.title.shared"
        return self.card.profile.pin(self.step.value).label_key

    @property
    def tries(self) -> int:
        """Tries left of the PIN this pad is for (the smaller one when shared)."""
        if self.step is PinStep.TEXT:
            return self.card.text_tries
        if self.step is PinStep.AUTH:
            return self.card.auth_tries
        return min(self.card.auth_tries, self.card.text_tries)


@dataclass(frozen=True)
class LastTryWarning:
    """Full-screen warning before a VERIFY on the last try; the typed PIN waits in the buffer."""

    pin: EnteringPin


@dataclass(frozen=True)
class SamePin:
    """Tries and certificate expiry shown; is the 入力補助 PIN the same as the 利用者証明用 PIN?

    Asked by every flow that needs both PINs (the migration, the renewal)."""

    card_number: str
    card: CardFacts


@dataclass(frozen=True)
class ReadingFacts:
    """The card checks the 入力補助 PIN and gives the basic four facts."""

    card_number: str
    card: CardFacts


@dataclass(frozen=True)
class Proving:
    """The card signs the server's challenge (and, on the shared-PIN path, gives the facts first)."""

    card_number: str
    card: CardFacts
    step: PinStep
    birth_date: date | None = None  # the facts are already read (the separate 入力補助 PIN came first)

    def pad_again(self) -> EnteringPin:
        """The PIN pad this step came from: a new challenge needs the PIN again."""
        return EnteringPin(self.card_number, self.card, self.step, birth_date=self.birth_date)


class KeptFacts(Protocol):
    """What a flow keeps of the card's four facts: its own ``Facts``, always with the birth date."""

    @property
    def birth_date(self) -> date: ...


FactsT = TypeVar("FactsT", bound=KeptFacts)


@dataclass(frozen=True)
class CardInserted:
    """A card was placed on the reader."""


@dataclass(frozen=True)
class CardRemoved:
    """The card was taken off the reader."""


@dataclass(frozen=True)
class CardRead:
    """The card answered without a PIN."""

    card: CardFacts


@dataclass(frozen=True)
class CardFailed:
    """The card could not be used."""

    trouble: CardTrouble


@dataclass(frozen=True)
class CardNotUsable:
    """The card is a My Number card the kiosk cannot use."""

    reason: Unusable


@dataclass(frozen=True)
class ConfirmLastTry:
    """The patron confirmed the last try."""


@dataclass(frozen=True)
class PinsAreSame:
    """The patron's answer to "is the 入力補助 PIN the same?"."""

    same: bool


@dataclass(frozen=True)
class PinWrong:
    """The card refused a PIN; ``tries`` left. On the shared path the birth date may already be read."""

    step: PinStep
    tries: int
    birth_date: date | None = None


@dataclass(frozen=True)
class PinBlockedOnCard:
    """The card says the PIN is blocked."""

    step: PinStep


@dataclass(frozen=True)
class FactsRead(Generic[FactsT]):
    """The 入力補助 application gave the facts."""

    facts: FactsT


@dataclass(frozen=True)
class AuthPinWrongAfterFacts(Generic[FactsT]):
    """Shared-PIN path: the 入力補助 PIN was right (``facts`` read), the 利用者証明用 PIN was refused."""

    wrong: PinWrong
    facts: FactsT


@dataclass(frozen=True)
class ReadCard:
    """Read the certificate and both PINs' tries, with no PIN."""


@dataclass(frozen=True)
class ReadFacts:
    """VERIFY the 入力補助 PIN and read the facts (a flow's own subclass: what it keeps of them is its own)."""

    pin: Pin
    last_try_confirmed: bool


@dataclass(frozen=True)
class Prove:
    """Get a challenge, VERIFY the 利用者証明用 PIN and sign it. With ``text_pin`` (the shared-PIN path) the facts
    are read first, in the same card session (a flow's own subclass: what the signature is for is its own)."""

    certificate_der: bytes
    auth_pin: Pin
    last_try_confirmed: bool
    text_pin: Pin | None


def pin_roles(step: PinStep) -> tuple[PinRole, ...]:
    """The card's PINs a pad step stands for."""
    return (PinRole.AUTH, PinRole.TEXT) if step is PinStep.SHARED else (PinRole(step.value),)


def card_counter_ticket(state: object, service: str = "mynumber") -> CounterTicket | None:
    """(service, reason, reference) of the counter ticket a shared card stop offers, or None."""
    if isinstance(state, CardUnusable):
        return service, f"card_{state.reason}", None
    return None


def _trouble(state: WaitingForCard) -> str | None:
    return f"card_{state.trouble.value}" if state.trouble is not None else None


# The step keys of the shared card steps in the flows' step indicators (kiosk/steps.py): マイナンバーカード,
# 暗証番号, and the flow's result (a card stop ends the flow there).
CARD = "card"
PIN = "pin"
RESULT = "result"

# What each shared card step is, in every card flow (a flow's table takes these rows, and may show a stop
# on its own result screen). Back from a card read waits for the card's answer.
CARD_STEPS: dict[type, StateInfo] = {
    WaitingForCard: StateInfo("migrate_card", "waiting_for_card", cue=error_if(lambda s: s.trouble is not None),
                                   trouble=_trouble, step=CARD),
    ReadingCard: StateInfo("migrate_card", "reading_card", busy=True, step=CARD),
    SamePin: StateInfo("migrate_same_pin", "same_pin", step=PIN),  # which PINs the pads will ask
    EnteringPin: StateInfo("pin_pad", "entering_pin", cue=error_if(lambda s: s.wrong or s.too_short),
                           trouble=lambda s: "pin_wrong" if s.wrong else None, typed=lambda s: s.digits, step=PIN),
    LastTryWarning: StateInfo("last_try", "last_try_warning", cue=Cue.WARNING, step=PIN),
    CertificateExpired: StateInfo("migrate_result", "certificate_expired", sign="failed", cue=Cue.ERROR,
                                  outcome=constant((FAILED, "certificate_expired")), step=RESULT),
    PinBlocked: StateInfo("migrate_result", "pin_blocked", sign="failed",
                         cue=Cue.ERROR, outcome=constant((FAILED, "pin_blocked")),
                          step=RESULT),
    # A way on (the counter), not a failure to try again.
    CardUnusable: StateInfo("migrate_result", "card_unusable", sign="attention", cue=Cue.WARNING,
                            outcome=lambda s: (COUNTER, f"card_{s.reason}"), counter=card_counter_ticket,
                            step=RESULT),
}


def card_step_rows(*, same_pin: bool) -> dict[type, StateInfo]:
    """The shared card steps' rows for a flow's table; ``same_pin`` for the flows that ask both PINs."""
    return {cls: info for cls, info in CARD_STEPS.items() if same_pin or cls is not SamePin}


class CardPinFlow:
    """Handlers for the shared card and PIN states; subclasses supply the hooks, and a ``_step`` that matches
    their own states to their handlers before it hands the rest to this one."""

    state: object
    pin: PinBuffer
    _today: Callable[[], date]

    def close(self) -> None:
        """The session is over: zero whatever PIN digits are still typed."""
        self.pin.clear()

    def handle(self, event: object) -> list[object]:
        """Apply ``event``; return the effects to perform. Events that make no sense now are ignored."""
        if isinstance(event, Done):
            self.close()
            self.state = Finished()
            return []
        return self._step(self.state, event)

    # -- hooks --------------------------------------------------------------------------------------
    def _before_card(self, card_number: str) -> object:
        """The state Back leads to from "place your card"."""
        raise NotImplementedError

    def _card_ready(self, card_number: str, card: CardFacts) -> object:
        """The state after a good read (certificate valid, PIN not blocked)."""
        raise NotImplementedError

    def _pin_back(self, pad: EnteringPin) -> object:
        """The state Back leads to from a PIN pad."""
        raise NotImplementedError

    def _send_pin(self, pad: EnteringPin, *, last_try_confirmed: bool) -> list[object]:
        """Take the typed PIN out of the pad into the effect that uses it; set the waiting state."""
        raise NotImplementedError

    def _step(self, state: object, event: object) -> list[object]:
        """Hand ``event`` to the handler of the state the flow is in; a flow matches its own states first."""
        match state:
            case WaitingForCard():
                return self._on_waiting_for_card(state, event)
            case ReadingCard():
                return self._on_reading_card(state, event)
            case EnteringPin():
                return self._on_entering_pin(state, event)
            case LastTryWarning():
                return self._on_last_try_warning(state, event)
            case SamePin():
                return self._on_same_pin(state, event)
        return []

    # -- handlers -----------------------------------------------------------------------------------
    def _on_waiting_for_card(self, state: WaitingForCard, event: object) -> list[object]:
        if isinstance(event, CardInserted):
            self.state = ReadingCard(state.card_number)
            return [ReadCard()]
        if isinstance(event, Back):
            self.state = self._before_card(state.card_number)
        return []

    def _on_reading_card(self, state: ReadingCard, event: object) -> list[object]:
        if isinstance(event, CardRead):
            card = event.card
            if card.auth_tries == 0:
                self.state = PinBlocked(state.card_number, PinStep.AUTH, card.profile)
            elif card.certificate_not_after < self._today():
                self.state = CertificateExpired(state.card_number, card.certificate_not_after)
            else:
                self.state = self._card_ready(state.card_number, card)
        elif isinstance(event, CardNotUsable):
            self.state = CardUnusable(state.card_number, event.reason)
        elif isinstance(event, CardFailed):
            trouble = None if event.trouble is CardTrouble.NO_CARD else event.trouble
            self.state = WaitingForCard(state.card_number, trouble)
        elif isinstance(event, EffectFailed):
            self.state = WaitingForCard(state.card_number, CardTrouble.UNRESPONSIVE)
        return []

    def _on_entering_pin(self, state: EnteringPin, event: object) -> list[object]:
        if isinstance(event, Digit):
            self.pin.add(event.digit, limit=state.length)
        elif isinstance(event, Backspace):
            self.pin.backspace()
        elif isinstance(event, Clear):
            self.pin.clear()
        elif isinstance(event, Submit):
            if len(self.pin) < state.length:
                self.state = replace(state, digits=len(self.pin), too_short=True)
                return []
            if state.tries == 1:
                self.state = LastTryWarning(replace(state, digits=len(self.pin), too_short=False))
                return []
            return self._send_pin(state, last_try_confirmed=False)
        elif isinstance(event, CardRemoved):
            self.pin.clear()
            self.state = WaitingForCard(state.card_number, CardTrouble.REMOVED)
            return []
        elif isinstance(event, Back):
            self.pin.clear()
            self.state = self._pin_back(state)
            return []
        else:
            return []
        self.state = replace(state, digits=len(self.pin), too_short=False)
        return []

    def _on_last_try_warning(self, state: LastTryWarning, event: object) -> list[object]:
        if isinstance(event, ConfirmLastTry):
            return self._send_pin(state.pin, last_try_confirmed=True)
        if isinstance(event, Back):
            self.pin.clear()
            self.state = replace(state.pin, digits=0)
        elif isinstance(event, CardRemoved):
            self.pin.clear()
            self.state = WaitingForCard(state.pin.card_number, CardTrouble.REMOVED)
        return []

    def _on_same_pin(self, state: SamePin, event: object) -> list[object]:
        """The answer to "is the 入力補助 PIN the same?" (the flows that need both PINs ask it)."""
        if isinstance(event, PinsAreSame):
            if state.card.text_tries == 0:
                self.state = PinBlocked(state.card_number, PinStep.TEXT, state.card.profile)
            else:
                # Reuse only with two tries to spare: a mistaken "same" must not cost the last one.
                step = PinStep.SHARED if event.same and state.card.text_tries >= 2 else PinStep.TEXT
                self.state = EnteringPin(state.card_number, state.card, step)
        elif isinstance(event, CardRemoved):
            self.state = WaitingForCard(state.card_number, CardTrouble.REMOVED)
        elif isinstance(event, Back):
            self.state = self._same_pin_back(state)
        return []

    def _same_pin_back(self, state: SamePin) -> object:
        """The state Back leads to from the same-PIN question: placing the card again."""
        return WaitingForCard(state.card_number)

    def _card_step_failed(self, card_number: str, card: CardFacts, step: PinStep, birth_date: date | None,
                          event: object) -> bool:
        """A PIN was refused, a PIN is blocked, or the card went away during a card step; False if not."""
        if isinstance(event, PinWrong):
            if event.step is PinStep.TEXT:
                card = replace(card, text_tries=event.tries)
                if step is PinStep.SHARED and card.text_tries < 2:
                    step = PinStep.TEXT  # not enough tries left to keep sharing
            else:
                card = replace(card, auth_tries=event.tries)
                if event.birth_date is not None:
                    # Shared path: the 入力補助 PIN was right, so only the 利用者証明用 PIN is asked again.
                    step, birth_date = PinStep.AUTH, event.birth_date
            self.state = EnteringPin(card_number, card, step, wrong=True, birth_date=birth_date)
        elif isinstance(event, PinBlockedOnCard):
            self.state = PinBlocked(card_number, event.step, card.profile)
        elif isinstance(event, CardFailed) and event.trouble is not CardTrouble.NO_CARD:
            self.state = WaitingForCard(card_number, event.trouble)
        elif isinstance(event, CardFailed | CardRemoved):
            self.state = WaitingForCard(card_number, CardTrouble.REMOVED)
        else:
            return False
        return True


class FactsProofFlow(CardPinFlow, Generic[FactsT]):
    """The card's facts (券面事項入力補助: name, address, birth date, sex; never the 個人番号) and its proof (the
    server's challenge signed with the 利用者証明用 key), for the flows that need both PINs.

    With one PIN for both (SHARED) the card does both in one session; else the 入力補助 PIN reads the facts,
    which wait in ``_facts`` for the 利用者証明用 PIN's proof. A flow's hooks set its own state and effect for
    each card command, and say what the proof leads to."""

    _facts: FactsT | None

    def close(self) -> None:
        """The session is over: the PIN digits zeroed, and the card's facts dropped with the state."""
        super().close()
        self._facts = None
        self.state = Finished()

    # -- hooks --------------------------------------------------------------------------------------
    def _read_facts(self, pad: EnteringPin, pin: Pin, last_try_confirmed: bool) -> list[object]:
        """The 入力補助 PIN alone: set ReadingFacts, and return the flow's ReadFacts."""
        raise NotImplementedError

    def _prove(self, pad: EnteringPin, auth_pin: Pin, text_pin: Pin | None, last_try_confirmed: bool) -> list[object]:
        """The 利用者証明用 PIN (and the 入力補助 one when shared): set the flow's Proving, return its Prove."""
        raise NotImplementedError

    def _proof_answer(self, state: Proving, event: object) -> list[object]:
        """The proof, or the server's refusal of it."""
        raise NotImplementedError

    def _step(self, state: object, event: object) -> list[object]:
        match state:
            case ReadingFacts():
                return self._on_reading_facts(state, event)
            case Proving():
                return self._on_proving(state, event)
        return super()._step(state, event)

    def _send_pin(self, pad: EnteringPin, *, last_try_confirmed: bool) -> list[object]:
        if pad.step is PinStep.TEXT:
            (pin,) = self.pin.take()
            return self._read_facts(pad, pin, last_try_confirmed)
        if pad.step is PinStep.SHARED:
            text_pin, auth_pin = self.pin.take(copies=2)
        else:
            (auth_pin,), text_pin = self.pin.take(), None
        return self._prove(pad, auth_pin, text_pin, last_try_confirmed)

    def _on_reading_facts(self, state: ReadingFacts, event: object) -> list[object]:
        if isinstance(event, FactsRead):
            # Then the 利用者証明用 PIN: the signature without which the server takes nothing.
            self._facts = event.facts
            self.state = EnteringPin(state.card_number, state.card, PinStep.AUTH, birth_date=event.facts.birth_date)
        elif isinstance(event, EffectFailed):
            self.state = WaitingForCard(state.card_number, CardTrouble.UNRESPONSIVE)
        else:
            self._card_step_failed(state.card_number, state.card, PinStep.TEXT, None, event)
        return []

    def _on_proving(self, state: Proving, event: object) -> list[object]:
        if isinstance(event, AuthPinWrongAfterFacts):
            self._facts = event.facts
            event = event.wrong  # the pad asks only the 利用者証明用 PIN again
        if self._card_step_failed(state.card_number, state.card, state.step, state.birth_date, event):
            return []
        return self._proof_answer(state, event)

    def _proven_facts(self, read: FactsT | None) -> FactsT | None:
        """The facts read with the proof (one PIN for both) or before it: from here on in the states only."""
        facts, self._facts = read or self._facts, None
        return facts
