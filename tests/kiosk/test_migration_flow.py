"""The migration state machine: every event in every state, the never-lock rules, and the PIN's short life."""

from __future__ import annotations

import itertools
from datetime import date

import pytest

from kiosk.cardnumber import Problem
from kiosk.flows import card_steps as cs
from kiosk.flows import common
from kiosk.flows import migration as m

PATTERN = r"^[A-Da-d]?(\d{10})[A-Da-d]?$"
TODAY = date(2026, 6, 15)
CARD = cs.CardFacts(b"\x30\x82cert", date(2029, 1, 1), auth_tries=3, text_tries=3)
EXPIRED_CARD = cs.CardFacts(b"\x30\x82cert", date(2026, 6, 14), auth_tries=3, text_tries=3)
NUMBER = "2000000014"
BIRTH = date(1980, 4, 1)


def flow(state: m.State) -> m.MigrationFlow:
    f = m.MigrationFlow(PATTERN, today=lambda: TODAY, new_key=lambda: "key-1")
    f.state = state
    return f


def typed(f: m.MigrationFlow, digits: str) -> m.MigrationFlow:
    for d in digits:
        f.pin.add(d)
    return f


PAD_AUTH = cs.EnteringPin(NUMBER, CARD, cs.PinStep.AUTH, birth_date=BIRTH)
PAD_TEXT = cs.EnteringPin(NUMBER, CARD, cs.PinStep.TEXT)
PAD_SHARED = cs.EnteringPin(NUMBER, CARD, cs.PinStep.SHARED)
STATES: dict[str, m.State] = {
    "intro": m.Intro(),
    "consent": m.Consent(),
    "card-number": m.CardNumber(common.Entering("20000")),
    "waiting": cs.WaitingForCard(NUMBER),
    "reading": cs.ReadingCard(NUMBER),
    "cert-expired": cs.CertificateExpired(NUMBER, date(2026, 6, 14)),
    "blocked": cs.PinBlocked(NUMBER, cs.PinStep.AUTH),
    "same-pin": cs.SamePin(NUMBER, CARD),
    "pad-text": PAD_TEXT,
    "pad-auth": PAD_AUTH,
    "last-try": cs.LastTryWarning(
        cs.EnteringPin(NUMBER, cs.CardFacts(b"c", date(2029, 1, 1), 1, 3), cs.PinStep.AUTH, 4)),
    "reading-birth": m.ReadingBirthDate(NUMBER, CARD),
    "migrating": m.Migrating(NUMBER, CARD, cs.PinStep.AUTH, BIRTH),
    "completed": m.Completed(NUMBER, TODAY),
    "pending": m.Pending(NUMBER, "K7Q2"),
    "refused": m.Refused(NUMBER, m.Refusal.SERVER_UNREACHABLE, PAD_AUTH),
    "finished": common.Finished(),
}
EVENTS: dict[str, object] = {
    "next": m.Next(),
    "agree": m.Agree(),
    "back": common.Back(),
    "digit": common.Digit("5"),
    "submit": common.Submit(),
    "scan": common.Scanned("A2000000014B"),
    "inserted": cs.CardInserted(),
    "removed": cs.CardRemoved(),
    "read": cs.CardRead(CARD),
    "read-expired": cs.CardRead(EXPIRED_CARD),
    "no-card": cs.CardFailed(cs.CardTrouble.NO_CARD),
    "not-my-number": cs.CardFailed(cs.CardTrouble.NOT_MY_NUMBER),
    "unexpected": cs.CardFailed(cs.CardTrouble.UNEXPECTED_ANSWER),
    "same-yes": cs.PinsAreSame(True),
    "same-no": cs.PinsAreSame(False),
    "confirm": cs.ConfirmLastTry(),
    "wrong-auth": cs.PinWrong(cs.PinStep.AUTH, 2),
    "blocked-auth": cs.PinBlockedOnCard(cs.PinStep.AUTH),
    "birth": m.BirthDateRead(BIRTH),
    "migrated": m.Migrated(TODAY),
    "refused-no-link": m.MigrationRefused(m.Refusal.NO_OLD_LINK),
    "refused-down": m.MigrationRefused(m.Refusal.SERVER_UNREACHABLE),
    "retry": common.Retry(),
    "done": common.Done(),
}

# Expected (state, effect types) for every pair that does something; all others change nothing.
EXPECTED: dict[tuple[str, str], tuple[m.State, list[type]]] = {
    ("intro", "next"): (m.Consent(), []),
    ("consent", "agree"): (m.CardNumber(), []),
    ("consent", "back"): (m.Intro(), []),
    ("card-number", "back"): (m.Consent(), []),
    ("card-number", "digit"): (m.CardNumber(common.Entering("200005")), []),
    ("card-number", "submit"): (m.CardNumber(common.Entering("20000", Problem.WRONG_LENGTH)), []),
    ("card-number", "scan"): (cs.ReadingCard(NUMBER), [cs.ReadCard]),
    ("waiting", "inserted"): (cs.ReadingCard(NUMBER), [cs.ReadCard]),
    ("waiting", "back"): (m.CardNumber(common.Entering(NUMBER)), []),
    ("reading", "read"): (cs.SamePin(NUMBER, CARD), []),
    ("reading", "read-expired"): (cs.CertificateExpired(NUMBER, date(2026, 6, 14)), []),
    ("reading", "no-card"): (cs.WaitingForCard(NUMBER), []),
    ("reading", "not-my-number"): (cs.WaitingForCard(NUMBER, cs.CardTrouble.NOT_MY_NUMBER), []),
    ("reading", "unexpected"): (cs.WaitingForCard(NUMBER, cs.CardTrouble.UNEXPECTED_ANSWER), []),
    ("same-pin", "same-yes"): (PAD_SHARED, []),
    ("same-pin", "same-no"): (PAD_TEXT, []),
    ("same-pin", "removed"): (cs.WaitingForCard(NUMBER, cs.CardTrouble.REMOVED), []),
    ("same-pin", "back"): (cs.WaitingForCard(NUMBER), []),
    ("pad-text", "digit"): (cs.EnteringPin(NUMBER, CARD, cs.PinStep.TEXT, digits=1), []),
    ("pad-text", "submit"): (cs.EnteringPin(NUMBER, CARD, cs.PinStep.TEXT, too_short=True), []),
    ("pad-text", "removed"): (cs.WaitingForCard(NUMBER, cs.CardTrouble.REMOVED), []),
    ("pad-text", "back"): (cs.SamePin(NUMBER, CARD), []),
    ("pad-auth", "digit"): (cs.EnteringPin(NUMBER, CARD, cs.PinStep.AUTH, digits=1, birth_date=BIRTH), []),
    ("pad-auth", "submit"): (cs.EnteringPin(NUMBER, CARD, cs.PinStep.AUTH, too_short=True, birth_date=BIRTH), []),
    ("pad-auth", "removed"): (cs.WaitingForCard(NUMBER, cs.CardTrouble.REMOVED), []),
    ("pad-auth", "back"): (cs.SamePin(NUMBER, CARD), []),
    ("last-try", "confirm"): (m.Migrating(NUMBER, cs.CardFacts(b"c", date(2029, 1, 1), 1, 3), cs.PinStep.AUTH),
                              [m.SignAndSubmit]),
    ("last-try", "back"): (cs.EnteringPin(NUMBER, cs.CardFacts(b"c", date(2029, 1, 1), 1, 3), cs.PinStep.AUTH), []),
    ("last-try", "removed"): (cs.WaitingForCard(NUMBER, cs.CardTrouble.REMOVED), []),
    ("reading-birth", "birth"): (PAD_AUTH, []),
    ("reading-birth", "removed"): (cs.WaitingForCard(NUMBER, cs.CardTrouble.REMOVED), []),
    ("reading-birth", "not-my-number"): (cs.WaitingForCard(NUMBER, cs.CardTrouble.NOT_MY_NUMBER), []),
    ("reading-birth", "unexpected"): (cs.WaitingForCard(NUMBER, cs.CardTrouble.UNEXPECTED_ANSWER), []),
    ("reading-birth", "no-card"): (cs.WaitingForCard(NUMBER, cs.CardTrouble.REMOVED), []),
    ("reading-birth", "wrong-auth"): (
        cs.EnteringPin(NUMBER, cs.CardFacts(CARD.certificate_der, CARD.certificate_not_after, 2, 3), cs.PinStep.TEXT,
                      wrong=True), []),
    ("reading-birth", "blocked-auth"): (cs.PinBlocked(NUMBER, cs.PinStep.AUTH), []),
    ("migrating", "migrated"): (m.Completed(NUMBER, TODAY), []),
    ("migrating", "refused-no-link"): (m.Refused(NUMBER, m.Refusal.NO_OLD_LINK), []),
    ("migrating", "refused-down"): (m.Refused(NUMBER, m.Refusal.SERVER_UNREACHABLE, PAD_AUTH), []),
    ("migrating", "wrong-auth"): (
        cs.EnteringPin(NUMBER, cs.CardFacts(CARD.certificate_der, CARD.certificate_not_after, 2, 3), cs.PinStep.AUTH,
                      wrong=True, birth_date=BIRTH), []),
    ("migrating", "blocked-auth"): (cs.PinBlocked(NUMBER, cs.PinStep.AUTH), []),
    ("migrating", "removed"): (cs.WaitingForCard(NUMBER, cs.CardTrouble.REMOVED), []),
    ("migrating", "not-my-number"): (cs.WaitingForCard(NUMBER, cs.CardTrouble.NOT_MY_NUMBER), []),
    ("migrating", "unexpected"): (cs.WaitingForCard(NUMBER, cs.CardTrouble.UNEXPECTED_ANSWER), []),
    ("migrating", "no-card"): (cs.WaitingForCard(NUMBER, cs.CardTrouble.REMOVED), []),
    ("refused", "retry"): (PAD_AUTH, []),
}
for _state in STATES:
    EXPECTED[(_state, "done")] = (common.Finished(), [])


@pytest.mark.parametrize(("state_name", "event_name"), list(itertools.product(STATES, EVENTS)))
def test_every_event_in_every_state(state_name: str, event_name: str) -> None:
    f = flow(STATES[state_name])
    if state_name == "last-try":
        typed(f, "1234")
    effects = f.handle(EVENTS[event_name])
    want_state, want_effects = EXPECTED.get((state_name, event_name), (STATES[state_name], []))
    assert f.state == want_state
    assert [type(e) for e in effects] == want_effects


def test_last_try_needs_an_explicit_confirmation() -> None:
    card = cs.CardFacts(b"c", date(2029, 1, 1), auth_tries=1, text_tries=3)
    f = typed(flow(cs.EnteringPin(NUMBER, card, cs.PinStep.AUTH, birth_date=BIRTH)), "1234")
    assert f.handle(common.Submit()) == []
    assert isinstance(f.state, cs.LastTryWarning)
    (effect,) = f.handle(cs.ConfirmLastTry())
    assert isinstance(effect, m.SignAndSubmit) and effect.last_try_confirmed is True


def test_a_normal_try_is_not_marked_confirmed_and_the_pad_is_zeroed() -> None:
    f = typed(flow(PAD_AUTH), "1234")
    (effect,) = f.handle(common.Submit())
    assert effect.last_try_confirmed is False
    assert bytes(effect.auth_pin.take()) == b"1234"
    assert len(f.pin) == 0 and not any(f.pin._buf)
    assert "1234" not in repr(effect) and "1234" not in repr(f.state)


def test_shared_pin_needs_two_text_tries_to_spare() -> None:
    for text_tries, step in ((3, cs.PinStep.SHARED), (2, cs.PinStep.SHARED), (1, cs.PinStep.TEXT)):
        card = cs.CardFacts(b"c", date(2029, 1, 1), auth_tries=3, text_tries=text_tries)
        f = flow(cs.SamePin(NUMBER, card))
        f.handle(cs.PinsAreSame(True))
        assert f.state.step is step


def test_blocked_text_pin_stops_before_any_pin_is_asked() -> None:
    f = flow(cs.SamePin(NUMBER, cs.CardFacts(b"c", date(2029, 1, 1), auth_tries=3, text_tries=0)))
    f.handle(cs.PinsAreSame(False))
    assert f.state == cs.PinBlocked(NUMBER, cs.PinStep.TEXT)


def test_blocked_auth_pin_found_by_the_no_pin_read_stops_at_once() -> None:
    f = flow(cs.ReadingCard(NUMBER))
    f.handle(cs.CardRead(cs.CardFacts(b"c", date(2029, 1, 1), auth_tries=0, text_tries=3)))
    assert f.state == cs.PinBlocked(NUMBER, cs.PinStep.AUTH)


def test_shared_pin_sends_two_one_use_copies() -> None:
    f = typed(flow(PAD_SHARED), "2468")
    (effect,) = f.handle(common.Submit())
    assert effect.text_pin is not None and effect.text_pin is not effect.auth_pin
    assert bytes(effect.text_pin.take()) == b"2468" == bytes(effect.auth_pin.take())


def test_shared_path_with_right_text_pin_but_wrong_auth_pin_keeps_the_birth_date() -> None:
    f = flow(m.Migrating(NUMBER, CARD, cs.PinStep.SHARED))
    f.handle(cs.PinWrong(cs.PinStep.AUTH, 2, birth_date=BIRTH))
    assert f.state == cs.EnteringPin(NUMBER, cs.CardFacts(CARD.certificate_der, CARD.certificate_not_after, 2, 3),
                                    cs.PinStep.AUTH, wrong=True, birth_date=BIRTH)


def test_shared_path_falls_back_to_separate_pins_when_text_tries_run_low() -> None:
    f = flow(m.Migrating(NUMBER, CARD, cs.PinStep.SHARED))
    f.handle(cs.PinWrong(cs.PinStep.TEXT, 1))
    assert f.state.step is cs.PinStep.TEXT and f.state.wrong


def test_pending_outcome_carries_the_reference() -> None:
    f = flow(m.Migrating(NUMBER, CARD, cs.PinStep.AUTH, BIRTH))
    f.handle(m.Migrated(TODAY, reference="K7Q2"))
    assert f.state == m.Pending(NUMBER, "K7Q2")


def test_done_zeroes_typed_digits() -> None:
    f = typed(flow(PAD_TEXT), "12")
    f.handle(common.Done())
    assert not any(f.pin._buf) and len(f.pin) == 0


def test_outcomes_that_need_the_counter_offer_a_ticket_with_a_reason() -> None:
    assert m.counter_ticket_for(m.Pending(NUMBER, "K7Q2")) == ("mynumber", "migration_pending", "K7Q2")
    assert m.counter_ticket_for(m.Refused(NUMBER, m.Refusal.NO_OLD_LINK)) == ("mynumber", "no_old_link", None)
    assert m.counter_ticket_for(m.Refused(NUMBER, m.Refusal.UNKNOWN_PATRON))[0] == "registration"
    for state in (m.Completed(NUMBER, TODAY), m.Refused(NUMBER, m.Refusal.CERTIFICATE_REVOKED),
                  m.Refused(NUMBER, m.Refusal.SERVER_UNREACHABLE, PAD_AUTH)):
        assert m.counter_ticket_for(state) is None


def test_the_check_up_starts_the_switch_with_the_card_number_it_found() -> None:
    """Begin: the notice is still read and agreed to; the number is not typed again."""
    flow = m.MigrationFlow(r"^(\d{10})$", today=lambda: date(2026, 6, 15))
    assert flow.handle(m.Begin("2000000014")) == []
    assert flow.state == m.Consent("2000000014")
    assert flow.handle(m.Agree()) == [cs.ReadCard()]
    assert flow.state == cs.ReadingCard("2000000014")
    flow.handle(cs.CardFailed(cs.CardTrouble.NO_CARD))
    flow.handle(common.Back())
    assert flow.state == m.CardNumber(common.Entering("2000000014")), "Back from the card shows the number on the pad"
    flow.handle(common.Back())
    assert flow.state == m.Consent(), "back at the notice the number is the pad's again"
