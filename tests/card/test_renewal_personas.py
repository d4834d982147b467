"""The renewal request for every persona, through the real card (virtual card, vpcd, this run's private pcscd),
the kiosk's real effects and the real server: each ends in a request at the counter or a clear state, never a
lock (no VERIFY but the ones the patron asked for, the last try only after the warning). The server compares
only after the card signed its challenge (利用者証明用 PIN): a card that cannot sign goes to the counter."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import requests

from kiosk.config import load
from kiosk.effects import Performer
from kiosk.flows import renewal as r
from kiosk.flows.card_steps import (
    CardTrouble,
    CertificateExpired,
    ConfirmLastTry,
    EnteringPin,
    LastTryWarning,
    PinBlocked,
    PinsAreSame,
    PinStep,
    SamePin,
    WaitingForCard,
)
from kiosk.flows.common import Digit, Submit
from tests.server.test_api_migrations import sign, staff_session
from tests.support.renewal_data import OLD_ADDRESS, prepare_renewal_database
from tests.support.server_proc import ServerProcess, start_server
from virtualcard.card import AID_JPKI, AID_TEXT

TODAY = date(2026, 6, 15)
EXPIRED_DEMO_CARD = "2000000121"  # no persona carries it
VALID_DEMO_CARD = "2000000105"
PATTERN = r"^(\d{10})$"
TEXT_PIN_EF = (AID_TEXT, 0x0011)
AUTH_PIN_EF = (AID_JPKI, 0x0018)


@pytest.fixture(scope="module")
def renewal_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """The real server where every persona's card is renewable or expired (tests/support/renewal_data.py)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('renewal') / 'server.db'}"
    prepare_renewal_database(url, TODAY)
    server = start_server(database_url=url, settings={"SERVER_TODAY": TODAY.isoformat()})
    yield server
    server.stop()


@pytest.fixture
def performer(renewal_server: ServerProcess, tmp_path: Path) -> Performer:
    return Performer(load(environ={
        "KIOSK_SERVER_URL": renewal_server.base_url, "KIOSK_SERVER_KIOSK_ID": renewal_server.kiosk_id,
        "KIOSK_SERVER_SECRET": renewal_server.kiosk_secret, "KIOSK_PRINTER_DIRECTORY": str(tmp_path / "printed"),
        "KIOSK_OUTBOX_PATH": str(tmp_path / "outbox.sqlite3"),
    }))


def run(performer: Performer, flow: r.RenewalFlow, event: object) -> object:
    """Send an event and perform every effect it leads to, as the runner would; the state at rest."""
    effects = flow.handle(event)
    while effects:
        answers = [performer.perform(effect) for effect in effects]
        effects = [e for answer in answers for e in flow.handle(answer)]
    return flow.state


def type_pin(performer: Performer, flow: r.RenewalFlow, digits: str) -> object:
    for digit in digits:
        flow.handle(Digit(digit))
    return run(performer, flow, Submit())


def start(performer: Performer, card_number: str) -> r.RenewalFlow:
    flow = r.RenewalFlow(PATTERN, today=lambda: TODAY)
    assert isinstance(run(performer, flow, r.Begin(card_number)), r.ChooseWay)
    return flow


def text_tries(card) -> int:  # type: ignore[no-untyped-def]
    return card.files[TEXT_PIN_EF].tries


def verifies(card) -> int:  # type: ignore[no-untyped-def]
    return sum(1 for apdu in card.history if apdu[1] == 0x20 and len(apdu) == 5)  # a VERIFY with a PIN


def pins(performer: Performer, flow: r.RenewalFlow, persona, *, wrong: str | None = None) -> object:  # type: ignore[no-untyped-def]
    """From "is the 入力補助 PIN the same?" to the state after the last PIN, as the patron types them."""
    same = persona.auth_pin == persona.text_pin
    pad = run(performer, flow, PinsAreSame(same))
    assert isinstance(pad, EnteringPin) and pad.step is (PinStep.SHARED if same else PinStep.TEXT)
    if wrong:
        refused = type_pin(performer, flow, wrong)
        assert isinstance(refused, EnteringPin) and refused.wrong
    state = type_pin(performer, flow, persona.text_pin)
    if isinstance(state, LastTryWarning):
        state = run(performer, flow, ConfirmLastTry())
    if not same:  # then the 利用者証明用 PIN, for the signature
        assert isinstance(state, EnteringPin) and state.step is PinStep.AUTH, state
        state = type_pin(performer, flow, persona.auth_pin)
    return state


# persona → (PIN typed first when it is a wrong one, or None; address differs from the record)
SENT = {
    "normal": (None, False), "wrong_then_right": ("0000", False), "one_try_left": (None, False),
    "different_pins": (None, True), "no_old_link": (None, False),
}


@pytest.mark.parametrize("key", sorted(SENT))
def test_persona_sends_a_renewal_request(key: str, performer: Performer, renewal_server: ServerProcess,
                                         insert_card, test_pki) -> None:  # type: ignore[no-untyped-def]
    persona = test_pki.personas[key]
    card = insert_card(key)
    wrong, moved = SENT[key]
    flow = start(performer, persona.library_card)
    asked = run(performer, flow, r.WithCard())
    assert isinstance(asked, SamePin) and asked.card.text_tries == persona.text_tries
    assert asked.card.auth_tries == persona.auth_tries
    review = pins(performer, flow, persona, wrong=wrong)
    assert isinstance(review, r.Review), review
    assert (review.facts.name, review.facts.address, review.facts.birth_date) == (
        persona.name, persona.address, persona.birth_date)
    assert review.comparison.address_differs is moved and review.proof
    sent = run(performer, flow, r.Send())
    assert isinstance(sent, r.Sent) and sent.reference.startswith("R") and sent.address_differs is moved
    assert r.counter_ticket_for(sent) == ("registration", "renewal_request", sent.reference)
    # One VERIFY per PIN typed (the shared PIN: one for each application); the right ones restored the tries.
    assert verifies(card) == 2 + (1 if wrong else 0)
    auth = card.files[AUTH_PIN_EF]
    assert text_tries(card) == persona.text_tries and auth.tries == auth.max_tries
    listed = staff_session(renewal_server).get(renewal_server.base_url + "/v1/staff/renewals", timeout=10).json()
    row = next(row for row in listed if row["card_number"] == persona.library_card)
    assert row["reference_code"] == sent.reference
    assert row["new_address"] == (persona.address if moved else None)
    assert row["address_on_record"] == (OLD_ADDRESS if moved else persona.address)
    flow.close()
    assert isinstance(flow.state, r.Finished)  # the facts are gone with the session


def test_a_second_request_for_a_waiting_patron_is_refused(performer: Performer, renewal_server: ServerProcess,
                                                          insert_card, test_pki) -> None:  # type: ignore[no-untyped-def]
    """The renewed persona is the normal persona's patron: its request is waiting already (sent above)."""
    persona = test_pki.personas["renewed"]
    card_number = persona.library_card

    def waiting_rows() -> list[dict]:
        listed = staff_session(renewal_server).get(renewal_server.base_url + "/v1/staff/renewals", timeout=10)
        return [row for row in listed.json() if row["card_number"] == card_number]

    if not waiting_rows():  # run on its own: the normal persona's request, as its kiosk sends it
        api, normal = performer.api, test_pki.personas["normal"]
        challenge = api.migration_challenge()
        proof = api.renewal_proof(card_number=card_number, challenge_id=challenge.challenge_id,
                                  certificate_der=normal.cert_der, signature=sign(normal.private_key,
                                                                                  challenge.challenge))
        api.renewal_compare(card_number, normal.name, normal.address, normal.birth_date, proof=proof)
        api.renewal_request(card_number, normal.name, normal.address, normal.birth_date, proof=proof,
                            idempotency_key="renewed-test")
    waiting = waiting_rows()
    insert_card("renewed")
    flow = start(performer, persona.library_card)
    run(performer, flow, r.WithCard())
    refused = pins(performer, flow, persona)
    assert refused == r.Failed(persona.library_card, r.Failure.PENDING)
    assert r.counter_ticket_for(refused) == ("registration", "renewal", None)
    assert len(waiting) == 1 and waiting_rows() == waiting  # not overwritten


def test_a_card_that_cannot_sign_goes_to_the_counter_with_the_renewal_ticket(performer: Performer, insert_card,
                                                                            test_pki) -> None:  # type: ignore[no-untyped-def]
    blocked = insert_card("blocked")
    flow = start(performer, test_pki.personas["blocked"].library_card)
    state = run(performer, flow, r.WithCard())
    assert state == PinBlocked(test_pki.personas["blocked"].library_card, PinStep.AUTH) and verifies(blocked) == 0
    assert r.counter_ticket_for(state) == ("registration", "renewal", None)
    expired, persona = insert_card("expired_cert"), test_pki.personas["expired_cert"]
    flow = r.RenewalFlow(PATTERN, today=date.today)  # the kiosk's real today: the certificate has expired
    run(performer, flow, r.Begin(persona.library_card))
    state = run(performer, flow, r.WithCard())
    assert isinstance(state, CertificateExpired) and verifies(expired) == 0  # no PIN asked
    assert r.counter_ticket_for(state) == ("registration", "renewal", None)
    # A kiosk whose clock let it pass: the server refuses the certificate, and gives no proof.
    flow = start(performer, persona.library_card)
    run(performer, flow, r.WithCard())
    state = pins(performer, flow, persona)
    assert state == r.Failed(persona.library_card, r.Failure.CERTIFICATE_INVALID)
    assert r.counter_ticket_for(state) == ("registration", "renewal", None)
    revoked = test_pki.personas["revoked_cert"]
    insert_card("revoked_cert")
    flow = start(performer, revoked.library_card)
    run(performer, flow, r.WithCard())
    state = pins(performer, flow, revoked)
    assert state == r.Failed(revoked.library_card, r.Failure.CERTIFICATE_INVALID)  # the server gave no proof
    assert r.counter_ticket_for(state) == ("registration", "renewal", None)


def test_pulled_out_card_waits_for_the_card_again(performer: Performer, insert_card) -> None:  # type: ignore[no-untyped-def]
    insert_card("pulled_out", physical=True)
    flow = start(performer, "2000000089")
    assert run(performer, flow, r.WithCard()) == WaitingForCard("2000000089", CardTrouble.REMOVED)


def test_not_a_my_number_card_is_named(performer: Performer, insert_card) -> None:  # type: ignore[no-untyped-def]
    insert_card("not_mynumber", physical=True)
    flow = start(performer, EXPIRED_DEMO_CARD)
    assert run(performer, flow, r.WithCard()) == WaitingForCard(EXPIRED_DEMO_CARD, CardTrouble.NOT_MY_NUMBER)


def withdraw(server: ServerProcess, card_number: str) -> None:
    """The counter cancels a request still waiting for this card (one sent by an earlier test)."""
    staff = staff_session(server)
    for row in staff.get(server.base_url + "/v1/staff/renewals", timeout=10).json():
        if row["card_number"] == card_number:
            done = staff.post(f"{server.base_url}/v1/staff/renewals/{row['reference_code']}/cancel", timeout=10)
            assert done.status_code == 200, done.text


def test_last_try_waits_for_the_warning_and_a_blocked_pin_is_never_tried(performer: Performer, renewal_server,
                                                                          insert_card, test_pki) -> None:  # type: ignore[no-untyped-def]
    persona = test_pki.personas["normal"]
    withdraw(renewal_server, persona.library_card)
    card = insert_card("normal")
    card.files[TEXT_PIN_EF].tries = 1
    flow = start(performer, persona.library_card)
    run(performer, flow, r.WithCard())
    # One try left: the same PIN is not reused for it; the 入力補助 PIN alone first.
    assert run(performer, flow, PinsAreSame(True)).step is PinStep.TEXT  # type: ignore[attr-defined]
    warned = type_pin(performer, flow, persona.text_pin)
    assert isinstance(warned, LastTryWarning) and verifies(card) == 0  # nothing sent before the confirmation
    auth = run(performer, flow, ConfirmLastTry())
    assert isinstance(auth, EnteringPin) and auth.step is PinStep.AUTH and verifies(card) == 1
    assert isinstance(type_pin(performer, flow, persona.auth_pin), r.Review) and verifies(card) == 2
    blocked = insert_card("normal")
    blocked.files[TEXT_PIN_EF].tries = 0
    flow = start(performer, persona.library_card)
    run(performer, flow, r.WithCard())
    assert run(performer, flow, PinsAreSame(True)) == PinBlocked(persona.library_card, PinStep.TEXT)
    assert verifies(blocked) == 0
    assert r.counter_ticket_for(flow.state) == ("registration", "renewal", None)


def test_someone_elses_card_number_is_not_matched_and_a_valid_card_waits(performer: Performer, insert_card,
                                                                         test_pki) -> None:  # type: ignore[no-untyped-def]
    persona = test_pki.personas["normal"]
    insert_card("normal")
    flow = start(performer, EXPIRED_DEMO_CARD)  # renewable, but not this person's record
    run(performer, flow, r.WithCard())
    failed = pins(performer, flow, persona)
    assert failed == r.Failed(EXPIRED_DEMO_CARD, r.Failure.UNMATCHED)
    assert r.counter_ticket_for(failed) == ("registration", "renewal_unmatched", None)
    not_yet = r.RenewalFlow(PATTERN, today=lambda: TODAY)
    state = run(performer, not_yet, r.Begin(VALID_DEMO_CARD))
    # A typed number learns the month only (typed_number_expiry_precision): the day is a birthday.
    assert isinstance(state, r.NotYet) and state.renewable_from > TODAY and state.month_only
    assert state.renewable_from.day == 1


def test_server_down_keeps_the_facts_for_a_retry_without_the_pin(performer: Performer, renewal_server,
                                                                 insert_card, test_pki) -> None:  # type: ignore[no-untyped-def]
    persona = test_pki.personas["one_try_left"]
    withdraw(renewal_server, persona.library_card)
    card = insert_card("one_try_left")
    flow = start(performer, persona.library_card)
    run(performer, flow, r.WithCard())
    review = pins(performer, flow, persona)
    assert isinstance(review, r.Review)
    performer.api.base_url = "http://127.0.0.1:9"  # nothing listens there
    failed = run(performer, flow, r.Send())
    assert failed == r.Failed(persona.library_card, r.Failure.SERVER_UNREACHABLE, review)
    performer.api.base_url = renewal_server.base_url
    assert run(performer, flow, r.Retry()) == review  # back to Send, no PIN asked again
    assert isinstance(run(performer, flow, r.Send()), r.Sent) and verifies(card) == 2
    assert requests.get(renewal_server.base_url + "/health", timeout=5).ok
