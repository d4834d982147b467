"""Which sound a state change makes and which spoken prompt (a catalogue key) goes with it.

A cue is decided from the state before and the state after, so a re-render of the same state (a
language switch, large text) is silent, while a new step, a result and an error each sound. Prompts
are fixed catalogue keys: nothing a patron entered or a card holds (PIN, card number, birth date, name,
address, reference) can reach the speaker; a screen that lists things (the IDs the counter accepts) says them
by their catalogue names (``details``). The one value ever spoken is a queue ticket's number (e.g.
A-012), which is not personal (the lobby display calls it out to everyone) and which a patron who cannot
see the screen needs to know when it is called (EN 301 549 5.1.3.16).
"""

from __future__ import annotations

from typing import Any

from kiosk import i18n
from kiosk.states import Cue, StateInfo

__all__ = ["TICKET_NUMBER_KEY", "Cue", "cue_for", "details", "kind", "listed_keys", "prompt_key", "prompt_keys",
           "spoken_text", "spoken_values"]

# What a state sounds like is a column of its flow's state table (kiosk/flows/tables.py). The tables are
# imported where a state is judged, not with this module: the kiosk loads the cues before its first frame,
# and the flows' hundred-odd state classes take 40-70 ms to import. A state to judge comes from a flow, so by
# then they are loaded anyway.

# A type in no flow's table (tests/kiosk/test_state_tables.py keeps every flow's states in them) is judged by
# what it holds and, last, by its name.
_ERROR_NAME_ENDINGS = ("Failed", "Refused", "Blocked", "Error", "Expired")


def _row(state: Any) -> StateInfo | None:
    from kiosk.flows import tables

    return tables.any_flow(state)


def _is_error(state: Any) -> bool:
    """The state shows an error: a failed step, a refusal, or a problem on a pad or at the reader."""
    row = _row(state)
    if row is not None:
        return row.cue_of(state) is Cue.ERROR
    return (type(state).__name__.endswith(_ERROR_NAME_ENDINGS) or getattr(state, "failure", None) is not None
            or getattr(state, "problem", None) is not None)


def _typed(state: Any) -> int | None:
    """How many digits a pad holds (None for a state without a pad)."""
    row = _row(state)
    return row.typed_of(state) if row is not None else None


def kind(state: Any) -> Cue:
    """The cue a state sounds when it is reached from another step."""
    row = _row(state)
    if row is not None:
        return row.cue_of(state)
    return Cue.ERROR if _is_error(state) else Cue.NEXT


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

    The most specific key that exists wins: ``voice.<stem>.<cue>``, then ``voice.<stem>``, then a generic
    ``voice.<cue>``; the stem is the state's own prompt where its table names one, else the screen. Key
    presses are not spoken (the digits of a PIN must never be).
    """
    if cue is Cue.KEY:
        return None
    row = _row(state) if state is not None else None
    stem = (row.prompt_of(state) if row is not None else None) or screen
    suffix = (cue or Cue.NEXT).value
    candidates = [f"voice.{stem}.{suffix}"]
    if cue in (None, Cue.NEXT):
        candidates.append(f"voice.{stem}")
    candidates.append(f"voice.{suffix}")
    known = i18n.catalogue("ja")
    return next((key for key in candidates if key in known), f"voice.{suffix}")


#: The only prompt with a value, and the value's only source (spoken_values).
TICKET_NUMBER_KEY = "voice.ticket_number"


def spoken_values(state: Any) -> dict[str, str]:
    """Values a prompt for ``state`` may speak: a queue ticket's number, spelt out; nothing else, ever."""
    row = _row(state) if state is not None else None
    if row is not None and row.speaks_number:
        return {"number": " ".join(ch for ch in state.ticket.number if ch.isalnum())}
    return {}


def prompt_keys(screen: str, state: Any, cue: Cue | None) -> list[str]:
    """Every prompt to say for ``state``: its own, then the ticket number where there is one, then what the
    screen lists (``details``)."""
    key = prompt_key(screen, state, cue)
    if key is None:
        return []
    keys = [key, TICKET_NUMBER_KEY] if spoken_values(state) else [key]
    return keys + details(screen, state) if cue is not Cue.ERROR else keys


# -- what a screen lists, said after its prompt ---------------------------------------------------------------
# Fixed catalogue texts chosen by what the state holds, never a value: which IDs the counter accepts (the
# server's list, each by its catalogue name; a document the catalogues do not name is on the screen only), and
# that a phone number or an e-mail address has been typed (not which). By screen, as the keypad's menus are.
ACCEPTED_ID = "registration.id."
IDS_KEY = "voice.registration_ids"


def _accepted_ids(state: Any) -> list[str]:
    ids = getattr(state, "ids", None)
    if ids is None:
        return ["registration.ids.fallback"]  # the server did not say: the screen's general words
    known = i18n.catalogue("ja")
    out: list[str] = []
    unnamed = False
    for heading, items in ((None, ids.ids), (f"{IDS_KEY}.address", ids.address_proofs),
                           (f"{IDS_KEY}.not_accepted", ids.not_accepted)):
        keys = [ACCEPTED_ID + item.id for item in items]
        named = [key for key in keys if key in known]
        unnamed = unnamed or len(named) < len(keys)
        if named and heading is not None:
            out.append(heading)
        out += named
    if unnamed:
        out.append(f"{IDS_KEY}.others")
    return out


def _contact_given(state: Any) -> list[str]:
    return [f"voice.registration_review.{kind}" for kind in ("phone", "email") if getattr(state, kind, "")]


_DETAILS = {"registration_ids": _accepted_ids, "registration_review": _contact_given}


def details(screen: str, state: Any) -> list[str]:
    """The fixed catalogue keys ``screen`` says after its prompt, by what ``state`` holds (nothing for most)."""
    said = _DETAILS.get(screen)
    return said(state) if said is not None and state is not None else []


def listed_keys() -> frozenset[str]:
    """Every catalogue key ``details`` may say that is not a ``voice.`` prompt (synthesised ahead with them)."""
    named = {key for key in i18n.catalogue("ja") if key.startswith(ACCEPTED_ID)}
    return frozenset(named | {"registration.ids.fallback"})


def spoken_text(key: str, language: str, values: dict[str, str] | None = None) -> str:
    """The prompt as spoken; only the ticket number prompt takes a value."""
    if key == TICKET_NUMBER_KEY:
        return i18n.translate(key, language, **(values or {}))
    return i18n.translate(key, language)
