"""Every flow's state table, by the name the kiosk starts the flow by (screens/routes.py FLOW_FACTORIES).

The routing, the statistics and the cues look a state up here; a new flow adds its table in one line.
"""

from __future__ import annotations

from functools import cache

from kiosk.flows import checkup, expiry, registration, renewal, ticket
from kiosk.flows import migration as mig
from kiosk.states import Paths, StateInfo, StateTable

TABLES: dict[str, StateTable] = {
    "expiry": expiry.STATES,
    "migrate": mig.STATES,
    "ticket": ticket.STATES,
    "checkup": checkup.STATES,
    "renewal": renewal.STATES,
    "registration": registration.STATES,
}

#: Every flow's steps as its step indicator shows them (kiosk/steps.py), declared beside its table.
STEPS: dict[str, Paths] = {
    "expiry": expiry.STEPS,
    "migrate": mig.STEPS,
    "ticket": ticket.STEPS,
    "checkup": checkup.STEPS,
    "renewal": renewal.STEPS,
    "registration": registration.STEPS,
}


def info(flow: str, state: object) -> StateInfo | None:
    """What ``state`` is in ``flow`` (None: not a state of that flow, or a flow without a table)."""
    table = TABLES.get(flow)
    return table.get(type(state)) if table is not None else None


@cache
def _any_flow() -> dict[type, StateInfo]:
    return {cls: row for table in TABLES.values() for cls, row in table.items()}


def any_flow(state: object) -> StateInfo | None:
    """What ``state`` is, for the columns that are the same in every flow that has it (the cue, the pad, the
    card trouble, the prompt; tests/kiosk/test_state_tables.py holds them to that): None for a type no flow
    has."""
    return _any_flow().get(type(state))
