"""Which status sign a flow's result leads with: done, needs attention, or could not be done.

The screens draw the sign (a circle with a check, a triangle with !, an octagon with x: distinct in shape as
well as in colour, for a patron who does not tell green from red); which one a result gets is its row's
``sign`` in its flow's state table (kiosk/states.py), not guessed by a screen.
"""

from __future__ import annotations

from typing import Any

from kiosk.states import Sign

__all__ = ["ATTENTION", "DONE", "FAILED", "Sign", "result_sign"]

DONE: Sign = "done"  # what the patron came for is done
ATTENTION: Sign = "attention"  # done or possible, but the patron has something to do (the counter, a renewal)
FAILED: Sign = "failed"  # it could not be done here


def result_sign(state: Any) -> Sign | None:
    """The sign of a result state; None for a state that is not a result (a step, or work under way)."""
    # The flows' tables load with the flows, after the first frame: a screen asks once a flow has a result.
    from kiosk.flows.tables import any_flow

    info = any_flow(state)
    return info.sign_of(state) if info is not None else None
