"""The renewal request's state machine on its own (the real card and server: tests/card/test_renewal_personas.py)."""

from __future__ import annotations

from datetime import date

from kiosk.flows import renewal as r
from kiosk.flows.card_steps import CardFacts, CardRead, EnteringPin, PinStep, ReadCard, ReadingCard
from kiosk.flows.common import Back, Digit, EffectFailed, Entering, Retry, Submit

TODAY = date(2026, 6, 15)
CARD = CardFacts(b"cert", date(2020, 1, 1), auth_tries=0, text_tries=3)  # expired certificate, blocked auth PIN
FACTS = r.Facts("佐賀 花子", "佐賀県佐賀市城内一丁目1番1号", date(1990, 1, 1))


def flow() -> r.RenewalFlow:
    return r.RenewalFlow(r"^(\d{10})$", today=lambda: TODAY, new_key=lambda: "key-1")


def test_typed_number_is_checked_and_without_the_card_lists_what_to_bring() -> None:
    f = flow()
    for digit in "2000000121":
        f.handle(Digit(digit))
    assert f.handle(Submit()) == [r.CheckEligibility("2000000121")]
    f.handle(r.Eligible(r.Eligibility.EXPIRED))
    assert f.state == r.ChooseWay("2000000121", r.Eligibility.EXPIRED)
    f.handle(r.WithoutCard())
    assert f.state == r.WhatToBring("2000000121")
    assert r.counter_ticket_for(f.state) == ("registration", "renewal", None)
    f.handle(Back())
    f.handle(Back())
    assert f.state == r.CardNumber(Entering("2000000121"))  # the number is kept


def test_the_text_pin_alone_is_asked_whatever_the_certificate() -> None:
    f = flow()
    f.handle(r.Begin("2000000121"))
    f.handle(r.Eligible(r.Eligibility.RENEWABLE))
    assert f.handle(r.WithCard()) == [ReadCard()]
    assert f.state == ReadingCard("2000000121")
    f.handle(CardRead(CARD))
    assert f.state == EnteringPin("2000000121", CARD, PinStep.TEXT)
    for digit in "1234":
        f.handle(Digit(digit))
    (effect,) = f.handle(Submit())
    assert isinstance(effect, r.ReadFacts) and not effect.last_try_confirmed and len(f.pin) == 0
    assert f.handle(r.FactsRead(FACTS)) == [r.CompareFacts("2000000121", FACTS)]
    f.handle(r.Compared(r.Comparison(r.Eligibility.RENEWABLE, address_differs=True)))
    assert isinstance(f.state, r.Review)
    assert f.handle(r.Send()) == [r.SendRequest("2000000121", FACTS, "key-1")]
    f.handle(r.Requested("RACD34"))
    assert f.state == r.Sent("2000000121", "RACD34", True)


def test_failures_retry_the_step_that_failed_and_close_drops_the_facts() -> None:
    f = flow()
    f.handle(r.Begin("2000000121"))
    f.handle(r.RenewalFailed(r.Failure.SERVER_UNREACHABLE))
    assert f.handle(Retry()) == [r.CheckEligibility("2000000121")]
    f.handle(EffectFailed("KeyError"))
    assert f.state == r.Failed("2000000121", r.Failure.SERVER_ERROR, r.Checking("2000000121"))
    f.state = r.Comparing("2000000121", FACTS)
    f.handle(r.RenewalFailed(r.Failure.UNMATCHED))
    assert f.state == r.Failed("2000000121", r.Failure.UNMATCHED) and f.handle(Retry()) == []
    f.state = r.Comparing("2000000121", FACTS)
    f.handle(r.RenewalFailed(r.Failure.NOT_YET, date(2027, 1, 1)))
    assert f.state == r.NotYet("2000000121", date(2027, 1, 1))
    f.state = r.Review("2000000121", FACTS, r.Comparison(r.Eligibility.EXPIRED, False))
    f.handle(Back())
    assert f.state == r.ChooseWay("2000000121", r.Eligibility.RENEWABLE)  # the facts are dropped
    f.state = r.Review("2000000121", FACTS, r.Comparison(r.Eligibility.EXPIRED, False))
    f.close()
    assert isinstance(f.state, r.Finished)


def test_facts_never_show_in_a_repr() -> None:
    assert "花子" not in repr(FACTS) and "花子" not in repr(r.Review("2000000121", FACTS, None))  # type: ignore[arg-type]


def test_outcomes_sound_and_speak_their_own_prompts_never_the_reference() -> None:
    from kiosk.a11y.cues import Cue, kind, prompt_key, spoken_text

    sent, not_yet = r.Sent("2000000121", "RACD34", True), r.NotYet("2000000121", date(2027, 1, 1))
    failed = r.Failed("2000000121", r.Failure.UNMATCHED)
    assert (kind(sent), kind(not_yet), kind(failed)) == (Cue.OK, Cue.WARNING, Cue.ERROR)
    assert prompt_key("renewal_result", sent, Cue.OK) == "voice.renewal_result.ok"
    assert prompt_key("renewal_result", not_yet, Cue.WARNING) == "voice.renewal_result.warning"
    assert prompt_key("renewal_review", None, Cue.NEXT) == "voice.renewal_review"
    for language in ("ja", "en", "ja-easy", "zh", "ko"):
        assert "RACD34" not in spoken_text("voice.renewal_result.ok", language)
