"""Every busy state of every flow turns an unexpected effect failure into its own "could not be done"."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from kiosk.flows import card_steps as cs
from kiosk.flows import checkup as c
from kiosk.flows import common
from kiosk.flows import expiry as e
from kiosk.flows import migration as m
from kiosk.flows import ticket as t

CARD = cs.CardFacts(b"c", date(2029, 1, 1), 3, 3)
PAD = cs.EnteringPin("", CARD, cs.PinStep.AUTH)
TICKET = t.TicketView("id", "S-001", "other", "その他", "Other", datetime(2026, 6, 15, tzinfo=UTC), 0, None, "u")
FAILED = common.EffectFailed("KeyError")


def flow_in(state: object) -> object:
    if isinstance(state, c.Checking):
        flow = c.CheckupFlow(today=lambda: date(2026, 6, 15))
    elif isinstance(state, e.LookingUp | e.CheckingByCard):
        flow = e.ExpiryFlow(r"^(\d{10})$")
    elif isinstance(state, t.Issuing | t.Printing):
        flow = t.TicketFlow(("other",))
    else:
        flow = m.MigrationFlow(r"^(\d{10})$", today=lambda: date(2026, 6, 15))
    flow.state = state
    return flow


@pytest.mark.parametrize(
    ("busy", "after"),
    [
        (e.LookingUp("2000000014"), e.Failed("2000000014", e.Failure.SERVER_ERROR)),
        (e.CheckingByCard(PAD), e.Failed("", e.Failure.SERVER_ERROR, PAD)),
        (c.Checking(PAD), c.Failed(c.Failure.SERVER_ERROR, PAD)),
        (cs.ReadingCard("2000000014"), cs.WaitingForCard("2000000014", cs.CardTrouble.UNRESPONSIVE)),
        (m.ReadingBirthDate("2000000014", CARD), cs.WaitingForCard("2000000014", cs.CardTrouble.UNRESPONSIVE)),
        (m.Migrating("2000000014", CARD, cs.PinStep.AUTH),
         m.Refused("2000000014", m.Refusal.SERVER_ERROR, cs.EnteringPin("2000000014", CARD, cs.PinStep.AUTH))),
        (t.Issuing("other", "k"), t.IssueFailed("other", "k", t.IssueFailure.SERVER_ERROR)),
        (t.Printing(TICKET), t.PrintFailed(TICKET, t.PrintFailure.ERROR)),
    ],
)
def test_busy_state_answers_an_effect_failure(busy: object, after: object) -> None:
    flow = flow_in(busy)
    assert flow.handle(FAILED) == []
    assert flow.state == after
