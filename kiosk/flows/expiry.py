"""有効期限の確認: the patron enters or scans a library card number and sees until when it is valid."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from kiosk import cardnumber
from kiosk.cardnumber import CardNumberError, Problem
from protocol.cardnumber import LENGTH


class CardStatus(StrEnum):
    """Where the card stands today, as the server says."""

    VALID = "valid"
    RENEWABLE = "renewable"
    EXPIRED = "expired"


class Failure(StrEnum):
    """Why the server could not answer; each has its own message and next step."""

    UNKNOWN_CARD = "unknown_card"
    SERVER_UNREACHABLE = "server_unreachable"
    SERVER_ERROR = "server_error"


@dataclass(frozen=True)
class ExpiryView:
    """What the server says about a card's expiry."""

    valid_until: date
    renewable_from: date
    days_left: int
    status: CardStatus


# -- states ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Entering:
    """The number pad, with what was typed so far and the last problem found."""

    digits: str = ""
    problem: Problem | None = None


@dataclass(frozen=True)
class LookingUp:
    """Waiting for the server."""

    card_number: str


@dataclass(frozen=True)
class Shown:
    """The answer."""

    card_number: str
    expiry: ExpiryView


@dataclass(frozen=True)
class Failed:
    """The server could not answer; nothing was changed anywhere."""

    card_number: str
    failure: Failure


@dataclass(frozen=True)
class Finished:
    """The patron is done; the app returns to the attract screen."""


# -- events ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Digit:
    """A number-pad key."""

    digit: str


@dataclass(frozen=True)
class Backspace:
    """Remove the last digit."""


@dataclass(frozen=True)
class Clear:
    """Remove every digit."""


@dataclass(frozen=True)
class Submit:
    """Look up the number on the pad."""


@dataclass(frozen=True)
class Scanned:
    """A barcode scanner typed this, then Enter."""

    text: str


@dataclass(frozen=True)
class Answered:
    """The server answered."""

    expiry: ExpiryView


@dataclass(frozen=True)
class LookupFailed:
    """The server could not answer."""

    failure: Failure


@dataclass(frozen=True)
class Retry:
    """Ask the server again (after a failure)."""


@dataclass(frozen=True)
class Back:
    """One step back: from a result or failure to the pad, keeping the number."""


@dataclass(frozen=True)
class Done:
    """The patron has finished."""


# -- effects --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LookupExpiry:
    """Ask the server for this card's expiry."""

    card_number: str


State = Entering | LookingUp | Shown | Failed | Finished


class ExpiryFlow:
    """The expiry check as a state machine."""

    def __init__(self, barcode_pattern: str) -> None:
        self.state: State = Entering()
        self._pattern = re.compile(barcode_pattern, re.ASCII)

    def handle(self, event: object) -> list[object]:
        """Apply ``event``; return the effects to perform. Events that make no sense now are ignored."""
        state = self.state
        if isinstance(event, Done):
            self.state = Finished()
            return []
        if isinstance(state, Entering):
            return self._entering(state, event)
        if isinstance(state, LookingUp):
            if isinstance(event, Answered):
                self.state = Shown(state.card_number, event.expiry)
            elif isinstance(event, LookupFailed):
                self.state = Failed(state.card_number, event.failure)
            return []
        if isinstance(state, Failed) and isinstance(event, Retry):
            self.state = LookingUp(state.card_number)
            return [LookupExpiry(state.card_number)]
        if isinstance(state, Shown | Failed) and isinstance(event, Back):
            self.state = Entering(digits=state.card_number)
        return []

    def _entering(self, state: Entering, event: object) -> list[object]:
        if isinstance(event, Digit):
            if event.digit.isascii() and event.digit.isdigit() and len(event.digit) == 1:
                if len(state.digits) < LENGTH:
                    self.state = Entering(state.digits + event.digit)
        elif isinstance(event, Backspace):
            self.state = Entering(state.digits[:-1])
        elif isinstance(event, Clear):
            self.state = Entering()
        elif isinstance(event, Submit | Scanned):
            try:
                if isinstance(event, Submit):
                    number = cardnumber.from_keypad(state.digits)
                else:
                    number = cardnumber.from_scan(event.text, self._pattern)
            except CardNumberError as exc:
                # A bad scan keeps what was typed on the pad: the patron loses nothing.
                self.state = replace(state, problem=exc.problem)
                return []
            self.state = LookingUp(number)
            return [LookupExpiry(number)]
        return []
