"""Several server processes on one database agree (nonces, idempotency); staff roles; audit content."""

from __future__ import annotations

import base64
import uuid

import pytest
import requests

from kiosk.api import HmacAuth, KioskApiClient
from protocol import signing
from server.__main__ import main
from tests.support.server_proc import ServerProcess, start_server


@pytest.fixture
def second_process(live_server: ServerProcess):  # type: ignore[no-untyped-def]
    """Another server process on the live server's database."""
    other = start_server(database_url=live_server.database_url,
                         settings={"SERVER_TODAY": live_server.env["SERVER_TODAY"]})
    yield other
    other.stop()


def test_a_replay_to_another_process_is_rejected(live_server: ServerProcess, second_process: ServerProcess) -> None:
    path = "/v1/cards/2000000105/expiry"
    headers = signing.signed_headers(kiosk_id=live_server.kiosk_id, secret=live_server.kiosk_secret,
                                     method="GET", path_with_query=path, body=b"")
    assert requests.get(live_server.base_url + path, headers=headers, timeout=10).status_code == 200
    replay = requests.get(second_process.base_url + path, headers=headers, timeout=10)
    assert replay.status_code == 401 and replay.json()["error"]["code"] == "replayed_request"


def test_idempotency_holds_across_processes(live_server: ServerProcess, second_process: ServerProcess) -> None:
    auth = HmacAuth(live_server.kiosk_id, live_server.kiosk_secret)
    key = str(uuid.uuid4())
    answers = [
        requests.post(base + "/v1/migrations/challenges", json={}, auth=auth, headers={"Idempotency-Key": key},
                      timeout=10).json()
        for base in (live_server.base_url, second_process.base_url)
    ]
    assert answers[0] == answers[1] and "challenge_id" in answers[0]


def test_kiosk_cannot_send_a_pin_or_unknown_fields(live_server: ServerProcess) -> None:
    auth = HmacAuth(live_server.kiosk_id, live_server.kiosk_secret)
    body = {"challenge_id": "c", "certificate": "AAAA", "signature": "AAAA", "card_number": "2000000014",
            "pin": "1234"}
    response = requests.post(live_server.base_url + "/v1/migrations", json=body, auth=auth,
                             headers={"Idempotency-Key": str(uuid.uuid4())}, timeout=10)
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_request"


def _login(server: ServerProcess, staff_id: str, pin: str) -> requests.Session:
    token = requests.post(server.base_url + "/v1/staff/sessions", json={"staff_id": staff_id, "pin": pin},
                          timeout=10).json()["token"]
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    return session


def test_roles_and_audit_content(live_server: ServerProcess, test_pki, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SERVER_DATABASE_URL", live_server.database_url)
    counter_id = "counter-" + uuid.uuid4().hex[:6]
    assert main(["admin", "staff-create", counter_id, "--name", "窓口 係", "--role", "counter", "--pin", "8642"]) == 0
    counter = _login(live_server, counter_id, "8642")
    forbidden = counter.get(live_server.base_url + "/v1/staff/audit", timeout=10)
    assert forbidden.status_code == 403 and forbidden.json()["error"]["code"] == "forbidden"
    assert counter.get(live_server.base_url + "/v1/staff/migrations", timeout=10).status_code == 200

    # A refused migration at the kiosk leaves an audit row naming kiosk, card and outcome.
    persona = test_pki.personas["no_old_link"]
    client = KioskApiClient(live_server.base_url, live_server.kiosk_id, live_server.kiosk_secret)
    challenge = client.migration_challenge()
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    signature = persona.private_key.sign(challenge.challenge, padding.PKCS1v15(), hashes.SHA256())
    with pytest.raises(Exception, match="no_old_link"):
        client.submit_migration(challenge_id=challenge.challenge_id, card_number=persona.library_card,
                                certificate_der=persona.cert_der, signature=signature)
    admin = _login(live_server, live_server.staff_id, live_server.staff_pin)
    rows = admin.get(live_server.base_url + "/v1/staff/audit", params={"limit": 1000}, timeout=10).json()
    refused = [r for r in rows if r["card_number"] == persona.library_card and r["outcome"] == "no_old_link"]
    assert refused and refused[-1]["actor_id"] == live_server.kiosk_id
    assert any(r["action"] == "staff.login" and r["actor_id"] == counter_id for r in rows)
    # Row ids and timestamps are digits too (a PIN can turn up in a time's microseconds): search the rest.
    text = str([{k: v for k, v in r.items() if k not in ("id", "at")} for r in rows])
    cert_b64 = base64.b64encode(persona.cert_der).decode()
    assert cert_b64[:40] not in text and "8642" not in text and live_server.staff_pin not in text


def test_revoked_kiosk_gets_401(live_server: ServerProcess, monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SERVER_DATABASE_URL", live_server.database_url)
    kiosk_id = "kiosk-" + uuid.uuid4().hex[:6]
    assert main(["admin", "kiosk-create", kiosk_id]) == 0
    secret = capsys.readouterr().out.strip().splitlines()[-1]
    client = KioskApiClient(live_server.base_url, kiosk_id, secret)
    assert client.card_expiry("2000000105").card_number == "2000000105"
    assert main(["admin", "kiosk-revoke", kiosk_id]) == 0
    with pytest.raises(Exception, match="unknown_kiosk"):
        client.card_expiry("2000000105")
