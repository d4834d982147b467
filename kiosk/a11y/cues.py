"""Which sound a state change makes and which spoken prompt (a catalogue key) goes with it.

A cue is decided from the state before and the state after, so a re-render of the same state (a
language switch, large text) is silent, while a new step, a result and an error each sound. Prompts
are fixed catalogue keys: nothing a patron entered or a card holds (PIN, card number, birth date, name,
address, reference) can reach the speaker. The one value ever spoken is a queue ticket's number (e.g.
A-012), which is not personal (the lobby display calls it out to everyone) and which a patron who cannot
see the screen needs to know when it is called (EN 301 549 5.1.3.16).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from kiosk import i18n
from kiosk.states import Cue

__all__ = ["TICKET_NUMBER_KEY", "Cue", "cue_for", "kind", "prompt_key", "prompt_keys", "spoken_text",
           "spoken_values"]

# The flows' state classes are imported where a state is judged, not with this module: the kiosk loads the
# cues before its first frame, and the flows' hundred-odd state classes take 40-70 ms to import. A state to
# judge comes from a flow, so by then they are loaded anyway.


_ERROR_NAME_ENDINGS = ("Failed", "Refused", "Blocked", "Error", "Expired")


@cache
def _by_type() -> tuple[tuple[type, ...], tuple[type, ...], tuple[type, ...]]:
    """Errors, results the patron wanted, and warnings, by state type; unknown types (flows added later)
    fall back on their names."""
    from kiosk.flows import card_steps as cs
    from kiosk.flows import expiry, renewal, ticket
    from kiosk.flows import migration as mig
    from kiosk.flows.card_steps import CardUnusable, LastTryWarning, PinBlocked

    errors = (expiry.Failed, ticket.IssueFailed, ticket.PrintFailed, mig.Refused, cs.CertificateExpired, PinBlocked)
    oks = (mig.Completed, ticket.Printed, renewal.Sent)
    warnings = (LastTryWarning, mig.Pending, renewal.NotYet, CardUnusable)  # CardUnusable: off to the counter
    return errors, oks, warnings


def _pad(state: Any) -> Any:
    """A flow's card-number step holds the shared pad state in ``entry``."""
    from kiosk.flows.common import Entering

    entry = getattr(state, "entry", None)
    return entry if isinstance(entry, Entering) else state


def _is_error(state: Any) -> bool:
    """The state shows an error: a failed step, or a problem on a pad or at the reader."""
    from kiosk.flows.card_steps import EnteringPin, WaitingForCard
    from kiosk.flows.common import Entering

    errors, _oks, _warnings = _by_type()
    if isinstance(state, errors) or type(state).__name__.endswith(_ERROR_NAME_ENDINGS):
        return True
    state = _pad(state)
    if isinstance(state, Entering):
        return state.problem is not None
    if isinstance(state, WaitingForCard):
        return state.trouble is not None
    if isinstance(state, EnteringPin):
        return state.wrong or state.too_short
    return getattr(state, "failure", None) is not None or getattr(state, "problem", None) is not None


def _typed(state: Any) -> int | None:
    """How many digits a pad holds (None for a state without a pad)."""
    from kiosk.flows.card_steps import EnteringPin
    from kiosk.flows.common import Entering

    state = _pad(state)
    if isinstance(state, Entering):
        return len(state.digits)
    if isinstance(state, EnteringPin):
        return state.digits
    return None


def kind(state: Any) -> Cue:
    """The cue a state sounds when it is reached from another step."""
    from kiosk.flows import checkup, expiry

    if _is_error(state):
        return Cue.ERROR
    if isinstance(state, expiry.Shown):
        return Cue.OK if state.expiry.status is expiry.CardStatus.VALID else Cue.WARNING
    if isinstance(state, checkup.Report):  # all well, or something to do (renew, the counter, the city office)
        return Cue.OK if state.steps == (checkup.Step.NOTHING,) else Cue.WARNING
    _errors, oks, warnings = _by_type()
    if isinstance(state, warnings):
        return Cue.WARNING
    if isinstance(state, oks):
        return Cue.OK
    return Cue.NEXT


def cue_for(before: Any, after: Any) -> Cue | None:
    """The sound of an event that took the flow from ``before`` to ``after`` (None: nothing to hear).

    Called once per event the flow handled, not for a re-render (language switch, large text).
    """
    if before is None or type(before) is not type(after):
        return kind(after)
    if _typed(after) != _typed(before):
        return Cue.KEY
    if _is_error(after):
        return Cue.ERROR  # a refused submit, the same one again included
    if before == after:
        return None  # a key that changed nothing (a full pad)
    return kind(after)  # another answer on the same screen (a retry that succeeded)


def prompt_key(screen: str, state: Any, cue: Cue | None) -> str | None:
    """The catalogue key spoken for ``state`` on ``screen`` in guidance mode (None: say nothing new).

    The most specific key that exists wins: ``voice.<screen>.<cue>``, then ``voice.<screen>``, then a
    generic ``voice.<cue>``. Key presses are not spoken (the digits of a PIN must never be).
    """
    if cue is Cue.KEY:
        return None
    suffix = (cue or Cue.NEXT).value
    candidates = [f"voice.{screen}.{suffix}"]
    if cue in (None, Cue.NEXT):
        candidates.append(f"voice.{screen}")
    candidates.append(f"voice.{suffix}")
    known = i18n.catalogue("ja")
    return next((key for key in candidates if key in known), f"voice.{suffix}")


#: The only prompt with a value, and the value's only source (spoken_values).
TICKET_NUMBER_KEY = "voice.ticket_number"


def spoken_values(state: Any) -> dict[str, str]:
    """Values a prompt for ``state`` may speak: a queue ticket's number, spelt out; nothing else, ever."""
    from kiosk.flows import ticket

    if isinstance(state, ticket.Printed | ticket.PrintFailed):
        return {"number": " ".join(ch for ch in state.ticket.number if ch.isalnum())}
    return {}


def prompt_keys(screen: str, state: Any, cue: Cue | None) -> list[str]:
    """Every prompt to say for ``state``: its own, then the ticket number where there is one."""
    key = prompt_key(screen, state, cue)
    if key is None:
        return []
    return [key, TICKET_NUMBER_KEY] if spoken_values(state) else [key]


def spoken_text(key: str, language: str, values: dict[str, str] | None = None) -> str:
    """The prompt as spoken; only the ticket number prompt takes a value."""
    if key == TICKET_NUMBER_KEY:
        return i18n.translate(key, language, **(values or {}))
    return i18n.translate(key, language)
