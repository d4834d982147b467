"""カードの点検 (card check-up): one card, one screen that says what, if anything, to do next.

Steps: place the My Number card (the check-up starts when it is placed) → the card is read without a
PIN (the 利用者証明用 certificate and its expiry, both PINs' tries) → the 利用者証明用 PIN (the
shared CardPinFlow pad and its never-lock rules) → the card signs the server's challenge and the
server answers only then: the link scheme (old, MyKey, none), the linked library card's expiry, a
switch held for the counter, and a check-up reference → the report.

The certificate's own expiry is read on the card: an expired one stops at the shared
CertificateExpired step (no PIN asked); one that expires within CERT_WARN_MONTHS is reported with
its date and "renew it at your city office".
"""

from __future__ import annotations

import calendar
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
    CardInserted,
    CardPinFlow,
    CardUnusable,
    CertificateExpired,
    EnteringPin,
    LastTryWarning,
    PinBlocked,
    PinStep,
    ReadCard,
    ReadingCard,
    WaitingForCard,
    card_step_rows,
)
from kiosk.flows.common import FINISHED, Back, EffectFailed, Finished, Retry
from kiosk.flows.expiry import CardStatus, ExpiryView
from kiosk.flows.pinpad import PinBuffer
from kiosk.states import COMPLETED, COUNTER, FAILED, CounterTicket, Cue, Paths, Result, StateInfo

# The certificate is renewed at the city office about every five years: warn this many months ahead.
CERT_WARN_MONTHS = 3


class Link(StrEnum):
    """How the My Number card is linked to a library card, as the server says."""

    OLD = "old"  # the old scheme (certificate serial); can be switched to MyKey here
    MYKEY = "mykey"
    NONE = "none"


class Failure(StrEnum):
    """Why the server gave no check-up; nothing was changed anywhere."""

    CERTIFICATE_INVALID = "certificate_invalid"
    SERVER_UNREACHABLE = "server_unreachable"
    SERVER_ERROR = "server_error"


class Step(StrEnum):
    """What the patron should do next (the report lists each that applies, most pressing first)."""

    FIRST_LINKAGE = "first_linkage"  # not linked: at the 2nd-floor counter, with the library card
    MIGRATION_PENDING = "migration_pending"  # a switch waits for the counter's confirmation
    MIGRATE = "migrate"  # old scheme: switch here, one tap
    RENEW_CARD = "renew_card"  # library card renewable or expired
    RENEW_CERTIFICATE = "renew_certificate"  # the certificate expires soon: city office
    NOTHING = "nothing"


@dataclass(frozen=True)
class CheckupView:
    """The server's findings."""

    link: Link
    card_number: str | None
    expiry: ExpiryView | None
    migration_reference: str | None
    reference: str


# -- states (the card steps are shared with the other flows) ---------------------------------------
@dataclass(frozen=True)
class Intro:
    """Place the My Number card; what the check-up looks at and what it never reads."""


@dataclass(frozen=True)
class Checking:
    """The card signs the server's challenge; the server looks the card up."""

    pad: EnteringPin


@dataclass(frozen=True)
class Report:
    """The one screen: the card, the link, the library card, and what to do next."""

    certificate_not_after: date
    certificate_renew_soon: bool
    view: CheckupView
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Failed:
    """No check-up; ``retry_pin`` is the pad a retry goes to (a new challenge needs the PIN again)."""

    failure: Failure
    retry_pin: EnteringPin | None = None


State = (
    Intro | WaitingForCard | ReadingCard | CertificateExpired | PinBlocked | EnteringPin | LastTryWarning
    | Checking | Report | Failed | Finished | CardUnusable
)


# -- events ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Start:
    """The patron says the card is on the reader (placing it starts the check-up by itself too)."""


@dataclass(frozen=True)
class CheckedUp:
    """The server answered."""

    view: CheckupView


@dataclass(frozen=True)
class CheckFailed:
    """The server gave no answer, or refused the certificate."""

    failure: Failure


# -- effects --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CheckUp:
    """Get a challenge, VERIFY the 利用者証明用 PIN, sign, and ask the server for the check-up."""

    certificate_der: bytes
    auth_pin: Pin
    last_try_confirmed: bool
    idempotency_key: str


def months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier, clamped to that month's last day."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def certificate_renew_soon(not_after: date, today: date) -> bool:
    """Within CERT_WARN_MONTHS of the certificate's expiry (an expired one never gets this far)."""
    return today >= months_before(not_after, CERT_WARN_MONTHS)


def next_steps(view: CheckupView, renew_certificate: bool) -> tuple[Step, ...]:
    """What the patron should do next, most pressing first; (NOTHING,) when all is well."""
    steps: list[Step] = []
    if view.link is Link.NONE:
        steps.append(Step.FIRST_LINKAGE)
    elif view.migration_reference:
        steps.append(Step.MIGRATION_PENDING)
    elif view.link is Link.OLD:
        steps.append(Step.MIGRATE)
    if view.expiry is not None and view.expiry.status in (CardStatus.RENEWABLE, CardStatus.EXPIRED):
        steps.append(Step.RENEW_CARD)
    if renew_certificate:
        steps.append(Step.RENEW_CERTIFICATE)
    return tuple(steps) or (Step.NOTHING,)


class CheckupFlow(CardPinFlow):
    """The check-up as a state machine, through the shared card steps."""

    def __init__(self, today: Callable[[], date], new_key: Callable[[], str] = lambda: str(uuid.uuid4())) -> None:
        self.state: State = Intro()
        self.pin = PinBuffer()
        self._today = today
        self._new_key = new_key

    def _step(self, state: object, event: object) -> list[object]:
        match state:
            case Intro():
                return self._on_intro(state, event)
            case Checking():
                return self._on_checking(state, event)
            case Failed():
                return self._on_failed(state, event)
        return super()._step(state, event)

    def _on_intro(self, state: Intro, event: object) -> list[object]:
        if isinstance(event, Start | CardInserted):
            self.state = ReadingCard("")
            return [ReadCard()]
        return []

    def _on_checking(self, state: Checking, event: object) -> list[object]:
        if isinstance(event, CheckedUp):
            not_after = state.pad.card.certificate_not_after
            soon = certificate_renew_soon(not_after, self._today())
            self.state = Report(not_after, soon, event.view, next_steps(event.view, soon))
        elif isinstance(event, CheckFailed | EffectFailed):
            failure = event.failure if isinstance(event, CheckFailed) else Failure.SERVER_ERROR
            retry = replace(state.pad, digits=0, wrong=False) if failure is not Failure.CERTIFICATE_INVALID else None
            self.state = Failed(failure, retry)
        else:
            self._card_step_failed("", state.pad.card, PinStep.AUTH, None, event)
        return []

    def _on_failed(self, state: Failed, event: object) -> list[object]:
        if isinstance(event, Retry) and state.retry_pin is not None:
            self.state = state.retry_pin
        return []

    # -- hooks of the shared card steps ----------------------------------------------------------------
    def _before_card(self, card_number: str) -> State:
        return Intro()

    def _card_ready(self, card_number: str, card: CardFacts) -> State:
        # The server discloses nothing without the card's signature, so the 利用者証明用 PIN is needed.
        return EnteringPin("", card, PinStep.AUTH)

    def _pin_back(self, pad: EnteringPin) -> State:
        return Intro()

    def _send_pin(self, pad: EnteringPin, *, last_try_confirmed: bool) -> list[object]:
        (pin,) = self.pin.take()
        self.state = Checking(pad)
        return [CheckUp(pad.card.certificate_der, pin, last_try_confirmed, self._new_key())]


# Steps that need staff, most pressing first, with the ticket's service and reason code.
_COUNTER: dict[Step, tuple[str, str]] = {
    Step.FIRST_LINKAGE: ("mynumber", "checkup_first_linkage"),
    Step.MIGRATION_PENDING: ("mynumber", "migration_pending"),
    Step.RENEW_CARD: ("registration", "checkup_renewal"),
}


def _report_ticket(state: Report) -> CounterTicket | None:
    """The report's counter ticket, for the most pressing step that needs staff.

    A held switch carries its own reference (the counter confirms it in one step); otherwise the
    check-up's reference, under which the server's audit log keeps what was found.
    """
    for step in state.steps:
        if step in _COUNTER:
            service, reason = _COUNTER[step]
            if step is Step.MIGRATION_PENDING and state.view.migration_reference:
                return service, reason, state.view.migration_reference
            return service, reason, state.view.reference
    return None


def _report_result(state: Report) -> Result:
    """At the counter when staff are needed, else completed with the next step."""
    ticket = _report_ticket(state)
    if ticket is not None:
        return COUNTER, ticket[1]
    return COMPLETED, state.steps[0].value if state.steps else Step.NOTHING.value


# -- what each state is (screens/routes.py, kiosk/a11y/cues.py and kiosk/statistics.py read it) --------------
# The step indicator (kiosk/steps.py): マイナンバーカード → 暗証番号 → 結果.
STEPS: Paths = ((CARD, PIN, RESULT),)

STATES: dict[type, StateInfo] = {
    # What the check-up looks at comes before its steps: no indicator yet.
    Intro: StateInfo("checkup_intro", "intro", first=True, step=None),
    Checking: StateInfo("checkup_result", "checking", busy=True, step=RESULT),
    # All well, or something to do (renew, the counter, the city office).
    Report: StateInfo("checkup_result", "report",
                      sign=lambda s: "done" if s.steps in ((), (Step.NOTHING,)) else "attention",
                      cue=lambda s: Cue.OK if s.steps == (Step.NOTHING,) else Cue.WARNING,
                      outcome=_report_result, counter=_report_ticket, step=RESULT),
    Failed: StateInfo("checkup_result", "failed", sign="failed", cue=Cue.ERROR,
                      outcome=lambda s: (FAILED, s.failure.value),
                      step=RESULT),
    **card_step_rows(same_pin=False),
    Finished: FINISHED,
}


def counter_ticket_for(state: object) -> CounterTicket | None:
    """(service, reason, reference) of the one-tap counter ticket ``state`` offers (its row says), or None
    when no staff are needed."""
    info = STATES.get(type(state))
    return info.counter_of(state) if info is not None else None


__all__ = [
    "CERT_WARN_MONTHS",
    "STATES",
    "Back",
    "CheckFailed",
    "CheckUp",
    "CheckedUp",
    "Checking",
    "CheckupFlow",
    "CheckupView",
    "Failed",
    "Failure",
    "Intro",
    "Link",
    "Report",
    "Retry",
    "Start",
    "Step",
    "certificate_renew_soon",
    "counter_ticket_for",
    "next_steps",
]
