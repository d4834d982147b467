"""The card check-up state machine and its report: fast, with fake effects (the real card and server in
tests/card/test_checkup_personas.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from kiosk.flows import card_steps as cs
from kiosk.flows import checkup as c
from kiosk.flows import common
from kiosk.flows.expiry import CardStatus, ExpiryView

TODAY = date(2026, 6, 15)
CARD = cs.CardFacts(b"\x30\x82cert", date(2029, 1, 1), auth_tries=3, text_tries=3)
PAD = cs.EnteringPin("", CARD, cs.PinStep.AUTH)
VALID = ExpiryView(date(2027, 12, 1), date(2027, 11, 1), 534, CardStatus.VALID)
RENEWABLE = ExpiryView(date(2026, 6, 29), date(2026, 5, 29), 14, CardStatus.RENEWABLE)
EXPIRED = ExpiryView(date(2026, 5, 16), date(2026, 4, 16), -30, CardStatus.EXPIRED)


def view(link: c.Link, expiry: ExpiryView | None = VALID, held: str | None = None) -> c.CheckupView:
    return c.CheckupView(link, None if link is c.Link.NONE else "2000000014",
                         None if link is c.Link.NONE else expiry, held, "C-K7TQ3A")


def flow_at(state: object, today: date = TODAY) -> c.CheckupFlow:
    flow = c.CheckupFlow(today=lambda: today, new_key=lambda: "key-1")
    flow.state = state  # type: ignore[assignment]
    return flow


def type_pin(flow: c.CheckupFlow, digits: str) -> list[object]:
    for d in digits:
        flow.handle(common.Digit(d))
    return flow.handle(common.Submit())


def test_placing_the_card_starts_the_check_up_and_so_does_the_start_button() -> None:
    for event in (cs.CardInserted(), c.Start()):
        flow = flow_at(c.Intro())
        assert flow.handle(event) == [cs.ReadCard()]
        assert flow.state == cs.ReadingCard("")


def test_a_good_read_asks_for_the_auth_pin_and_the_pin_goes_only_into_the_effect() -> None:
    flow = flow_at(cs.ReadingCard(""))
    flow.handle(cs.CardRead(CARD))
    assert flow.state == PAD
    (effect,) = type_pin(flow, "1234")
    assert isinstance(effect, c.CheckUp)
    assert (effect.certificate_der, effect.last_try_confirmed, effect.idempotency_key) == (CARD.certificate_der,
                                                                                          False, "key-1")
    assert effect.auth_pin.take() == b"1234"
    assert flow.state == c.Checking(replace(PAD, digits=4))
    assert len(flow.pin) == 0, "the pad's buffer is empty once the PIN is in the effect"


def test_expired_certificate_and_blocked_pin_stop_before_any_pin() -> None:
    flow = flow_at(cs.ReadingCard(""))
    flow.handle(cs.CardRead(replace(CARD, certificate_not_after=date(2026, 6, 14))))
    assert flow.state == cs.CertificateExpired("", date(2026, 6, 14))
    flow = flow_at(cs.ReadingCard(""))
    flow.handle(cs.CardRead(replace(CARD, auth_tries=0)))
    assert flow.state == cs.PinBlocked("", cs.PinStep.AUTH)


def test_last_try_needs_the_full_screen_confirmation() -> None:
    pad = replace(PAD, card=replace(CARD, auth_tries=1))
    flow = flow_at(pad)
    assert type_pin(flow, "1357") == []
    assert isinstance(flow.state, cs.LastTryWarning)
    (effect,) = flow.handle(cs.ConfirmLastTry())
    assert isinstance(effect, c.CheckUp) and effect.last_try_confirmed


def test_wrong_pin_comes_back_to_the_pad_with_the_tries_left() -> None:
    flow = flow_at(c.Checking(PAD))
    flow.handle(cs.PinWrong(cs.PinStep.AUTH, 2))
    assert flow.state == cs.EnteringPin("", replace(CARD, auth_tries=2), cs.PinStep.AUTH, wrong=True)


@pytest.mark.parametrize(
    ("found", "steps", "ticket"),
    [
        (view(c.Link.MYKEY), (c.Step.NOTHING,), None),
        (view(c.Link.OLD), (c.Step.MIGRATE,), None),
        (view(c.Link.NONE), (c.Step.FIRST_LINKAGE,), ("mynumber", "checkup_first_linkage", "C-K7TQ3A")),
        (view(c.Link.OLD, held="QK4T7A"), (c.Step.MIGRATION_PENDING,), ("mynumber", "migration_pending", "QK4T7A")),
        (view(c.Link.MYKEY, RENEWABLE), (c.Step.RENEW_CARD,), ("registration", "checkup_renewal", "C-K7TQ3A")),
        (view(c.Link.OLD, EXPIRED), (c.Step.MIGRATE, c.Step.RENEW_CARD),
         ("registration", "checkup_renewal", "C-K7TQ3A")),
    ],
)
def test_the_report_says_what_to_do_next_and_when_staff_are_needed(found: c.CheckupView, steps: tuple,
                                                                   ticket: tuple | None) -> None:
    flow = flow_at(c.Checking(PAD))
    flow.handle(c.CheckedUp(found))
    assert flow.state == c.Report(CARD.certificate_not_after, False, found, steps)
    assert c.counter_ticket_for(flow.state) == ticket


@pytest.mark.parametrize(
    ("not_after", "today", "soon"),
    [
        (date(2026, 9, 15), date(2026, 6, 14), False),  # one day more than three months ahead
        (date(2026, 9, 15), date(2026, 6, 15), True),  # exactly three months ahead
        (date(2026, 9, 15), date(2026, 9, 15), True),  # the last valid day
        (date(2026, 5, 31), date(2026, 2, 27), False),
        (date(2026, 5, 31), date(2026, 2, 28), True),  # 31 May less three months: the end of February
    ],
)
def test_certificate_warning_three_months_ahead(not_after: date, today: date, soon: bool) -> None:
    assert c.certificate_renew_soon(not_after, today) is soon
    pad = replace(PAD, card=replace(CARD, certificate_not_after=not_after))
    flow = flow_at(c.Checking(pad), today)
    flow.handle(c.CheckedUp(view(c.Link.MYKEY)))
    assert isinstance(flow.state, c.Report)
    assert flow.state.certificate_renew_soon is soon
    assert (c.Step.RENEW_CERTIFICATE in flow.state.steps) is soon
    assert (flow.state.steps == (c.Step.NOTHING,)) is not soon
    assert c.counter_ticket_for(flow.state) is None, "the certificate is renewed at the city office, not here"


@pytest.mark.parametrize(
    ("event", "after"),
    [
        (c.CheckFailed(c.Failure.SERVER_UNREACHABLE), c.Failed(c.Failure.SERVER_UNREACHABLE, PAD)),
        (c.CheckFailed(c.Failure.SERVER_ERROR), c.Failed(c.Failure.SERVER_ERROR, PAD)),
        (c.CheckFailed(c.Failure.CERTIFICATE_INVALID), c.Failed(c.Failure.CERTIFICATE_INVALID, None)),
        (common.EffectFailed("KeyError"), c.Failed(c.Failure.SERVER_ERROR, PAD)),
        (cs.CardRemoved(), cs.WaitingForCard("", cs.CardTrouble.REMOVED)),
        (cs.PinBlockedOnCard(cs.PinStep.AUTH), cs.PinBlocked("", cs.PinStep.AUTH)),
    ],
)
def test_failures_while_checking(event: object, after: object) -> None:
    flow = flow_at(c.Checking(PAD))
    assert flow.handle(event) == []
    assert flow.state == after


def test_retry_goes_back_to_the_pin_pad_and_nothing_is_retried_by_itself() -> None:
    flow = flow_at(c.Failed(c.Failure.SERVER_UNREACHABLE, PAD))
    assert flow.handle(common.Retry()) == []
    assert flow.state == PAD
    flow = flow_at(c.Failed(c.Failure.CERTIFICATE_INVALID))
    flow.handle(common.Retry())
    assert flow.state == c.Failed(c.Failure.CERTIFICATE_INVALID)


def test_back_from_the_card_or_pad_returns_to_the_start_and_done_wipes_the_pin() -> None:
    flow = flow_at(cs.WaitingForCard(""))
    flow.handle(common.Back())
    assert flow.state == c.Intro()
    flow = flow_at(PAD)
    flow.handle(common.Digit("1"))
    flow.handle(common.Back())
    assert flow.state == c.Intro() and len(flow.pin) == 0
    flow = flow_at(PAD)
    flow.handle(common.Digit("1"))
    flow.handle(common.Done())
    assert flow.state == common.Finished() and len(flow.pin) == 0


def test_events_that_make_no_sense_are_ignored() -> None:
    report = c.Report(CARD.certificate_not_after, False, view(c.Link.MYKEY), (c.Step.NOTHING,))
    for state in (c.Intro(), c.Checking(PAD), report):
        flow = flow_at(state)
        for event in (common.Digit("1"), common.Submit(), common.Retry(), c.CheckedUp(view(c.Link.OLD))
                      if not isinstance(state, c.Checking) else common.Clear()):
            assert flow.handle(event) == []
            assert flow.state == state
