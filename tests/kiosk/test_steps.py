"""The step indicator's data (kiosk/steps.py): which steps a state shows, which one is current, and the way a
branching flow keeps once the patron is on it. The flows are driven by their own events where they branch."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from kiosk.flows import card_steps, checkup, common, expiry, renewal, ticket
from kiosk.flows import migration as mig
from kiosk.steps import Indicator, indicator, step_labels

CARD = card_steps.CardFacts(b"d", date(2030, 1, 1), 3, 3)
NUMBER = "2000000014"
VIEW = expiry.ExpiryView(date(2027, 1, 1), date(2026, 10, 1), 100, expiry.CardStatus.VALID)


def walk(flow: str, states: Sequence[object]) -> list[Indicator | None]:
    """The indicator of each state in turn, as the app shows them (each after the one before)."""
    shown: Indicator | None = None
    out = []
    for state in states:
        shown = indicator(flow, state, shown)
        out.append(shown)
    return out


def test_the_migration_shows_library_card_my_number_card_pin_result_in_turn() -> None:
    pad = card_steps.EnteringPin(NUMBER, CARD, card_steps.PinStep.AUTH)
    states = [mig.Intro(), mig.Consent(), mig.CardNumber(), card_steps.WaitingForCard(NUMBER),
              card_steps.ReadingCard(NUMBER), card_steps.SamePin(NUMBER, CARD), pad, card_steps.LastTryWarning(pad),
              mig.Migrating(NUMBER, CARD, card_steps.PinStep.AUTH), mig.Completed(NUMBER, date(2026, 12, 7))]
    shown = walk("migrate", states)
    assert shown[:2] == [None, None]  # the intro and the consent come before the steps
    assert [s.current for s in shown[2:] if s is not None] == [0, 1, 1, 2, 2, 2, 3, 3]
    assert step_labels("migrate", pad, "ja") == (["図書館カード", "マイナンバーカード", "暗証番号", "結果"], 2)
    assert step_labels("migrate", pad, "en") == (["Library card", "My Number card", "PIN", "Result"], 2)


def test_expiry_shows_the_way_the_patron_chose_up_to_its_result() -> None:
    assert indicator("expiry", expiry.ChooseMethod()) is None  # how many steps depends on the choice
    flow = expiry.ExpiryFlow(r"^\d{10}$")
    by_number = [flow.state]
    flow.handle(expiry.ByNumber())
    by_number.append(flow.state)
    for digit in NUMBER:
        flow.handle(expiry.Digit(digit))
    flow.handle(expiry.Submit())
    by_number.append(flow.state)
    flow.handle(expiry.Answered(VIEW))
    by_number.append(flow.state)
    assert isinstance(flow.state, expiry.Shown)
    shown = walk("expiry", by_number)
    assert [(s.path, s.current) if s else None for s in shown] == [
        None, (("library_card", "result"), 0), (("library_card", "result"), 1), (("library_card", "result"), 1)]

    # By card the same result (a Shown, which does not say how it was asked) is the third of three.
    pad = card_steps.EnteringPin("", CARD, card_steps.PinStep.AUTH)
    by_card = [card_steps.WaitingForCard(""), pad, expiry.CheckingByCard(pad), expiry.Shown(NUMBER, VIEW)]
    assert [(s.path, s.current) if s else None for s in walk("expiry", by_card)] == [
        (("card", "pin", "result"), 0), (("card", "pin", "result"), 1), (("card", "pin", "result"), 2),
        (("card", "pin", "result"), 2)]


def test_renewal_turns_to_the_way_without_the_card_when_the_patron_takes_it() -> None:
    flow = renewal.RenewalFlow(r"^\d{10}$")
    flow.handle(renewal.Begin(NUMBER))
    states = [flow.state]
    flow.handle(renewal.Eligible(renewal.Eligibility.RENEWABLE))
    states.append(flow.state)
    flow.handle(renewal.WithoutCard())
    states.append(flow.state)
    assert [type(s) for s in states] == [renewal.Checking, renewal.ChooseWay, renewal.WhatToBring]
    shown = walk("renewal", states)
    assert [(len(s.path), s.current) if s else None for s in shown] == [(6, 0), (6, 1), (3, 2)]
    assert shown[-1] is not None and shown[-1].labels("ja") == ["図書館カード", "方法", "持ち物"]
    with_card = walk("renewal", [states[1], card_steps.WaitingForCard(NUMBER)])
    assert [(len(s.path), s.current) if s else None for s in with_card] == [(6, 1), (6, 2)]


def test_the_other_flows_and_what_shows_no_indicator() -> None:
    assert step_labels("checkup", checkup.Intro(), "ja") is None
    assert step_labels("checkup", card_steps.WaitingForCard(""), "ko") == (["마이넘버 카드", "비밀번호", "결과"], 0)
    assert step_labels("ticket", ticket.Choosing(), "zh") == (["事项", "结果"], 0)
    assert indicator("ticket", common.Finished()) is None
    assert indicator("no_such_flow", ticket.Choosing()) is None
    assert indicator("ticket", mig.Intro()) is None  # not a state of that flow
    # A way shown before that lacks the new step is left for one that has it.
    old = Indicator(("library_card", "result"), 1)
    assert indicator("expiry", card_steps.WaitingForCard(""), old) == Indicator(("card", "pin", "result"), 0)
