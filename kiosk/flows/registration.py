"""利用者カードの登録申請: a person without a library card applies at the kiosk; the 2nd-floor counter completes it.

Steps with the My Number card: place it (certificate and both PINs' tries read without a PIN) → is the
券面事項入力補助 PIN the same as the 利用者証明用 PIN? (as the renewal asks) → the PIN pad(s) (the shared card
steps) → the card's name, address, birth date and sex are read (never the 個人番号), and the card signs a fresh
server challenge with its 利用者証明用 key (the server stores nothing without it) → the facts are shown, the
patron adds a phone number (number pad) and/or an e-mail address (on-screen keyboard) → the application is
sent → its reference, large, and a ticket for the counter. Without the card: the IDs the counter accepts
(from the server; the 通知カード shown as not accepted) and a registration ticket.

The challenge the card signed is used when the application is sent; if it has expired meanwhile (the server
keeps it two minutes), only the 利用者証明用 PIN is asked again: the facts and what was typed are kept.

Privacy: the facts and the contact live in this flow's states (and, between the two PIN pads or during a
new signature, in the flow itself), which ``close`` drops when the session ends.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum

from kiosk.api.wire import AcceptedIds
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
    PinStep,
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
    Back,
    Backspace,
    Clear,
    Digit,
    EffectFailed,
    Finished,
    Retry,
    Submit,
    is_pad_digit,
)
from kiosk.flows.pinpad import PinBuffer
from kiosk.states import COUNTER, FAILED, CounterTicket, Cue, Paths, Result, StateInfo, constant, error_if

NO_CARD_NUMBER = ""  # the shared card steps carry a library card number; the applicant has none
PHONE_MAX = 11  # digits of a Japanese number with its area code (the server checks the rest)
EMAIL_MAX = 254  # RFC 5321's path limit less the angle brackets (the server's limit)
EMAIL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789.-_@")  # the on-screen keyboard's keys


class Failure(StrEnum):
    """Why the application did not go through; each has its own message and next step."""

    ALREADY_PATRON = "already_patron"  # the card is linked to a library card: the counter sorts it out
    PENDING = "pending"  # an application for this card already waits at the counter
    CERTIFICATE_INVALID = "certificate_invalid"  # the server refused the 利用者証明用 certificate (revoked, ...)
    CHALLENGE = "challenge"  # the signed challenge expired or was used: the 利用者証明用 PIN again
    SERVER_UNREACHABLE = "server_unreachable"
    SERVER_ERROR = "server_error"


TO_COUNTER = frozenset({Failure.ALREADY_PATRON, Failure.PENDING, Failure.CERTIFICATE_INVALID})


class Contact(StrEnum):
    """What the patron adds that the card does not hold."""

    PHONE = "phone"
    EMAIL = "email"


class ContactProblem(StrEnum):
    """Why the contact was not accepted (the server's codes, or nothing typed at all)."""

    PHONE = "invalid_phone"
    EMAIL = "invalid_email"
    REQUIRED = "contact_required"


@dataclass(frozen=True)
class Facts:
    """What the card's 券面事項入力補助AP holds: name, address, birth date and sex (ISO 5218: 1, 2 or 9)."""

    name: str
    address: str
    birth_date: date
    sex: str

    def __repr__(self) -> str:
        return "Facts(<personal data>)"


@dataclass(frozen=True)
class Signature:
    """The card's signature over the server's challenge, with its 利用者証明用 certificate."""

    challenge_id: str
    certificate_der: bytes = field(repr=False)
    signature: bytes = field(repr=False)


# -- states ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Intro:
    """What a registration needs: with the My Number card (an application now), or without it."""


@dataclass(frozen=True)
class LoadingIds:
    """Asking the server which IDs the counter accepts."""


@dataclass(frozen=True)
class WhatToBring:
    """Without the My Number card: the IDs the counter accepts (None: the server did not say), and a ticket."""

    ids: AcceptedIds | None = None


@dataclass(frozen=True)
class Signing(Proving):
    """The card signs the server's challenge (and, on the shared-PIN path, gives the facts first)."""


@dataclass(frozen=True)
class Review:
    """The card's facts and what the patron added; add a phone number or an e-mail, then send."""

    facts: Facts
    signature: Signature
    card: CardFacts  # for a new signature (the 利用者証明用 PIN again) when the challenge has expired
    phone: str = ""
    email: str = ""
    problem: ContactProblem | None = None


@dataclass(frozen=True)
class EnteringContact:
    """A phone number on the number pad, or an e-mail address on the on-screen keyboard."""

    review: Review
    kind: Contact
    text: str = ""


@dataclass(frozen=True)
class Sending:
    """The application is on its way (``idempotency_key`` is kept for a retry: one application)."""

    review: Review
    idempotency_key: str


@dataclass(frozen=True)
class Sent:
    """The application waits at the counter under ``reference``."""

    reference: str


@dataclass(frozen=True)
class Failed:
    """Not sent; ``retry`` is the state a retry goes back to (None: not worth retrying)."""

    failure: Failure
    retry: Sending | EnteringPin | None = None


State = (
    Intro | LoadingIds | WhatToBring | WaitingForCard | ReadingCard | CertificateExpired | SamePin | EnteringPin
    | LastTryWarning | PinBlocked | ReadingFacts | Signing | Review | EnteringContact | Sending | Sent | Failed
    | Finished | CardUnusable
)


# -- events ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class WithCard:
    """The patron has the My Number card and its PINs."""


@dataclass(frozen=True)
class WithoutCard:
    """The patron does not have the card with them."""


@dataclass(frozen=True)
class IdsLoaded:
    """The server's list of IDs (None: it could not be had; the screen says it in general words)."""

    ids: AcceptedIds | None


FactsRead = cs.FactsRead[Facts]  # the shared card step's events, with this flow's facts
AuthPinWrongAfterFacts = cs.AuthPinWrongAfterFacts[Facts]


@dataclass(frozen=True)
class Signed:
    """The card signed the challenge; ``facts`` when read in the same card session (shared PIN)."""

    signature: Signature
    facts: Facts | None = None


@dataclass(frozen=True)
class EditContact:
    """The patron taps the phone number or the e-mail address to type it."""

    kind: Contact


@dataclass(frozen=True)
class Key:
    """A key of the on-screen keyboard (one character)."""

    char: str


@dataclass(frozen=True)
class Send:
    """The patron sends the application."""


@dataclass(frozen=True)
class Applied:
    """The server stored the application."""

    reference: str


@dataclass(frozen=True)
class ContactRefused:
    """The server refused the phone number or the e-mail address (or neither was given)."""

    problem: ContactProblem


@dataclass(frozen=True)
class RegistrationFailed:
    """The server could not take the application."""

    failure: Failure


# -- effects --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LoadAcceptedIds:
    """GET the IDs the counter accepts."""


@dataclass(frozen=True)
class ReadFacts(cs.ReadFacts):
    """VERIFY the 入力補助 PIN and read name, address, birth date and sex."""


@dataclass(frozen=True)
class Sign(cs.Prove):
    """Get a challenge, VERIFY the 利用者証明用 PIN and sign it (the signature goes with the application)."""


@dataclass(frozen=True)
class Apply:
    """POST the application (the signature, the facts, the contact)."""

    facts: Facts
    signature: Signature
    phone: str | None
    email: str | None
    idempotency_key: str


class RegistrationFlow(FactsProofFlow[Facts]):
    """The registration application as a state machine."""

    def __init__(self, today: Callable[[], date] = date.today,
                 new_key: Callable[[], str] = lambda: str(uuid.uuid4())) -> None:
        self.state: State = Intro()
        self.pin = PinBuffer()
        self._today = today
        self._new_key = new_key
        # The facts read with the separate 入力補助 PIN until the signature is had, and what the patron typed
        # while a new signature is made (an expired challenge): then they live in the states again.
        self._facts = None
        self._contact: tuple[str, str] = ("", "")

    def close(self) -> None:
        """The session is over: the PIN digits zeroed, the card's facts and the contact dropped with the state."""
        super().close()
        self._contact = ("", "")

    def _step(self, state: object, event: object) -> list[object]:
        match state:
            case Intro():
                return self._on_intro(event)
            case LoadingIds():
                return self._on_loading_ids(event)
            case WhatToBring():
                return self._on_what_to_bring(event)
            case Review():
                return self._on_review(state, event)
            case EnteringContact():
                return self._on_entering_contact(state, event)
            case Sending():
                return self._on_sending(state, event)
            case Failed():
                return self._on_failed(state, event)
        return super()._step(state, event)

    def _on_intro(self, event: object) -> list[object]:
        if isinstance(event, WithCard):
            self.state = ReadingCard(NO_CARD_NUMBER)
            return [ReadCard()]  # the card may already be on the reader
        if isinstance(event, WithoutCard):
            self.state = LoadingIds()
            return [LoadAcceptedIds()]
        return []

    def _on_loading_ids(self, event: object) -> list[object]:
        if isinstance(event, IdsLoaded):
            self.state = WhatToBring(event.ids)
        elif isinstance(event, EffectFailed):
            self.state = WhatToBring(None)
        return []

    def _on_what_to_bring(self, event: object) -> list[object]:
        if isinstance(event, Back):
            self.state = Intro()
        return []

    # -- hooks of the shared card steps ----------------------------------------------------------------
    # A blocked 利用者証明用 PIN or an expired certificate stops at the shared steps: without the card's signature
    # the server stores nothing, so the counter registers with an ID, as without the card.
    def _before_card(self, card_number: str) -> State:
        self._facts = None
        return Intro()

    def _card_ready(self, card_number: str, card: CardFacts) -> State:
        self._facts = None  # the card may have been swapped: its facts are read again
        return SamePin(card_number, card)

    def _pin_back(self, pad: EnteringPin) -> State:
        self._facts = None
        self._contact = ("", "")
        return SamePin(pad.card_number, pad.card)

    def _same_pin_back(self, state: SamePin) -> State:
        return Intro()

    def _read_facts(self, pad: EnteringPin, pin: Pin, last_try_confirmed: bool) -> list[object]:
        self.state = ReadingFacts(pad.card_number, pad.card)
        return [ReadFacts(pin, last_try_confirmed)]

    def _prove(self, pad: EnteringPin, auth_pin: Pin, text_pin: Pin | None, last_try_confirmed: bool) -> list[object]:
        self.state = Signing(pad.card_number, pad.card, pad.step, pad.birth_date)
        return [Sign(pad.card.certificate_der, auth_pin, last_try_confirmed, text_pin)]

    def _proof_answer(self, state: Proving, event: object) -> list[object]:
        if isinstance(event, Signed):
            facts = self._proven_facts(event.facts)
            if facts is None:  # cannot happen: the facts come before or with the signature
                self.state = Failed(Failure.SERVER_ERROR)
                return []
            phone, email = self._contact
            self._contact = ("", "")  # from here on in the states only
            self.state = Review(facts, event.signature, state.card, phone, email)
        elif isinstance(event, RegistrationFailed | EffectFailed):
            failure = event.failure if isinstance(event, RegistrationFailed) else Failure.SERVER_ERROR
            retry = None if failure in TO_COUNTER else state.pad_again()  # a new challenge needs the PIN again
            self.state = Failed(failure, retry)
        return []

    def _on_review(self, state: Review, event: object) -> list[object]:
        if isinstance(event, EditContact):
            text = state.phone if event.kind is Contact.PHONE else state.email
            self.state = EnteringContact(replace(state, problem=None), event.kind, text)
        elif isinstance(event, Send):
            if not (state.phone or state.email):
                self.state = replace(state, problem=ContactProblem.REQUIRED)  # the server would refuse it too
                return []
            return self._send(Sending(replace(state, problem=None), self._new_key()))
        elif isinstance(event, Back):
            self.state = Intro()  # the facts, the signature and the contact are dropped
        return []

    def _on_entering_contact(self, state: EnteringContact, event: object) -> list[object]:
        limit = PHONE_MAX if state.kind is Contact.PHONE else EMAIL_MAX
        if isinstance(event, Digit | Key):
            char = event.digit if isinstance(event, Digit) else event.char
            allowed = is_pad_digit(char) if state.kind is Contact.PHONE else char in EMAIL_CHARS
            if allowed and len(state.text) < limit:
                self.state = replace(state, text=state.text + char)
        elif isinstance(event, Backspace):
            self.state = replace(state, text=state.text[:-1])
        elif isinstance(event, Clear):
            self.state = replace(state, text="")
        elif isinstance(event, Submit):  # an empty field takes the contact away
            if state.kind is Contact.PHONE:
                self.state = replace(state.review, phone=state.text)
            else:
                self.state = replace(state.review, email=state.text)
        elif isinstance(event, Back):
            self.state = state.review
        return []

    def _send(self, sending: Sending) -> list[object]:
        self.state = sending
        review = sending.review
        return [Apply(review.facts, review.signature, review.phone or None, review.email or None,
                      sending.idempotency_key)]

    def _on_sending(self, state: Sending, event: object) -> list[object]:
        review = state.review
        if isinstance(event, Applied):
            self.state = Sent(event.reference)
        elif isinstance(event, ContactRefused):
            self.state = replace(review, problem=event.problem)
        elif isinstance(event, RegistrationFailed | EffectFailed):
            failure = event.failure if isinstance(event, RegistrationFailed) else Failure.SERVER_ERROR
            retry: Sending | EnteringPin | None = None
            if failure is Failure.CHALLENGE:  # sign a new challenge; the facts and the contact are kept
                self._facts, self._contact = review.facts, (review.phone, review.email)
                retry = EnteringPin(NO_CARD_NUMBER, review.card, PinStep.AUTH, birth_date=review.facts.birth_date)
            elif failure not in TO_COUNTER:
                retry = state  # the same key: the server answers it once
            self.state = Failed(failure, retry)
        return []

    def _on_failed(self, state: Failed, event: object) -> list[object]:
        if isinstance(event, Retry) and state.retry is not None:
            if isinstance(state.retry, Sending):
                return self._send(state.retry)
            self.state = state.retry  # the 利用者証明用 PIN again for a new challenge
        return []


def _failed_ticket(state: Failed) -> CounterTicket | None:
    if state.failure is Failure.ALREADY_PATRON:
        return "registration", "registration_already_patron", None
    if state.failure is Failure.PENDING:
        return "registration", "registration_pending", None
    if state.failure is Failure.CERTIFICATE_INVALID:
        return "registration", "registration_without_card", None  # the counter registers with an ID
    return None


def _failed_result(state: Failed) -> Result:
    return (COUNTER if state.failure in TO_COUNTER else FAILED), state.failure.value


def _card_stop_ticket(state: PinBlocked | CertificateExpired) -> CounterTicket:
    # The counter registers with an ID; the PIN and the certificate are the city office's.
    return "registration", "registration_without_card", None


_CARD = card_step_rows(same_pin=True)
# The step indicator's path (kiosk/steps.py): with the card only; the ID list without it is one screen.
REVIEW = "review"
STEPS: Paths = ((CARD, PIN, REVIEW, RESULT),)

# A failure whose result leads with the attention sign, not the failed one: not sent, yet the way on is plain (a
# card or an application the counter already has; the card signs again, what was typed kept).
WAY_ON = frozenset({Failure.ALREADY_PATRON, Failure.PENDING, Failure.CHALLENGE})

# -- what each state is (screens/routes.py, kiosk/a11y/cues.py and kiosk/statistics.py read it) --------------
STATES: dict[type, StateInfo] = {
    Intro: StateInfo("registration_intro", "intro", first=True, step=None),
    LoadingIds: StateInfo("registration_working", "loading_ids", busy=True, step=None),
    WhatToBring: StateInfo("registration_ids", "what_to_bring", outcome=constant((COUNTER, "registration_without_card")), counter=lambda s: ("registration", "registration_without_card", None), step=None),  # noqa: E501
    ReadingFacts: StateInfo("registration_working", "reading_facts", busy=True, step=PIN),
    Signing: StateInfo("registration_working", "signing", busy=True, step=PIN),
    Review: StateInfo("registration_review", "review", cue=error_if(lambda s: s.problem is not None), step=REVIEW),
    EnteringContact: StateInfo("registration_contact", "entering_contact", typed=lambda s: len(s.text), step=REVIEW,
                               prompt=lambda s: f"registration_contact.{s.kind}"),  # the phone, or the e-mail
    Sending: StateInfo("registration_working", "sending", busy=True, step=RESULT),
    # The counter completes the application with one confirmation (its row is marked by the ticket's reference).
    Sent: StateInfo("registration_result", "sent", sign="done", cue=Cue.OK, outcome=constant((COUNTER, "registration_application")), counter=lambda s: ("registration", "registration_application", s.reference), step=RESULT),  # noqa: E501
    Failed: StateInfo("registration_result", "failed",
                      sign=lambda s: "attention" if s.failure in WAY_ON else "failed",
                      cue=Cue.ERROR, outcome=_failed_result, counter=_failed_ticket,
                      step=RESULT),
    **_CARD,
    # Without the card's signature the server stores nothing: the counter registers with an ID.
    PinBlocked: replace(_CARD[PinBlocked], screen="registration_result", counter=_card_stop_ticket),
    CertificateExpired: replace(_CARD[CertificateExpired], screen="registration_result", counter=_card_stop_ticket),
    CardUnusable: replace(_CARD[CardUnusable], screen="registration_result", counter=lambda s: card_counter_ticket(s, "registration")),  # noqa: E501
    Finished: FINISHED,
}


def counter_ticket_for(state: object) -> CounterTicket | None:
    """(service, reason, reference) of the one-tap counter ticket ``state`` offers (its row says), or None."""
    info = STATES.get(type(state))
    return info.counter_of(state) if info is not None else None
