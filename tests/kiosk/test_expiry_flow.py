"""The expiry-check state machine: every event in every state."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from kiosk.cardnumber import Problem
from kiosk.flows import expiry as f

PATTERN = r"^[A-Da-d]?(\d{10})[A-Da-d]?$"
VIEW = f.ExpiryView(date(2027, 12, 1), date(2027, 11, 1), 400, f.CardStatus.VALID)

CARD = f.CardFacts(b"\x30\x82cert", date(2029, 1, 1), auth_tries=3, text_tries=3)
PAD = f.EnteringPin("", CARD, f.PinStep.AUTH)

STATES: dict[str, f.State] = {
    "choose": f.ChooseMethod(),
    "entering-empty": f.Entering(),
    "entering-partial": f.Entering("200000"),
    "entering-full": f.Entering("2000000014"),
    "entering-problem": f.Entering("123", Problem.CHECK_DIGIT),
    "looking-up": f.LookingUp("2000000014"),
    "shown": f.Shown("2000000014", VIEW),
    "failed": f.Failed("2000000014", f.Failure.SERVER_UNREACHABLE),
    "failed-by-card": f.Failed("", f.Failure.SERVER_UNREACHABLE, PAD),
    "checking-by-card": f.CheckingByCard(PAD),
    "finished": f.Finished(),
}
EVENTS: dict[str, object] = {
    "digit": f.Digit("7"),
    "bad-digit": f.Digit("x"),
    "backspace": f.Backspace(),
    "clear": f.Clear(),
    "submit": f.Submit(),
    "scan-good": f.Scanned("A2000000022B"),
    "scan-garbage": f.Scanned("%%%\x1b[12;"),
    "answered": f.Answered(VIEW),
    "lookup-failed": f.LookupFailed(f.Failure.UNKNOWN_CARD),
    "retry": f.Retry(),
    "back": f.Back(),
    "by-number": f.ByNumber(),
    "by-card": f.ByCard(),
    "answered-by-card": f.Answered(VIEW, "2000000014"),
    "not-linked": f.LookupFailed(f.Failure.NOT_LINKED),
    "wrong-pin": f.PinWrong(f.PinStep.AUTH, 2),
    "removed": f.CardRemoved(),
    "done": f.Done(),
}

# What each (state, event) leads to; every pair not listed leaves the state unchanged with no effect.
EXPECTED: dict[tuple[str, str], tuple[f.State, list[object]]] = {
    ("choose", "by-number"): (f.Entering(), []),
    ("choose", "by-card"): (f.ReadingCard(""), [f.ReadCard()]),
    ("entering-empty", "back"): (f.ChooseMethod(), []),
    ("entering-partial", "back"): (f.ChooseMethod(), []),
    ("entering-full", "back"): (f.ChooseMethod(), []),
    ("entering-problem", "back"): (f.ChooseMethod(), []),
    ("looking-up", "answered-by-card"): (f.Shown("2000000014", VIEW), []),
    ("looking-up", "not-linked"): (f.Failed("2000000014", f.Failure.NOT_LINKED), []),
    ("checking-by-card", "answered"): (f.Shown("", VIEW), []),
    ("checking-by-card", "answered-by-card"): (f.Shown("2000000014", VIEW), []),
    ("checking-by-card", "lookup-failed"): (f.Failed("", f.Failure.UNKNOWN_CARD), []),
    ("checking-by-card", "not-linked"): (f.Failed("", f.Failure.NOT_LINKED), []),
    ("checking-by-card", "wrong-pin"): (
        f.EnteringPin("", f.CardFacts(CARD.certificate_der, CARD.certificate_not_after, 2, 3), f.PinStep.AUTH,
                      wrong=True), []),
    ("checking-by-card", "removed"): (f.WaitingForCard("", f.CardTrouble.REMOVED), []),
    ("failed-by-card", "retry"): (PAD, []),
    ("failed-by-card", "back"): (f.ChooseMethod(), []),
    ("entering-empty", "digit"): (f.Entering("7"), []),
    ("entering-empty", "submit"): (f.Entering("", Problem.EMPTY), []),
    ("entering-empty", "scan-good"): (f.LookingUp("2000000022"), [f.LookupExpiry("2000000022")]),
    ("entering-empty", "scan-garbage"): (f.Entering("", Problem.NOT_A_LIBRARY_BARCODE), []),
    ("entering-empty", "backspace"): (f.Entering(""), []),
    ("entering-empty", "clear"): (f.Entering(), []),
    ("entering-partial", "digit"): (f.Entering("2000007"), []),
    ("entering-partial", "backspace"): (f.Entering("20000"), []),
    ("entering-partial", "clear"): (f.Entering(), []),
    ("entering-partial", "submit"): (f.Entering("200000", Problem.WRONG_LENGTH), []),
    ("entering-partial", "scan-good"): (f.LookingUp("2000000022"), [f.LookupExpiry("2000000022")]),
    ("entering-partial", "scan-garbage"): (f.Entering("200000", Problem.NOT_A_LIBRARY_BARCODE), []),
    ("entering-full", "digit"): (f.Entering("2000000014"), []),  # the pad stops at ten digits
    ("entering-full", "backspace"): (f.Entering("200000001"), []),
    ("entering-full", "clear"): (f.Entering(), []),
    ("entering-full", "submit"): (f.LookingUp("2000000014"), [f.LookupExpiry("2000000014")]),
    ("entering-full", "scan-good"): (f.LookingUp("2000000022"), [f.LookupExpiry("2000000022")]),
    ("entering-full", "scan-garbage"): (f.Entering("2000000014", Problem.NOT_A_LIBRARY_BARCODE), []),
    ("entering-problem", "digit"): (f.Entering("1237"), []),
    ("entering-problem", "backspace"): (f.Entering("12"), []),
    ("entering-problem", "clear"): (f.Entering(), []),
    ("entering-problem", "submit"): (f.Entering("123", Problem.WRONG_LENGTH), []),
    ("entering-problem", "scan-good"): (f.LookingUp("2000000022"), [f.LookupExpiry("2000000022")]),
    ("entering-problem", "scan-garbage"): (f.Entering("123", Problem.NOT_A_LIBRARY_BARCODE), []),
    ("looking-up", "answered"): (f.Shown("2000000014", VIEW), []),
    ("looking-up", "lookup-failed"): (f.Failed("2000000014", f.Failure.UNKNOWN_CARD), []),
    ("shown", "back"): (f.ChooseMethod(), []),
    ("failed", "back"): (f.Entering("2000000014"), []),
    ("failed", "retry"): (f.LookingUp("2000000014"), [f.LookupExpiry("2000000014")]),
}
for _state in STATES:
    EXPECTED[(_state, "done")] = (f.Finished(), [])


@pytest.mark.parametrize(("state_name", "event_name"), list(itertools.product(STATES, EVENTS)))
def test_every_event_in_every_state(state_name: str, event_name: str) -> None:
    flow = f.ExpiryFlow(PATTERN)
    flow.state = STATES[state_name]
    effects = flow.handle(EVENTS[event_name])
    want_state, want_effects = EXPECTED.get((state_name, event_name), (STATES[state_name], []))
    assert flow.state == want_state
    assert effects == want_effects


@pytest.mark.parametrize(
    ("number", "problem"),
    [("2000000015", Problem.CHECK_DIGIT), ("20000000140", None), ("", Problem.EMPTY)],
)
def test_pad_validates_the_check_digit_before_any_request(number: str, problem: Problem | None) -> None:
    flow = f.ExpiryFlow(PATTERN)
    flow.handle(f.ByNumber())
    for ch in number:
        flow.handle(f.Digit(ch))
    effects = flow.handle(f.Submit())
    if problem is None:  # eleven digits typed: the pad kept ten, which are valid
        assert effects == [f.LookupExpiry("2000000014")]
    else:
        assert effects == []
        assert flow.state == f.Entering(number, problem)


@pytest.mark.parametrize(
    ("status", "offered"),
    [(f.CardStatus.VALID, False), (f.CardStatus.RENEWABLE, True), (f.CardStatus.EXPIRED, True)],
)
def test_renewal_ticket_is_offered_when_renewal_is_open_or_overdue(status: f.CardStatus, offered: bool) -> None:
    view = f.ExpiryView(date(2027, 12, 1), date(2027, 11, 1), 3, status)
    assert (f.counter_ticket_for(f.Shown("2000000014", view)) is not None) is offered
