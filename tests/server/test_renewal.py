"""Renewal requests on SQLite and PostgreSQL: the comparison tells only same/different, and only for the same
person; the counter's one confirmation renews the card from today and records the new address; the request
then holds no address, and retention deletes it."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
import requests
from sqlalchemy import select

from kiosk.api import ApiError, KioskApiClient
from server import audit
from server.errors import ApiError as ServerApiError
from server.ops.retention import Periods, apply
from server.patrons.service import find_patron, patron_expiry
from server.renewals import service as renewal
from server.renewals.models import RenewalRequest
from server.seed import MOVED_FROM
from server.state import AppState
from tests.server.conftest import TODAY
from tests.server.test_api_migrations import sign, staff_session
from tests.support.server_proc import ServerProcess

MOVED = "2000000071"  # different_pins: expired, the library holds the address before the move
STILL_VALID = "2000000014"  # normal: registered 200 days ago


def facts(persona, **change):  # type: ignore[no-untyped-def]
    values = {"name": persona.name, "address": persona.address, "birth_date": persona.birth_date, **change}
    return renewal.CardFacts(**values)


def refused(call) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(ServerApiError) as info:
        call()
    return info.value.code


def test_comparison_says_only_same_or_different_for_the_same_person(state: AppState, test_pki) -> None:  # type: ignore[no-untyped-def]
    moved = test_pki.personas["different_pins"]
    with state.sessions() as session, session.begin():
        patron = find_patron(session=session, card_number=MOVED)
        found = renewal.compare(patron=patron, facts=facts(moved), today=TODAY)
        assert (found.name, found.birth_date, found.address, found.status.value) == (
            "same", "same", "different", "expired")
        # The card writes the name with an ideographic space; the record may not: still the same person.
        spaced = renewal.compare(patron=patron, facts=facts(moved, name=moved.name.replace(" ", "\u3000"),
                                                            address=MOVED_FROM), today=TODAY)
        assert spaced.address == "same"
        # Someone else's facts (or a typo'd card number) learn nothing: one refusal, whatever differs.
        assert refused(lambda: renewal.compare(patron=patron, facts=facts(moved, name="佐賀 太郎"),
                                               today=TODAY)) == "renewal_unmatched"
        other_day = moved.birth_date + timedelta(days=1)
        assert refused(lambda: renewal.compare(patron=patron, facts=facts(moved, birth_date=other_day),
                                               today=TODAY)) == "renewal_unmatched"
        valid = find_patron(session=session, card_number=STILL_VALID)
        assert refused(lambda: renewal.compare(patron=valid, facts=facts(test_pki.personas["normal"]),
                                               today=TODAY)) == "not_yet_renewable"


def test_request_then_one_confirmation_renews_and_forgets_the_address(state: AppState, test_pki) -> None:  # type: ignore[no-untyped-def]
    moved = test_pki.personas["different_pins"]
    now = state.clock.now()
    with state.sessions() as session, session.begin():
        request, comparison = renewal.request_renewal(session=session, card_number=MOVED, facts=facts(moved),
                                                      kiosk_id="kiosk-demo-01", now=now, today=TODAY)
        code = request.reference_code
        assert comparison.address_changed and request.new_address == moved.address
        # Asked again (from another kiosk, another address): refused; the waiting request is never overwritten.
        assert refused(lambda: renewal.request_renewal(
            session=session, card_number=MOVED, facts=facts(moved, address="佐賀県唐津市"), kiosk_id="kiosk-2",
            now=now, today=TODAY)) == "renewal_pending"
        (waiting,) = renewal.list_pending(session=session)
        assert (waiting.reference_code, waiting.kiosk_id, waiting.new_address) == (code, "kiosk-demo-01",
                                                                                   moved.address)
    with state.sessions() as session, session.begin():
        done, changed = renewal.complete(session=session, reference_code=code.lower(), staff_id="demo-admin",
                                         now=now, today=TODAY)
        assert changed and (done.status, done.new_address) == ("completed", None)
        patron = find_patron(session=session, card_number=MOVED)
        assert patron.address == moved.address and patron.registered_on == TODAY
        assert patron_expiry(patron=patron, today=TODAY).valid_until == moved.birth_date.replace(year=TODAY.year + 3)
        assert refused(lambda: renewal.complete(session=session, reference_code=code, staff_id="demo-admin",
                                                now=now, today=TODAY)) == "renewal_not_pending"
        assert refused(lambda: renewal.cancel(session=session, reference_code="R00000", staff_id="demo-admin",
                                              now=now)) == "unknown_renewal"
    with state.sessions() as session:
        rows = [e for e in audit.entries(session=session, card_number=MOVED) if e.action.startswith("renewal.")]
        assert [e.action for e in rows] == ["renewal.request", "renewal.complete"]
        assert all(moved.address not in str(e.detail) and moved.name not in str(e.detail) for e in rows)


def test_a_request_with_the_same_address_stores_none_and_cancel_changes_nothing(state: AppState, test_pki) -> None:  # type: ignore[no-untyped-def]
    moved = test_pki.personas["different_pins"]
    now = state.clock.now()
    with state.sessions() as session, session.begin():
        request, comparison = renewal.request_renewal(
            session=session, card_number=MOVED, facts=facts(moved, address=MOVED_FROM), kiosk_id="k",
            now=now, today=TODAY)
        assert not comparison.address_changed and request.new_address is None
        cancelled = renewal.cancel(session=session, reference_code=request.reference_code, staff_id="s", now=now)
        assert cancelled.status == "cancelled"
        assert find_patron(session=session, card_number=MOVED).address == MOVED_FROM


def test_retention_deletes_decided_requests_after_a_week_and_forgotten_ones_after_a_month(state: AppState,
                                                                                         test_pki) -> None:  # type: ignore[no-untyped-def]
    moved = test_pki.personas["different_pins"]
    now = state.clock.now()
    with state.sessions() as session, session.begin():
        old, _ = renewal.request_renewal(session=session, card_number=MOVED, facts=facts(moved), kiosk_id="k",
                                         now=now - timedelta(days=31), today=TODAY)
        renewal.cancel(session=session, reference_code=old.reference_code, staff_id="s", now=now - timedelta(days=8))
        renewal.request_renewal(session=session, card_number=MOVED, facts=facts(moved), kiosk_id="k",
                                now=now - timedelta(days=31), today=TODAY)  # pending, never brought
        fresh, _ = renewal.request_renewal(session=session, card_number="2000000121",
                                           facts=renewal.CardFacts("期限切 次郎", "x", _birth(session)),
                                           kiosk_id="k", now=now, today=TODAY)
        kept = fresh.reference_code
    with state.sessions() as session, session.begin():
        done = apply(session=session, periods=Periods(tickets=90, audit=1825, statistics=3650), now=now, today=TODAY)
    assert done["renewal_requests"] == 2
    with state.sessions() as session:
        assert list(session.scalars(select(RenewalRequest.reference_code))) == [kept]


def _birth(session):  # type: ignore[no-untyped-def]
    return find_patron(session=session, card_number="2000000121").birth_date


# -- over HTTP, against the real server process ---------------------------------------------------------------
def kiosk(server: ServerProcess) -> KioskApiClient:
    return KioskApiClient(server.base_url, server.kiosk_id, server.kiosk_secret, timeout=15)


def prove(client: KioskApiClient, persona, card_number: str) -> str:  # type: ignore[no-untyped-def]
    """The card signs a challenge (its 利用者証明用 PIN at the kiosk): the server's proof for ``card_number``."""
    challenge = client.migration_challenge()
    return client.renewal_proof(card_number=card_number, challenge_id=challenge.challenge_id,
                                certificate_der=persona.cert_der,
                                signature=sign(persona.private_key, challenge.challenge))


def test_kiosk_request_and_counter_completion_over_http(staff_policy_server: ServerProcess, test_pki) -> None:  # type: ignore[no-untyped-def]
    # On the second server, so the shared one keeps its demo cards as they are for the other tests.
    server, moved = staff_policy_server, test_pki.personas["different_pins"]
    client = kiosk(server)
    card = (moved.name, moved.address, moved.birth_date)
    proof = prove(client, moved, MOVED)
    with pytest.raises(ApiError) as info:
        client.renewal_compare(MOVED, "別人 です", moved.address, moved.birth_date, proof=proof)
    assert info.value.code == "renewal_unmatched"
    compared = client.renewal_compare(MOVED, *card, proof=proof)
    assert (compared.address, compared.status) == ("different", "expired")
    key = str(uuid.uuid4())
    sent = client.renewal_request(MOVED, *card, proof=proof, idempotency_key=key)
    assert sent.reference_code.startswith("R") and sent.address == "different"
    assert client.renewal_request(MOVED, *card, proof=proof, idempotency_key=key) == sent  # a retry: the same
    # Without staff credentials nothing is listed; with them, the record's and the card's address.
    assert requests.get(server.base_url + "/v1/staff/renewals", timeout=10).status_code == 401
    staff = staff_session(server)
    listed = {r["reference_code"]: r for r in staff.get(server.base_url + "/v1/staff/renewals", timeout=10).json()}
    row = listed[sent.reference_code]
    assert (row["address_on_record"], row["new_address"], row["expiry_status"]) == (MOVED_FROM, moved.address,
                                                                                  "expired")
    done = staff.post(f"{server.base_url}/v1/staff/renewals/{sent.reference_code}/complete", timeout=10)
    assert done.status_code == 200, done.text
    assert done.json()["valid_until"] == moved.birth_date.replace(year=TODAY.year + 3).isoformat()
    assert done.json()["address_changed"] is True
    patron = staff.get(f"{server.base_url}/v1/staff/patrons/{MOVED}", timeout=10).json()
    assert patron["expiry"]["status"] == "valid"
    # Renewed: a second request is refused until the next renewal window.
    with pytest.raises(ApiError) as info:
        client.renewal_compare(MOVED, *card, proof=prove(client, moved, MOVED))
    assert info.value.code == "not_yet_renewable"
    with pytest.raises(ApiError) as info:  # valid check digit, nobody (the card is linked to MOVED: no proof)
        client.renewal_compare("2000000154", *card, proof=prove(client, test_pki.personas["no_old_link"],
                                                                "2000000154"))
    assert info.value.code == "unknown_patron"


def test_the_ils_import_may_carry_the_address_on_record(state: AppState, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from server.cli.patrons import import_patrons_csv

    path = tmp_path / "ils.csv"
    path.write_text("card_number,name,birth_date,registered_on,address\n"
                    "3000000004,佐賀 太郎,1980-04-01,2022-06-01,佐賀県佐賀市城内二丁目1番1号\n"
                    "3000000012,佐賀 花子,1985-12-01,2022-01-10,\n"
                    "3000000020,制御 文字,1985-12-01,2022-01-10,\"line\x01break\"\n", encoding="utf-8")
    imported, errors = import_patrons_csv(state=state, path=path, actor="test")
    assert imported == 2 and [(e.line, e.card_number) for e in errors] == [(4, "3000000020")]
    with state.sessions() as session:
        assert find_patron(session=session, card_number="3000000004").address == "佐賀県佐賀市城内二丁目1番1号"
        assert find_patron(session=session, card_number="3000000012").address is None
        # Without an address on record, the card's address is "different": the counter records it.
        patron = find_patron(session=session, card_number="3000000012")
        found = renewal.compare(patron=patron, facts=renewal.CardFacts("佐賀　花子", "どこか", patron.birth_date),
                                today=TODAY)
        assert found.address == "different"
