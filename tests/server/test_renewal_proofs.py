"""Renewal compares and requests against the real server process over HTTP, on SQLite and PostgreSQL (issue 15).

An outside review found that POST /v1/renewals/compare answered "same"/"different" without limit: a card
number and a known name gave the full birth date in 21 calls (the expiry answer had already given the day and
month: it is the birthday). Now a compare needs the proof of the card's fresh signature for that number at that
kiosk, compares are limited per card number and per kiosk, every one is audited; a waiting request is never
overwritten; and a typed number's expiry is told to the month.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import requests

from kiosk.api import ApiError, KioskApiClient
from tests.server.conftest import BACKENDS, TODAY
from tests.server.test_api_migrations import sign, staff_session
from tests.support.renewal_data import OLD_ADDRESS, prepare_renewal_database
from tests.support.server_proc import ServerProcess, start_server

ROOT = Path(__file__).resolve().parents[2]


def _start(request: pytest.FixtureRequest, sqlite_dir: Path, settings: dict[str, str]) -> ServerProcess:
    name = "renewal_" + uuid.uuid4().hex[:8]
    if request.param == "sqlite":
        url = f"sqlite:///{sqlite_dir / (name + '.db')}"
    else:
        url = request.getfixturevalue("pg").create_database(name)
    prepare_renewal_database(url, TODAY)  # every persona's library card renewable or expired
    return start_server(database_url=url, settings={"SERVER_TODAY": TODAY.isoformat(), **settings})


@pytest.fixture(scope="module", params=BACKENDS)
def server(request: pytest.FixtureRequest, sqlite_dir: Path) -> Iterator[ServerProcess]:
    """Default limits per card number (5 a day); the kiosk's limit raised so that the card's is what stops."""
    process = _start(request, sqlite_dir, {"SERVER_RENEWAL_COMPARES_PER_KIOSK": "1000"})
    yield process
    process.stop()


@pytest.fixture(scope="module", params=BACKENDS)
def tight_server(request: pytest.FixtureRequest, sqlite_dir: Path) -> Iterator[ServerProcess]:
    """Three compares per kiosk an hour, and expiries told to the day."""
    process = _start(request, sqlite_dir, {"SERVER_RENEWAL_COMPARES_PER_KIOSK": "3",
                                           "SERVER_TYPED_NUMBER_EXPIRY_PRECISION": "day"})
    yield process
    process.stop()


def kiosk(server: ServerProcess, kiosk_id: str | None = None, secret: str | None = None) -> KioskApiClient:
    return KioskApiClient(server.base_url, kiosk_id or server.kiosk_id, secret or server.kiosk_secret, timeout=15)


def prove(client: KioskApiClient, persona, card_number: str) -> str:  # type: ignore[no-untyped-def]
    """What the kiosk does after the 利用者証明用 PIN: the card signs a challenge, the server gives a proof."""
    challenge = client.migration_challenge()
    return client.renewal_proof(card_number=card_number, challenge_id=challenge.challenge_id,
                                certificate_der=persona.cert_der,
                                signature=sign(persona.private_key, challenge.challenge))


def code(call) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(ApiError) as info:
        call()
    return info.value.code


def audit_rows(server: ServerProcess, action: str, card_number: str) -> list[str]:
    result = subprocess.run([sys.executable, "-m", "server", "admin", "audit-export"], cwd=ROOT, env=server.env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return [line for line in result.stdout.splitlines() if f",{action}," in line and card_number in line]


def raw_compare(server: ServerProcess, body: dict) -> requests.Response:
    """The compare as an attacker's script sends it: signed like a kiosk, any body."""
    from kiosk.api import HmacAuth

    return requests.post(server.base_url + "/v1/renewals/compare", json=body, timeout=15,
                         auth=HmacAuth(server.kiosk_id, server.kiosk_secret))


def test_a_compare_without_the_cards_proof_is_refused_and_audited(server: ServerProcess, test_pki) -> None:  # type: ignore[no-untyped-def]
    persona = test_pki.personas["wrong_then_right"]
    card = persona.library_card
    body = {"card_number": card, "name": persona.name, "address": persona.address,
            "birth_date": persona.birth_date.isoformat()}
    for sent, refusal in ((body, "renewal_proof_required"), ({**body, "proof": "made-up"}, "renewal_proof_invalid")):
        answer = raw_compare(server, sent)
        assert answer.status_code == 403, answer.text
        assert answer.json()["error"]["code"] == refusal
        assert "same" not in answer.text and "different" not in answer.text
    outcomes = audit_rows(server, "renewal.compare", card)
    assert len(outcomes) == 2 and all("renewal_proof_" in row for row in outcomes)


def test_a_proof_holds_for_its_card_number_and_its_kiosk_only(server: ServerProcess, test_pki) -> None:  # type: ignore[no-untyped-def]
    a, b = test_pki.personas["one_try_left"], test_pki.personas["renewed"]
    client = kiosk(server)
    proof = prove(client, a, a.library_card)
    facts_b = (b.name, b.address, b.birth_date)
    assert code(lambda: client.renewal_compare(b.library_card, *facts_b, proof=proof)) == "renewal_proof_invalid"
    assert code(lambda: client.renewal_request(b.library_card, *facts_b, proof=proof,
                                               idempotency_key=str(uuid.uuid4()))) == "renewal_proof_invalid"
    # Another kiosk (its own secret) cannot use this kiosk's proof either.
    secret = "second-kiosk-secret-0123456789"
    created = subprocess.run([sys.executable, "-m", "server", "admin", "kiosk-create", "kiosk-second",
                              "--secret", secret], cwd=ROOT, env=server.env, capture_output=True, text=True,
                             timeout=60)
    assert created.returncode == 0, created.stderr
    other = kiosk(server, "kiosk-second", secret)
    facts_a = (a.name, a.address, a.birth_date)
    assert code(lambda: other.renewal_compare(a.library_card, *facts_a, proof=proof)) == "renewal_proof_invalid"
    # Its own card number at its own kiosk: answered.
    assert client.renewal_compare(a.library_card, *facts_a, proof=proof).name == "same"


def test_the_limit_stops_the_21_call_birth_date_search(server: ServerProcess, test_pki) -> None:  # type: ignore[no-untyped-def]
    """The attack of the review: card number and name known, the birth year guessed one call at a time."""
    victim, attacker = test_pki.personas["no_old_link"], test_pki.personas["normal"]
    card = victim.library_card
    client = kiosk(server)
    proof = prove(client, attacker, card)  # the attacker's own card and PIN, the victim's typed number
    born = victim.birth_date
    guesses = [born.replace(year=born.year - 15 + i) for i in range(21)]  # the right year is the 16th
    answers = []
    for guess in guesses:
        try:
            answers.append(client.renewal_compare(card, victim.name, "どこか", guess, proof=proof).name)
        except ApiError as error:
            answers.append(error.code)
    assert answers[:5] == ["renewal_unmatched"] * 5
    assert answers[5:] == ["renewal_compare_limit"] * 16  # the right guess among them: never "same"
    # Another proof (a new signature) does not reset it: the limit is the card number's.
    again = prove(client, attacker, card)
    assert code(lambda: client.renewal_compare(card, victim.name, victim.address, born,
                                               proof=again)) == "renewal_compare_limit"
    rows = audit_rows(server, "renewal.compare", card)
    assert len(rows) == 22  # every compare, refused ones too
    assert sum("renewal_compare_limit" in row for row in rows) == 17
    assert all(victim.name not in row and born.isoformat() not in row for row in rows)


def test_the_kiosk_limit_holds_across_card_numbers(tight_server: ServerProcess, test_pki) -> None:  # type: ignore[no-untyped-def]
    client = kiosk(tight_server)
    attacker = test_pki.personas["normal"]
    answers = []
    for key in ("no_old_link", "wrong_then_right", "one_try_left", "renewed"):
        victim = test_pki.personas[key]
        proof = prove(client, attacker, victim.library_card)
        try:
            client.renewal_compare(victim.library_card, "別人 です", "x", date(1980, 1, 1), proof=proof)
        except ApiError as error:
            answers.append(error.code)
    assert answers == ["renewal_unmatched"] * 3 + ["renewal_compare_limit"]


def test_a_second_request_does_not_overwrite_the_waiting_one(server: ServerProcess, test_pki) -> None:  # type: ignore[no-untyped-def]
    moved = test_pki.personas["different_pins"]  # the library holds an older address
    card, facts = moved.library_card, (moved.name, moved.address, moved.birth_date)
    first = kiosk(server)
    proof = prove(first, moved, card)
    # A request needs a proof that matched in a compare first: it is no oracle of its own.
    assert code(lambda: first.renewal_request(card, *facts, proof=proof,
                                              idempotency_key=str(uuid.uuid4()))) == "renewal_proof_invalid"
    assert first.renewal_compare(card, *facts, proof=proof).address == "different"
    sent = first.renewal_request(card, *facts, proof=proof, idempotency_key=str(uuid.uuid4()))
    # The proof is used up by the request.
    assert code(lambda: first.renewal_compare(card, *facts, proof=proof)) == "renewal_proof_invalid"
    # From another kiosk, with another address: refused, told so, and the waiting request unchanged.
    secret = "third-kiosk-secret-0123456789"
    subprocess.run([sys.executable, "-m", "server", "admin", "kiosk-create", "kiosk-third", "--secret", secret],
                   cwd=ROOT, env=server.env, check=True, capture_output=True, timeout=60)
    second = kiosk(server, "kiosk-third", secret)
    other = prove(second, moved, card)
    assert code(lambda: second.renewal_compare(card, moved.name, "佐賀県唐津市西城内1番1号", moved.birth_date,
                                               proof=other)) == "renewal_pending"
    assert code(lambda: second.renewal_request(card, moved.name, "佐賀県唐津市西城内1番1号", moved.birth_date,
                                               proof=other, idempotency_key=str(uuid.uuid4()))) == "renewal_pending"
    staff = staff_session(server)
    listed = staff.get(server.base_url + "/v1/staff/renewals", timeout=10).json()
    rows = [r for r in listed if r["card_number"] == card]
    assert [(r["reference_code"], r["kiosk_id"], r["new_address"], r["address_on_record"]) for r in rows] == [
        (sent.reference_code, server.kiosk_id, moved.address, OLD_ADDRESS)]


def test_a_card_linked_to_another_library_card_gets_no_proof(live_server: ServerProcess, test_pki) -> None:  # type: ignore[no-untyped-def]
    linked = test_pki.personas["different_pins"]  # in the demo data linked (old scheme) to 2000000071
    client = kiosk(live_server)
    assert code(lambda: prove(client, linked, "2000000121")) == "renewal_card_mismatch"
    assert prove(client, linked, linked.library_card)
    revoked = test_pki.personas["revoked_cert"]
    assert code(lambda: prove(client, revoked, revoked.library_card)) == "certificate_revoked"


LEAP = "2000000139"  # born on 29 February: valid until 2027-02-28


def test_a_typed_number_learns_the_expiry_month_only(server: ServerProcess) -> None:
    month = kiosk(server).card_expiry(LEAP)
    assert (month.precision, month.valid_until, month.days_left) == ("month", date(2027, 2, 1), None)
    assert month.renewable_from == date(2027, 1, 1) and month.status == "valid"


def test_the_library_may_tell_a_typed_number_the_day(tight_server: ServerProcess) -> None:
    day = kiosk(tight_server).card_expiry(LEAP)  # typed_number_expiry_precision = "day"
    assert (day.precision, day.valid_until) == ("day", date(2027, 2, 28))
    assert day.days_left == (date(2027, 2, 28) - TODAY).days


def test_the_patron_who_proves_the_card_sees_the_day(live_server: ServerProcess, test_pki) -> None:  # type: ignore[no-untyped-def]
    persona = test_pki.personas["different_pins"]  # born on 31 December
    client = kiosk(live_server)
    challenge = client.migration_challenge()
    by_card = client.expiry_by_mynumber(challenge_id=challenge.challenge_id, certificate_der=persona.cert_der,
                                        signature=sign(persona.private_key, challenge.challenge))
    assert (by_card.precision, by_card.valid_until.day) == ("day", 31) and by_card.days_left is not None
