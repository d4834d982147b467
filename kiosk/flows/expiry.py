"""有効期限の確認: the patron enters or scans a library card number and sees until when it is valid."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from kiosk.flows.common import (
    Back,
    Backspace,
    Clear,
    Digit,
    Done,
    Entering,
    Finished,
    Retry,
    Scanned,
    Submit,
    enter_card_number,
)

__all__ = [
    "Answered", "Back", "Backspace", "CardStatus", "Clear", "Digit", "Done", "Entering", "ExpiryFlow",
    "ExpiryView", "Failed", "Failure", "Finished", "LookingUp", "LookupExpiry", "LookupFailed", "Retry",
    "Scanned", "Shown", "Submit",
]


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


# -- states (Entering and Finished are shared with the other flows) -------------------------------
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


# -- events (pad, scanner and navigation events are shared) -----------------------------------------
@dataclass(frozen=True)
class Answered:
    """The server answered."""

    expiry: ExpiryView


@dataclass(frozen=True)
class LookupFailed:
    """The server could not answer."""

    failure: Failure


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
        entered = enter_card_number(state, event, self._pattern)
        if isinstance(entered, str):
            self.state = LookingUp(entered)
            return [LookupExpiry(entered)]
        self.state = entered
        return []
