"""What a flow state means, as one row of its flow's state table.

Each flow module declares, beside its states, ``STATES: StateTable``: one ``StateInfo`` per state class
(the shared card steps' rows come from ``card_steps.CARD_STEPS``). The routing (screens/routes.py), the
cues and prompts (kiosk/a11y/cues.py), the session statistics (kiosk/statistics.py) and the counter
tickets read the rows; nothing decides by a state's class or its name. A column whose value depends on
the state's data is a function of the state. A new column is one keyword with a default here, and one
keyword on the rows that need another value.

It lives outside kiosk/flows and imports nothing of them: the flows import it, and so do the cues, which
the kiosk loads before its first frame (the flows' state classes load later: tests/ui/test_start.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal


class Cue(StrEnum):
    """The sounds of the kiosk (kiosk/a11y/tones.py makes them)."""

    NEXT = "next"  # a new step
    OK = "ok"  # done: a result the patron wanted
    WARNING = "warning"  # look carefully: the last PIN try, a card to renew, staff needed
    ERROR = "error"  # something went wrong or was refused
    KEY = "key"  # a key press on a pad (a digit typed or removed)


# How a flow run ended, as the server's statistics count it (kiosk/statistics.py).
COMPLETED = "completed"
COUNTER = "counter"  # sent to the 2nd-floor counter
FAILED = "failed"
ABANDONED = "abandoned"  # left, or the idle wipe, before any result

#: A row's step before it says one (the tables' test refuses it; the indicator shows nothing).
STEP_UNSAID = ""
#: A flow's steps as its indicator shows them: one ordered tuple of step keys per way through the flow (the
#: catalogues' ``step.<key>`` names each). A flow whose path branches has one tuple per branch.
Paths = tuple[tuple[str, ...], ...]

#: The status sign a result leads with (screens/design.py draws it: a circle with a check, a triangle with !,
#: an octagon with x): what the patron came for is done / done or possible but the patron has something to
#: do (the counter, a renewal) / it could not be done here.
Sign = Literal["done", "attention", "failed"]

#: (outcome, reason code) of a result state.
Result = tuple[str, str | None]
#: (service, reason code, reference) of the one-tap queue ticket for the counter a state offers.
CounterTicket = tuple[str, str, str | None]


@dataclass(frozen=True)
class StateInfo:
    """What one state is: where it shows, how it sounds, what it counts as, what it offers."""

    screen: str  # the screen that renders it (a name in screens/app.py SCREENS)
    code: str  # the step as the statistics name it: an abandoned session's reason is "left_<code>"
    cue: Cue | Callable[[Any], Cue] = Cue.NEXT  # the sound when it is reached from another step
    first: bool = False  # the flow's first step: Back leaves the flow
    busy: bool = False  # card or server work: Back waits for the answer rather than leave mid-command
    outcome: Callable[[Any], Result | None] | None = None  # a result: how the session ended
    counter: Callable[[Any], CounterTicket | None] | None = None  # the counter ticket it offers
    trouble: Callable[[Any], str | None] | None = None  # a card trouble on the way (statistics)
    typed: Callable[[Any], int] | None = None  # a pad: how many digits it holds (a change is a key press)
    # The spoken prompt's key stem (voice.<prompt>[.<cue>]), or a function of the state for a screen that asks
    # for different things (a phone number, an e-mail address); None: the screen's.
    prompt: str | Callable[[Any], str] | None = None
    sign: Sign | Callable[[Any], Sign] | None = None  # a result's status sign; None: not a result screen's
    speaks_number: bool = False  # its prompt also says the queue ticket's number (the one value ever spoken)
    # Its step in the flow's step indicator (kiosk/steps.py): a key of the flow's STEPS, or None for a state
    # that shows none. Every row says which: the default is no step, and tests/kiosk/test_state_tables.py
    # refuses it.
    step: str | None = STEP_UNSAID

    def cue_of(self, state: object) -> Cue:
        """The cue ``state`` sounds when it is reached from another step."""
        return self.cue if isinstance(self.cue, Cue) else self.cue(state)

    def sign_of(self, state: object) -> Sign | None:
        """The status sign ``state`` leads with (None: a step, or work under way)."""
        return self.sign(state) if callable(self.sign) else self.sign

    def outcome_of(self, state: object) -> Result | None:
        """How a session that ended at ``state`` ended (None: not a result)."""
        return self.outcome(state) if self.outcome is not None else None

    def counter_of(self, state: object) -> CounterTicket | None:
        """The counter ticket ``state`` offers, or None."""
        return self.counter(state) if self.counter is not None else None

    def trouble_of(self, state: object) -> str | None:
        """The card trouble ``state`` shows, as a statistics code, or None."""
        return self.trouble(state) if self.trouble is not None else None

    def prompt_of(self, state: object) -> str | None:
        """The spoken prompt's key stem for ``state`` (None: the screen's)."""
        return self.prompt(state) if callable(self.prompt) else self.prompt

    def typed_of(self, state: object) -> int | None:
        """How many digits the pad of ``state`` holds (None: no pad)."""
        return self.typed(state) if self.typed is not None else None


#: A flow's table: state class -> what it is.
StateTable = Mapping[type, StateInfo]


def constant(value: Result) -> Callable[[object], Result]:
    """An outcome column that is the same for every state of the class."""
    return lambda _state: value


def error_if(failed: Callable[[Any], object]) -> Callable[[Any], Cue]:
    """A cue column: an error when ``failed(state)`` holds (a refused pad, a card trouble), else a new step."""
    return lambda state: Cue.ERROR if failed(state) else Cue.NEXT
