"""The expiry flow when the server answers but the library's ILS did not (ils_unreachable): its own failure,
never "expired", and by My Number card a retry goes back to the PIN pad like an unreachable server."""

from __future__ import annotations

import pytest

from kiosk.flows import expiry as f
from tests.kiosk.test_expiry_flow import PAD, PATTERN


def test_by_number_the_failure_is_the_ils_and_retry_asks_again() -> None:
    flow = f.ExpiryFlow(PATTERN)
    flow.state = f.LookingUp("2000000014")
    flow.handle(f.LookupFailed(f.Failure.ILS_UNREACHABLE))
    assert flow.state == f.Failed("2000000014", f.Failure.ILS_UNREACHABLE)
    assert f.counter_ticket_for(flow.state) is None  # nothing says the card needs renewing
    assert flow.handle(f.Retry()) == [f.LookupExpiry("2000000014")]


@pytest.mark.parametrize("failure", [f.Failure.ILS_UNREACHABLE, f.Failure.SERVER_UNREACHABLE])
def test_by_card_a_retry_goes_back_to_the_pin_pad(failure: f.Failure) -> None:
    flow = f.ExpiryFlow(PATTERN)
    flow.state = f.CheckingByCard(PAD)
    flow.handle(f.LookupFailed(failure))
    assert flow.state == f.Failed("", failure, PAD)
    flow.handle(f.Retry())
    assert flow.state == PAD
