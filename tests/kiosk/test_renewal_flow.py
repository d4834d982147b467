"""The renewal request's state machine on its own (the real card and server: tests/card/test_renewal_personas.py)."""

from __future__ import annotations

from datetime import date

from kiosk.flows import renewal as r
from kiosk.flows.card_steps import (
    CardFacts,
    CardRead,
    CertificateExpired,
    EnteringPin,
    PinBlocked,
    PinsAreSame,
    PinStep,
    PinWrong,
    ReadCard,
    ReadingCard,
    SamePin,
)
from kiosk.flows.common import Back, Digit, EffectFailed, Entering, Retry, Submit

TODAY = date(2026, 6, 15)
CARD = CardFacts(b"cert", date(2030, 1, 1), auth_tries=3, text_tries=3)
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


def ready(f: r.RenewalFlow, card: CardFacts = CARD) -> object:
    f.handle(r.Begin("2000000121"))
    f.handle(r.Eligible(r.Eligibility.RENEWABLE))
    assert f.handle(r.WithCard()) == [ReadCard()]
    assert f.state == ReadingCard("2000000121")
    f.handle(CardRead(card))
    return f.state


def type_pin(f: r.RenewalFlow, digits: str = "1234") -> list[object]:
    for digit in digits:
        f.handle(Digit(digit))
    return f.handle(Submit())


def test_different_pins_read_the_facts_then_the_card_signs_for_the_proof() -> None:
    f = flow()
    assert ready(f) == SamePin("2000000121", CARD)
    f.handle(PinsAreSame(False))
    assert f.state == EnteringPin("2000000121", CARD, PinStep.TEXT)
    (effect,) = type_pin(f)
    assert isinstance(effect, r.ReadFacts) and not effect.last_try_confirmed and len(f.pin) == 0
    assert f.handle(r.FactsRead(FACTS)) == []
    assert f.state == EnteringPin("2000000121", CARD, PinStep.AUTH, birth_date=FACTS.birth_date)
    # A wrong 利用者証明用 PIN asks only that one again; the facts are kept.
    (effect,) = type_pin(f, "9999")
    assert isinstance(effect, r.Prove) and effect.text_pin is None and effect.card_number == "2000000121"
    f.handle(PinWrong(PinStep.AUTH, 2))
    assert f.state == EnteringPin("2000000121", CARD.__class__(b"cert", date(2030, 1, 1), 2, 3), PinStep.AUTH,
                                  wrong=True, birth_date=FACTS.birth_date)
    (effect,) = type_pin(f)
    assert isinstance(effect, r.Prove)
    assert f.handle(r.Proven("token-1")) == [r.CompareFacts("2000000121", FACTS, "token-1")]
    f.handle(r.Compared(r.Comparison(r.Eligibility.RENEWABLE, address_differs=True)))
    assert isinstance(f.state, r.Review) and f.state.proof == "token-1"
    assert f.handle(r.Send()) == [r.SendRequest("2000000121", FACTS, "key-1", "token-1")]
    f.handle(r.Requested("RACD34"))
    assert f.state == r.Sent("2000000121", "RACD34", True)


def test_the_same_pin_reads_and_signs_in_one_step() -> None:
    f = flow()
    ready(f)
    f.handle(PinsAreSame(True))
    assert f.state == EnteringPin("2000000121", CARD, PinStep.SHARED)
    (effect,) = type_pin(f)
    assert isinstance(effect, r.Prove) and effect.text_pin is not None and effect.auth_pin is not None
    # The 入力補助 PIN was right, the 利用者証明用 PIN not: only the latter is asked again, the facts kept.
    f.handle(r.AuthPinWrongAfterFacts(PinWrong(PinStep.AUTH, 2, FACTS.birth_date), FACTS))
    assert isinstance(f.state, EnteringPin) and f.state.step is PinStep.AUTH and f.state.wrong
    (effect,) = type_pin(f)
    assert isinstance(effect, r.Prove) and effect.text_pin is None
    assert f.handle(r.Proven("token-2")) == [r.CompareFacts("2000000121", FACTS, "token-2")]


def test_no_signature_no_request_here_the_counter_renews() -> None:
    f = flow()
    blocked = ready(f, CardFacts(b"cert", date(2030, 1, 1), auth_tries=0, text_tries=3))
    assert blocked == PinBlocked("2000000121", PinStep.AUTH)
    assert r.counter_ticket_for(blocked) == ("registration", "renewal", None)
    f = flow()
    expired = ready(f, CardFacts(b"cert", date(2020, 1, 1), auth_tries=3, text_tries=3))
    assert expired == CertificateExpired("2000000121", date(2020, 1, 1))
    assert r.counter_ticket_for(expired) == ("registration", "renewal", None)
    f = flow()
    ready(f)
    f.handle(PinsAreSame(True))
    type_pin(f)
    f.handle(r.RenewalFailed(r.Failure.CERTIFICATE_INVALID))  # revoked: the server gave no proof
    assert f.state == r.Failed("2000000121", r.Failure.CERTIFICATE_INVALID)
    assert r.counter_ticket_for(f.state) == ("registration", "renewal", None)
    for failure in (r.Failure.PENDING, r.Failure.LIMIT):
        assert r.counter_ticket_for(r.Failed("2000000121", failure)) == ("registration", "renewal", None)


def test_server_down_while_proving_asks_the_pin_again_for_a_new_challenge() -> None:
    f = flow()
    ready(f)
    f.handle(PinsAreSame(True))
    type_pin(f)
    f.handle(r.RenewalFailed(r.Failure.SERVER_UNREACHABLE))
    pad = EnteringPin("2000000121", CARD, PinStep.SHARED)
    assert f.state == r.Failed("2000000121", r.Failure.SERVER_UNREACHABLE, pad)
    assert f.handle(Retry()) == [] and f.state == pad


def test_failures_retry_the_step_that_failed_and_close_drops_the_facts() -> None:
    f = flow()
    f.handle(r.Begin("2000000121"))
    f.handle(r.RenewalFailed(r.Failure.SERVER_UNREACHABLE))
    assert f.handle(Retry()) == [r.CheckEligibility("2000000121")]
    f.handle(EffectFailed("KeyError"))
    assert f.state == r.Failed("2000000121", r.Failure.SERVER_ERROR, r.Checking("2000000121"))
    f.state = r.Comparing("2000000121", FACTS, "token")
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


def test_facts_and_proof_never_show_in_a_repr() -> None:
    review = r.Review("2000000121", FACTS, None, "secret-token")  # type: ignore[arg-type]
    assert "花子" not in repr(FACTS) and "花子" not in repr(review) and "secret-token" not in repr(review)
    assert "secret-token" not in repr(r.Proven("secret-token")) + repr(r.CompareFacts("1", FACTS, "secret-token"))


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
