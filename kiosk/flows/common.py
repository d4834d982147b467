"""What every patron flow shares: navigation events, the number pad, and library card number entry."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from kiosk import cardnumber
from kiosk.cardnumber import CardNumberError, Problem
from kiosk.states import StateInfo
from protocol.cardnumber import LENGTH


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
    """Use what is on the pad."""


@dataclass(frozen=True)
class Scanned:
    """A barcode scanner typed this, then Enter."""

    text: str


@dataclass(frozen=True)
class Retry:
    """Try the failed step again."""


@dataclass(frozen=True)
class Back:
    """One step back, keeping what was entered (except a PIN)."""


@dataclass(frozen=True)
class Done:
    """The patron has finished (or cancelled)."""


@dataclass(frozen=True)
class EffectFailed:
    """The work an effect asked for raised something no one expected (a bug, not a patron's doing).

    The runner sends it so that no flow can be left waiting; each busy state turns it into its own
    "could not be done" answer.
    """

    error: str


@dataclass(frozen=True)
class Finished:
    """The flow is over; the app returns to the attract screen."""


#: The step key of the library card number in the flows' step indicators (kiosk/steps.py).
LIBRARY_CARD = "library_card"

#: Every flow's row for Finished: the session ends (nothing of it is routed, sounded or counted).
FINISHED = StateInfo("attract", "finished", step=None)


@dataclass(frozen=True)
class Entering:
    """The card-number pad, with what was typed so far and the last problem found."""

    digits: str = ""
    problem: Problem | None = None


def is_pad_digit(text: str) -> bool:
    """One ASCII digit."""
    return len(text) == 1 and text.isascii() and text.isdigit()


def enter_card_number(state: Entering, event: object, pattern: re.Pattern[str]) -> Entering | str:
    """Apply a pad or scanner event to the card-number pad: the new pad state, or the valid number."""
    if isinstance(event, Digit):
        if is_pad_digit(event.digit) and len(state.digits) < LENGTH:
            return Entering(state.digits + event.digit)
        return state
    if isinstance(event, Backspace):
        return Entering(state.digits[:-1])
    if isinstance(event, Clear):
        return Entering()
    if isinstance(event, Submit | Scanned):
        try:
            if isinstance(event, Submit):
                return cardnumber.from_keypad(state.digits)
            return cardnumber.from_scan(event.text, pattern)
        except CardNumberError as exc:
            # A bad scan keeps what was typed on the pad: the patron loses nothing.
            return replace(state, problem=exc.problem)
    return state
