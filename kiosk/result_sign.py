"""Which status sign a flow's result leads with: done, needs attention, or could not be done.

The screens draw the sign (a circle with a check, a triangle with !, an octagon with x: distinct in shape as
well as in colour, for a patron who does not tell green from red); which one a result gets is decided here,
from the flow's state, not guessed by a screen. Kivy-free, so it is tested without a display and can be folded
into the flows' per-state table.
"""

from __future__ import annotations

from typing import Any, Literal

Sign = Literal["done", "attention", "failed"]

DONE: Sign = "done"  # what the patron came for is done
ATTENTION: Sign = "attention"  # done or possible, but the patron has something to do (the counter, a renewal)
FAILED: Sign = "failed"  # it could not be done here


def result_sign(state: Any) -> Sign | None:
    """The sign of a result state; None for a state that is not a result (a step, or work under way)."""
    # The flows are imported here, not with this module: a screen asks only once a flow has reached a result.
    from kiosk.flows import card_steps as cs
    from kiosk.flows import checkup, expiry, renewal, ticket
    from kiosk.flows import migration as mig

    if isinstance(state, mig.Completed | ticket.Printed | renewal.Sent):
        return DONE
    if isinstance(state, mig.Refused):
        return DONE if state.reason is mig.Refusal.ALREADY_MIGRATED else FAILED  # nothing left to do
    if isinstance(state, expiry.Shown):
        return DONE if state.expiry.status is expiry.CardStatus.VALID else ATTENTION
    if isinstance(state, checkup.Report):
        return DONE if state.steps in ((), (checkup.Step.NOTHING,)) else ATTENTION
    # Held for staff, not yet open, a ticket issued but not printed, a card to take to the counter.
    if isinstance(state, mig.Pending | renewal.NotYet | ticket.PrintFailed | cs.CardUnusable):
        return ATTENTION
    if isinstance(state, expiry.Failed | checkup.Failed | renewal.Failed | ticket.IssueFailed
                  | cs.PinBlocked | cs.CertificateExpired):
        return FAILED
    return None
