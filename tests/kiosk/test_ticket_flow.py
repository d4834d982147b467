"""The queue-ticket state machine: every event in every state; a double tap makes one ticket."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from kiosk.flows import ticket as t

SERVICES = ("registration", "mynumber", "other")
TICKET = t.TicketView("tk1", "M-007", "mynumber", "マイナンバーカードの連携", "My Number card link",
                      datetime(2026, 11, 25, 1, 0, tzinfo=UTC), 3, 15, "http://x/t/abc")
OPENS = datetime(2026, 11, 26, 0, 0, tzinfo=UTC)

STATES: dict[str, t.State] = {
    "choosing": t.Choosing(),
    "issuing": t.Issuing("mynumber", "k1"),
    "issue-failed": t.IssueFailed("mynumber", "k1", t.IssueFailure.SERVER_UNREACHABLE),
    "printing": t.Printing(TICKET),
    "printed": t.Printed(TICKET, "/tmp/x.png"),
    "print-failed": t.PrintFailed(TICKET, t.PrintFailure.PAPER_OUT),
    "finished": t.Finished(),
}
EVENTS: dict[str, object] = {
    "choose": t.Choose("mynumber"),
    "choose-unknown": t.Choose("coffee"),
    "issued": t.Issued(TICKET),
    "issue-error": t.IssueError(t.IssueFailure.CLOSED, OPENS),
    "print-done": t.PrintDone("/tmp/y.png"),
    "print-error": t.PrintError(t.PrintFailure.OFFLINE),
    "retry": t.Retry(),
    "back": t.Back(),
    "done": t.Done(),
}
EXPECTED: dict[tuple[str, str], tuple[t.State, list[object]]] = {
    ("choosing", "choose"): (t.Issuing("mynumber", "new-key"), [t.IssueTicket("mynumber", "new-key")]),
    ("issuing", "issued"): (t.Printing(TICKET), [t.PrintTicket(TICKET)]),
    ("issuing", "issue-error"): (t.IssueFailed("mynumber", "k1", t.IssueFailure.CLOSED, OPENS), []),
    ("issue-failed", "retry"): (t.Issuing("mynumber", "k1"), [t.IssueTicket("mynumber", "k1")]),
    ("issue-failed", "back"): (t.Choosing(), []),
    ("printing", "print-done"): (t.Printed(TICKET, "/tmp/y.png"), []),
    ("printing", "print-error"): (t.PrintFailed(TICKET, t.PrintFailure.OFFLINE), []),
}
for _state in STATES:
    EXPECTED[(_state, "done")] = (t.Finished(), [])


@pytest.mark.parametrize(("state_name", "event_name"), list(itertools.product(STATES, EVENTS)))
def test_every_event_in_every_state(state_name: str, event_name: str) -> None:
    flow = t.TicketFlow(SERVICES, new_key=lambda: "new-key")
    flow.state = STATES[state_name]
    effects = flow.handle(EVENTS[event_name])
    want_state, want_effects = EXPECTED.get((state_name, event_name), (STATES[state_name], []))
    assert flow.state == want_state
    assert effects == want_effects


def test_double_tap_issues_one_ticket_and_retry_keeps_the_key() -> None:
    flow = t.TicketFlow(SERVICES)
    first = flow.handle(t.Choose("other"))
    second = flow.handle(t.Choose("other"))
    assert len(first) == 1 and second == []
    key = first[0].idempotency_key
    flow.handle(t.IssueError(t.IssueFailure.SERVER_UNREACHABLE))
    assert flow.handle(t.Retry()) == [t.IssueTicket("other", key)]


def test_each_choice_gets_a_fresh_key() -> None:
    flow = t.TicketFlow(SERVICES)
    a = flow.handle(t.Choose("other"))[0].idempotency_key
    flow.handle(t.IssueError(t.IssueFailure.SERVER_ERROR))
    flow.handle(t.Back())
    b = flow.handle(t.Choose("other"))[0].idempotency_key
    assert a != b
