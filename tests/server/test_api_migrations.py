"""Migration, expiry by My Number card and staff endpoints over HTTP against the real server process."""

from __future__ import annotations

import base64
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from kiosk.api import ApiError, HmacAuth, KioskApiClient
from tests.server.test_db_migration import _self_signed
from tests.support.server_proc import ServerProcess


def kiosk(server: ServerProcess) -> KioskApiClient:
    return KioskApiClient(server.base_url, server.kiosk_id, server.kiosk_secret, timeout=15)


def sign(private_key, data: bytes) -> bytes:  # type: ignore[no-untyped-def]
    return private_key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def submit(server: ServerProcess, persona, *, card: str | None = None, key=None,  # type: ignore[no-untyped-def]
           idempotency_key: str | None = None):
    client = kiosk(server)
    challenge = client.migration_challenge()
    return client.submit_migration(
        challenge_id=challenge.challenge_id, card_number=card or persona.library_card,
        certificate_der=persona.cert_der, signature=sign(key or persona.private_key, challenge.challenge),
        birth_date=persona.birth_date, idempotency_key=idempotency_key,
    )


def api_code(call) -> ApiError:  # type: ignore[no-untyped-def]
    with pytest.raises(ApiError) as info:
        call()
    return info.value


def staff_session(server: ServerProcess) -> requests.Session:
    response = requests.post(server.base_url + "/v1/staff/sessions",
                             json={"staff_id": server.staff_id, "pin": server.staff_pin}, timeout=10)
    assert response.status_code == 201, response.text
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {response.json()['token']}"
    return session


def linkages(server: ServerProcess, card: str) -> list[tuple[str, bool]]:
    body = staff_session(server).get(f"{server.base_url}/v1/staff/patrons/{card}", timeout=10).json()
    return [(link["scheme"], link["active"]) for link in body["linkages"]]


def test_migration_completes_and_a_retry_replays_the_answer(live_server: ServerProcess, test_pki) -> None:  # type: ignore[no-untyped-def]
    persona = test_pki.personas["one_try_left"]
    client = kiosk(live_server)
    challenge = client.migration_challenge()
    key = str(uuid.uuid4())
    args = {"challenge_id": challenge.challenge_id, "card_number": persona.library_card,
            "certificate_der": persona.cert_der, "signature": sign(persona.private_key, challenge.challenge),
            "idempotency_key": key}
    first = client.submit_migration(**args)
    assert (first.status, first.card_number, first.reference_code) == ("completed", "2000000030", None)
    assert linkages(live_server, "2000000030") == [("old", False), ("mykey", True)]
    # The same request again (a kiosk retry): the first answer, although the challenge is spent.
    assert client.submit_migration(**args) == first
    # The same key for a different request is refused.
    assert api_code(lambda: submit(live_server, persona, idempotency_key=key)).code == "idempotency_key_reused"
    assert api_code(lambda: submit(live_server, persona)).code == "already_migrated"
    assert linkages(live_server, "2000000030") == [("old", False), ("mykey", True)]


def test_concurrent_twins_with_one_key_migrate_once(live_server: ServerProcess, test_pki) -> None:  # type: ignore[no-untyped-def]
    persona = test_pki.personas["pulled_out"]
    client = kiosk(live_server)
    challenge = client.migration_challenge()
    auth = HmacAuth(live_server.kiosk_id, live_server.kiosk_secret)
    payload = {
        "challenge_id": challenge.challenge_id, "card_number": persona.library_card,
        "certificate": base64.b64encode(persona.cert_der).decode(),
        "signature": base64.b64encode(sign(persona.private_key, challenge.challenge)).decode(),
    }
    key = str(uuid.uuid4())

    def post(_: int) -> tuple[int, dict]:
        response = requests.post(live_server.base_url + "/v1/migrations", json=payload, auth=auth,
                                 headers={"Idempotency-Key": key}, timeout=30)
        return response.status_code, response.json()

    with ThreadPoolExecutor(max_workers=5) as pool:
        answers = list(pool.map(post, range(5)))
    assert all(answer == (201, {"status": "completed", "card_number": "2000000089", "reference_code": None})
               for answer in answers), answers
    assert linkages(live_server, "2000000089") == [("old", False), ("mykey", True)]


@pytest.mark.parametrize(
    ("persona_key", "status", "code"),
    [("revoked_cert", 422, "certificate_revoked"), ("expired_cert", 422, "certificate_expired"),
     ("no_old_link", 409, "no_old_link")],
)
def test_refusals_over_http(live_server: ServerProcess, test_pki, persona_key: str, status: int, code: str) -> None:  # type: ignore[no-untyped-def]
    persona = test_pki.personas[persona_key]
    error = api_code(lambda: submit(live_server, persona))
    assert (error.status, error.code) == (status, code)
    if code == "no_old_link":
        assert "2階" in error.message_ja and "2nd-floor" in error.message_en


def test_bad_signature_changes_nothing(live_server: ServerProcess, test_pki) -> None:  # type: ignore[no-untyped-def]
    persona = test_pki.personas["different_pins"]
    other_key = test_pki.personas["wrong_then_right"].private_key
    assert api_code(lambda: submit(live_server, persona, key=other_key)).code == "bad_signature"
    assert linkages(live_server, "2000000071") == [("old", True)]


def test_unknown_ca_unknown_patron_and_malformed_number(live_server: ServerProcess, test_pki) -> None:  # type: ignore[no-untyped-def]
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "stranger")])
    der, private_key = _self_signed(name, name)
    client = kiosk(live_server)
    challenge = client.migration_challenge()
    error = api_code(lambda: client.submit_migration(
        challenge_id=challenge.challenge_id, card_number="2000000022", certificate_der=der,
        signature=sign(private_key, challenge.challenge)))
    assert error.code == "unknown_ca"
    normal = test_pki.personas["normal"]
    assert api_code(lambda: submit(live_server, normal, card="3000000004")).code == "unknown_patron"
    assert api_code(lambda: submit(live_server, normal, card="2000000015")).code == "malformed_card_number"
    assert api_code(lambda: submit(live_server, normal, card="x" * 30)).code == "malformed_card_number"


def test_challenge_cannot_be_reused(live_server: ServerProcess, test_pki) -> None:  # type: ignore[no-untyped-def]
    persona = test_pki.personas["no_old_link"]
    client = kiosk(live_server)
    challenge = client.migration_challenge()
    args = {"challenge_id": challenge.challenge_id, "card_number": persona.library_card,
            "certificate_der": persona.cert_der, "signature": sign(persona.private_key, challenge.challenge)}
    assert api_code(lambda: client.submit_migration(**args)).code == "no_old_link"
    assert api_code(lambda: client.submit_migration(**args)).code == "challenge_used"


def test_expiry_by_mynumber_card(live_server: ServerProcess, test_pki) -> None:  # type: ignore[no-untyped-def]
    persona = test_pki.personas["wrong_then_right"]  # old-scheme link, never migrated in these tests
    client = kiosk(live_server)
    challenge = client.migration_challenge()
    expiry = client.expiry_by_mynumber(challenge_id=challenge.challenge_id, certificate_der=persona.cert_der,
                                       signature=sign(persona.private_key, challenge.challenge))
    assert expiry.card_number == "2000000022" and expiry.status == "valid"
    stranger = test_pki.personas["no_old_link"]
    challenge = client.migration_challenge()
    error = api_code(lambda: client.expiry_by_mynumber(
        challenge_id=challenge.challenge_id, certificate_der=stranger.cert_der,
        signature=sign(stranger.private_key, challenge.challenge)))
    assert error.code == "not_linked"


def test_staff_login_and_authorisation(live_server: ServerProcess) -> None:
    url = live_server.base_url
    bad = requests.post(url + "/v1/staff/sessions", json={"staff_id": live_server.staff_id, "pin": "0000000"},
                        timeout=10)
    assert bad.status_code == 401 and bad.json()["error"]["code"] == "bad_credentials"
    assert requests.get(url + "/v1/staff/migrations", timeout=10).json()["error"]["code"] == "unauthenticated"
    forged = requests.get(url + "/v1/staff/migrations", headers={"Authorization": "Bearer forged"}, timeout=10)
    assert forged.status_code == 401
    patron = staff_session(live_server).get(url + "/v1/staff/patrons/2000000014", timeout=10)
    assert patron.status_code == 200 and patron.json()["expiry"]["status"] in {"valid", "renewable"}


def test_staff_renewal(staff_policy_server: ServerProcess) -> None:
    # On the second server, so the shared one keeps its expired demo card for the expiry tests.
    session = staff_session(staff_policy_server)
    url = staff_policy_server.base_url + "/v1/staff/patrons/{}/renewal"
    early = session.post(url.format("2000000105"), timeout=10)
    assert early.status_code == 409 and early.json()["error"]["code"] == "not_yet_renewable"
    renewed = session.post(url.format("2000000121"), timeout=10)  # expired: renewal after expiry is allowed
    assert renewed.status_code == 200, renewed.text
    assert renewed.json()["expiry"]["status"] == "valid"
    assert renewed.json()["registered_on"] == renewed.json()["expiry"]["today"]


def test_staff_policy_confirm_and_reject(staff_policy_server: ServerProcess, test_pki) -> None:  # type: ignore[no-untyped-def]
    server = staff_policy_server
    held = submit(server, test_pki.personas["normal"])
    assert held.status == "pending" and held.reference_code
    assert linkages(server, "2000000014") == [("old", True)]
    staff = staff_session(server)
    pending = staff.get(server.base_url + "/v1/staff/migrations", timeout=10).json()
    assert [(p["reference_code"], p["card_number"]) for p in pending] == [(held.reference_code, "2000000014")]
    confirmed = staff.post(f"{server.base_url}/v1/staff/migrations/{held.reference_code}/confirm", timeout=10)
    assert confirmed.status_code == 200 and confirmed.json()["decided_by"] == server.staff_id
    assert linkages(server, "2000000014") == [("old", False), ("mykey", True)]
    again = staff.post(f"{server.base_url}/v1/staff/migrations/{held.reference_code}/confirm", timeout=10)
    assert again.status_code == 409 and again.json()["error"]["code"] == "migration_not_pending"

    other = submit(server, test_pki.personas["wrong_then_right"])
    rejected = staff.post(f"{server.base_url}/v1/staff/migrations/{other.reference_code}/reject", timeout=10)
    assert rejected.json()["status"] == "rejected"
    assert linkages(server, "2000000022") == [("old", True)]


def test_expired_challenge_over_http(staff_policy_server: ServerProcess, test_pki) -> None:  # type: ignore[no-untyped-def]
    persona = test_pki.personas["one_try_left"]
    client = kiosk(staff_policy_server)
    challenge = client.migration_challenge()
    time.sleep(2.5)  # this server's challenges live 2 seconds
    error = api_code(lambda: client.submit_migration(
        challenge_id=challenge.challenge_id, card_number=persona.library_card, certificate_der=persona.cert_der,
        signature=sign(persona.private_key, challenge.challenge)))
    assert error.code == "challenge_expired"
