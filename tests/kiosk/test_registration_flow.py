"""The registration application's state machine on its own, and its effects against a fake server and card
(the real card, server and counter page: tests/ui/test_registration.py)."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest

from kiosk.api.errors import ApiError, RegistrationContactError, RegistrationRefusedError, ServerUnreachableError
from kiosk.api.wire import AcceptedId, AcceptedIds, ApplicationReceipt
from kiosk.effects.registration import RegistrationWork
from kiosk.flows import registration as g
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
from kiosk.flows.common import Back, Backspace, Digit, Done, EffectFailed, Finished, Retry, Submit
from kiosk.states import COUNTER, FAILED, Cue

TODAY = date(2026, 6, 15)
CARD = CardFacts(b"cert", date(2030, 1, 1), auth_tries=3, text_tries=3)
FACTS = g.Facts("松尾 さくら", "佐賀県嬉野市嬉野町大字下宿甲1500番地", date(2005, 4, 10), "2")
SIGNATURE = g.Signature("challenge-1", b"cert", b"signed")
IDS = AcceptedIds((AcceptedId("driving_licence", "運転免許証", "Driving licence"),),
                  (AcceptedId("utility_bill", "公共料金", "A utility bill"),),
                  (AcceptedId("notification_card", "通知カード", "Notification card"),))


def flow() -> g.RegistrationFlow:
    return g.RegistrationFlow(today=lambda: TODAY, new_key=lambda: "key-1")


def type_pin(f: g.RegistrationFlow, digits: str = "4444") -> list[object]:
    for digit in digits:
        f.handle(Digit(digit))
    return f.handle(Submit())


def signed(f: g.RegistrationFlow) -> g.Review:
    """Through the card steps on the shared-PIN path: the facts read and the challenge signed in one go."""
    assert f.handle(g.WithCard()) == [ReadCard()]
    assert f.state == ReadingCard(g.NO_CARD_NUMBER)
    f.handle(CardRead(CARD))
    assert f.state == SamePin(g.NO_CARD_NUMBER, CARD)
    f.handle(PinsAreSame(True))
    (effect,) = type_pin(f)
    assert isinstance(effect, g.Sign) and effect.text_pin is not None and len(f.pin) == 0
    f.handle(g.Signed(SIGNATURE, FACTS))
    assert isinstance(f.state, g.Review)
    return f.state


def type_contact(f: g.RegistrationFlow, kind: g.Contact, text: str) -> None:
    f.handle(g.EditContact(kind))
    for char in text:
        f.handle(Digit(char) if char.isdigit() else g.Key(char))
    f.handle(Submit())


def test_without_the_card_lists_the_servers_ids_and_offers_a_registration_ticket() -> None:
    f = flow()
    assert f.handle(g.WithoutCard()) == [g.LoadAcceptedIds()]
    assert f.state == g.LoadingIds() and g.STATES[g.LoadingIds].busy
    f.handle(g.IdsLoaded(IDS))
    assert f.state == g.WhatToBring(IDS)
    assert g.counter_ticket_for(f.state) == ("registration", "registration_without_card", None)
    assert g.STATES[g.WhatToBring].outcome_of(f.state) == (COUNTER, "registration_without_card")
    f.handle(Back())
    assert f.state == g.Intro()
    f.handle(g.WithoutCard())
    f.handle(EffectFailed("boom"))  # no list from the server: the general words, and the ticket all the same
    assert f.state == g.WhatToBring(None) and g.counter_ticket_for(f.state) is not None


def test_different_pins_read_the_facts_then_sign_then_the_contact_and_the_application() -> None:
    f = flow()
    f.handle(g.WithCard())
    f.handle(CardRead(CARD))
    f.handle(PinsAreSame(False))
    assert f.state == EnteringPin(g.NO_CARD_NUMBER, CARD, PinStep.TEXT)
    (effect,) = type_pin(f)
    assert isinstance(effect, g.ReadFacts) and len(f.pin) == 0
    f.handle(g.FactsRead(FACTS))
    assert f.state == EnteringPin(g.NO_CARD_NUMBER, CARD, PinStep.AUTH, birth_date=FACTS.birth_date)
    (effect,) = type_pin(f, "9999")
    assert isinstance(effect, g.Sign) and effect.text_pin is None
    f.handle(PinWrong(PinStep.AUTH, 2))  # only the 利用者証明用 PIN again; the facts are kept
    assert isinstance(f.state, EnteringPin) and f.state.wrong and f.state.step is PinStep.AUTH
    card = f.state.card
    assert card.auth_tries == 2
    type_pin(f)
    f.handle(g.Signed(SIGNATURE))
    assert f.state == g.Review(FACTS, SIGNATURE, card)

    # Sending with no contact is refused by the kiosk itself (the server would refuse it too).
    assert f.handle(g.Send()) == []
    assert f.state == g.Review(FACTS, SIGNATURE, card, problem=g.ContactProblem.REQUIRED)
    assert g.STATES[g.Review].cue_of(f.state) is Cue.ERROR

    f.handle(g.EditContact(g.Contact.PHONE))
    assert isinstance(f.state, g.EnteringContact) and g.STATES[g.EnteringContact].typed_of(f.state) == 0
    for key in "0952a-242900123":  # letters and hyphens are not on the pad; at most 11 digits
        f.handle(Digit(key) if key.isdigit() else g.Key(key))
    assert f.state.text == "09522429001"
    f.handle(Backspace())
    f.handle(Submit())
    assert f.state == g.Review(FACTS, SIGNATURE, card, phone="0952242900")
    type_contact(f, g.Contact.EMAIL, "sakura@example.jp")
    review = f.state
    assert review == g.Review(FACTS, SIGNATURE, card, phone="0952242900", email="sakura@example.jp")
    assert f.handle(g.Send()) == [g.Apply(FACTS, SIGNATURE, "0952242900", "sakura@example.jp", "key-1")]
    assert f.state == g.Sending(review, "key-1") and g.STATES[g.Sending].busy

    f.handle(g.Applied("N4K7QX"))
    assert f.state == g.Sent("N4K7QX")
    assert g.counter_ticket_for(f.state) == ("registration", "registration_application", "N4K7QX")
    assert g.STATES[g.Sent].outcome_of(f.state) == (COUNTER, "registration_application")
    assert g.STATES[g.Sent].cue_of(f.state) is Cue.OK


def test_a_refused_contact_goes_back_to_the_review_marked_and_an_empty_field_removes_it() -> None:
    f = flow()
    signed(f)
    type_contact(f, g.Contact.PHONE, "0952")
    f.handle(g.Send())
    f.handle(g.ContactRefused(g.ContactProblem.PHONE))
    assert f.state == g.Review(FACTS, SIGNATURE, CARD, phone="0952", problem=g.ContactProblem.PHONE)
    f.handle(g.EditContact(g.Contact.PHONE))
    assert f.state.text == "0952"  # what was typed, to correct
    f.handle(Back())
    assert f.state == g.Review(FACTS, SIGNATURE, CARD, phone="0952")
    f.handle(g.EditContact(g.Contact.PHONE))
    for _ in range(4):
        f.handle(Backspace())
    f.handle(Submit())
    assert f.state == g.Review(FACTS, SIGNATURE, CARD)
    type_contact(f, g.Contact.EMAIL, "A b@x.JP")  # only what the keyboard has: lower case, no space
    assert f.state.email == "b@x."


def test_an_expired_challenge_asks_only_the_auth_pin_again_and_keeps_what_was_typed() -> None:
    f = flow()
    signed(f)
    type_contact(f, g.Contact.EMAIL, "sakura@example.jp")
    f.handle(g.Send())
    f.handle(g.RegistrationFailed(g.Failure.CHALLENGE))
    assert f.state == g.Failed(g.Failure.CHALLENGE, EnteringPin(g.NO_CARD_NUMBER, CARD, PinStep.AUTH,
                                                               birth_date=FACTS.birth_date))
    f.handle(Retry())
    (effect,) = type_pin(f)
    assert isinstance(effect, g.Sign) and effect.text_pin is None
    f.handle(g.Signed(g.Signature("challenge-2", b"cert", b"signed-2")))
    assert f.state == g.Review(FACTS, g.Signature("challenge-2", b"cert", b"signed-2"), CARD,
                               email="sakura@example.jp")


def test_server_down_retries_with_the_same_key_and_the_counter_cases_offer_tickets() -> None:
    f = flow()
    signed(f)
    type_contact(f, g.Contact.PHONE, "09012345678")
    f.handle(g.Send())
    sending = f.state
    f.handle(g.RegistrationFailed(g.Failure.SERVER_UNREACHABLE))
    assert f.state == g.Failed(g.Failure.SERVER_UNREACHABLE, sending)
    assert g.counter_ticket_for(f.state) is None
    assert g.STATES[g.Failed].outcome_of(f.state) == (FAILED, "server_unreachable")
    assert f.handle(Retry()) == [g.Apply(FACTS, SIGNATURE, "09012345678", None, "key-1")]  # one application
    for failure, reason in ((g.Failure.ALREADY_PATRON, "registration_already_patron"),
                            (g.Failure.PENDING, "registration_pending"),
                            (g.Failure.CERTIFICATE_INVALID, "registration_without_card")):
        f.state = sending
        f.handle(g.RegistrationFailed(failure))
        assert f.state == g.Failed(failure)
        assert g.counter_ticket_for(f.state) == ("registration", reason, None)
        assert g.STATES[g.Failed].outcome_of(f.state) == (COUNTER, failure.value)
        assert f.handle(Retry()) == []


def test_no_signature_no_application_the_counter_registers_with_an_id() -> None:
    f = flow()
    f.handle(g.WithCard())
    f.handle(CardRead(CardFacts(b"cert", date(2026, 1, 1), 3, 3)))
    assert isinstance(f.state, CertificateExpired)
    assert g.counter_ticket_for(f.state) == ("registration", "registration_without_card", None)
    f = flow()
    f.handle(g.WithCard())
    f.handle(CardRead(CardFacts(b"cert", date(2030, 1, 1), 0, 3)))
    assert isinstance(f.state, PinBlocked) and g.STATES[PinBlocked].screen == "registration_result"


def test_back_from_the_review_drops_the_facts_and_close_forgets_everything() -> None:
    f = flow()
    signed(f)
    f.handle(Back())
    assert f.state == g.Intro()
    signed(f)
    type_contact(f, g.Contact.PHONE, "0952242900")
    f.handle(g.Send())
    f.handle(g.RegistrationFailed(g.Failure.CHALLENGE))  # the facts and the contact wait in the flow now
    assert f._facts == FACTS and f._contact == ("0952242900", "")
    f.handle(Done())
    assert f.state == Finished() and f._facts is None and f._contact == ("", "")


def test_facts_and_signature_never_show_in_a_repr() -> None:
    review = g.Review(FACTS, SIGNATURE, CARD, phone="0952242900")
    assert "松尾" not in repr(review) and "嬉野" not in repr(review) and "signed" not in repr(review)


# -- the effects, against a fake server and a fake card -------------------------------------------------------
class FakeApi:
    def __init__(self, answer: object) -> None:
        self.answer = answer
        self.sent: dict[str, Any] = {}

    def registration_accepted_ids(self) -> AcceptedIds:
        if isinstance(self.answer, Exception):
            raise self.answer
        return IDS

    def registration_apply(self, **fields: Any) -> ApplicationReceipt:
        self.sent = fields
        if isinstance(self.answer, Exception):
            raise self.answer
        return ApplicationReceipt("N4K7QX", "waiting")


class NoCard:
    @contextmanager
    def open(self) -> Any:
        raise AssertionError("no card work here")
        yield


def apply(answer: object) -> tuple[object, FakeApi]:
    api = FakeApi(answer)
    work = RegistrationWork(api, NoCard())  # type: ignore[arg-type]
    return work.apply(g.Apply(FACTS, SIGNATURE, "0952242900", None, "key-1")), api


def refused(code: str, cls: type[ApiError] = ApiError) -> ApiError:
    return cls(code, "", "", 409)


@pytest.mark.parametrize(("error", "event"), [
    (None, g.Applied("N4K7QX")),
    (refused("invalid_phone", RegistrationContactError), g.ContactRefused(g.ContactProblem.PHONE)),
    (refused("invalid_email", RegistrationContactError), g.ContactRefused(g.ContactProblem.EMAIL)),
    (refused("registration_contact_required", RegistrationContactError),
     g.ContactRefused(g.ContactProblem.REQUIRED)),
    (refused("registration_already_patron", RegistrationRefusedError),
     g.RegistrationFailed(g.Failure.ALREADY_PATRON)),
    (refused("registration_pending", RegistrationRefusedError), g.RegistrationFailed(g.Failure.PENDING)),
    (refused("challenge_expired"), g.RegistrationFailed(g.Failure.CHALLENGE)),
    (refused("certificate_revoked"), g.RegistrationFailed(g.Failure.CERTIFICATE_INVALID)),
    (refused("invalid_request"), g.RegistrationFailed(g.Failure.SERVER_ERROR)),
    (ServerUnreachableError("down"), g.RegistrationFailed(g.Failure.SERVER_UNREACHABLE)),
])
def test_each_server_answer_becomes_its_event(error: Exception | None, event: object) -> None:
    answer, api = apply(error)
    assert answer == event
    assert api.sent == {"challenge_id": "challenge-1", "certificate_der": b"cert", "signature": b"signed",
                        "name": FACTS.name, "address": FACTS.address, "birth_date": FACTS.birth_date, "sex": "2",
                        "phone": "0952242900", "email": None, "idempotency_key": "key-1"}


def test_the_accepted_ids_or_none_when_the_server_does_not_answer() -> None:
    assert RegistrationWork(FakeApi(None), NoCard()).accepted_ids(g.LoadAcceptedIds()) == g.IdsLoaded(IDS)  # type: ignore[arg-type]
    down = RegistrationWork(FakeApi(ServerUnreachableError("x")), NoCard())  # type: ignore[arg-type]
    assert down.accepted_ids(g.LoadAcceptedIds()) == g.IdsLoaded(None)
