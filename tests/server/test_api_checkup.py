"""The card check-up endpoint over HTTP against the real server process, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from kiosk.api import ApiError, KioskApiClient
from tests.server.test_api_migrations import api_code, kiosk, sign, staff_session, submit
from tests.support.server_proc import ServerProcess

ROOT = Path(__file__).resolve().parents[2]


def check_up(client: KioskApiClient, persona, key=None):  # type: ignore[no-untyped-def]
    challenge = client.migration_challenge()
    return client.card_checkup(challenge_id=challenge.challenge_id, certificate_der=persona.cert_der,
                               signature=sign(key or persona.private_key, challenge.challenge),
                               idempotency_key=str(uuid.uuid4()))


def audit_csv(server: ServerProcess) -> str:
    result = subprocess.run([sys.executable, "-m", "server", "admin", "audit-export"], cwd=ROOT, env=server.env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_old_scheme_link_is_reported_with_the_card_and_audited(live_server: ServerProcess, test_pki) -> None:  # type: ignore[no-untyped-def]
    persona = test_pki.personas["different_pins"]  # old-scheme link, never migrated in the server tests
    found = check_up(kiosk(live_server), persona)
    assert found.link == "old"
    # The demo data set has this patron's card expired (the renewal demo: moved since registering).
    assert found.card is not None and found.card.card_number == "2000000071" and found.card.status == "expired"
    assert found.migration_reference is None
    assert found.reference.startswith("C-") and len(found.reference) == 8
    exported = audit_csv(live_server)
    (row,) = [line for line in exported.splitlines() if found.reference in line]
    assert "checkup.card" in row and "2000000071" in row and '""link"": ""old""' in row


def test_a_card_with_no_link_is_told_so_without_a_library_card(live_server: ServerProcess, test_pki) -> None:  # type: ignore[no-untyped-def]
    found = check_up(kiosk(live_server), test_pki.personas["no_old_link"])
    assert (found.link, found.card, found.migration_reference) == ("none", None, None)


def test_held_switch_then_mykey_once_the_counter_confirms(staff_policy_server: ServerProcess, test_pki) -> None:  # type: ignore[no-untyped-def]
    """Held for staff: the check-up reports the old link and the held switch's reference; confirmed, MyKey."""
    persona = test_pki.personas["blocked"]  # its PIN is blocked on the card; the server sees only signatures
    client = kiosk(staff_policy_server)
    held = submit(staff_policy_server, persona)
    assert held.status == "pending"
    found = check_up(client, persona)
    assert (found.link, found.migration_reference) == ("old", held.reference_code)
    confirmed = staff_session(staff_policy_server).post(
        f"{staff_policy_server.base_url}/v1/staff/migrations/{held.reference_code}/confirm", timeout=10)
    assert confirmed.status_code == 200, confirmed.text
    found = check_up(client, persona)
    assert (found.link, found.migration_reference) == ("mykey", None)
    assert found.card is not None and found.card.card_number == "2000000048"


def test_no_disclosure_without_the_cards_signature(live_server: ServerProcess, test_pki) -> None:  # type: ignore[no-untyped-def]
    """Someone with the certificate (it is not secret) but not the card's key learns nothing."""
    persona = test_pki.personas["normal"]
    stranger = test_pki.personas["no_old_link"]
    error = api_code(lambda: check_up(kiosk(live_server), persona, key=stranger.private_key))
    assert isinstance(error, ApiError) and error.code == "bad_signature"
    assert "2000000014" not in (error.message_ja + error.message_en)


def test_revoked_certificate_is_refused(live_server: ServerProcess, test_pki) -> None:  # type: ignore[no-untyped-def]
    error = api_code(lambda: check_up(kiosk(live_server), test_pki.personas["revoked_cert"]))
    assert error.code == "certificate_revoked"


def test_unsigned_requests_are_refused(live_server: ServerProcess, test_pki) -> None:  # type: ignore[no-untyped-def]
    persona = test_pki.personas["normal"]
    body = {"challenge_id": "x", "certificate": base64.b64encode(persona.cert_der).decode(),
            "signature": base64.b64encode(persona.private_key.sign(b"x", padding.PKCS1v15(),
                                                                   hashes.SHA256())).decode()}
    response = requests.post(live_server.base_url + "/v1/cards/by-mynumber/checkup", json=body, timeout=10)
    assert response.status_code == 401


def test_the_client_records_what_each_patron_request_sent_and_nothing_else(live_server: ServerProcess,
                                                                             test_pki) -> None:  # type: ignore[no-untyped-def]
    client = kiosk(live_server)
    client.health()
    client.check_clock()
    assert client.disclosures.snapshot().sent == (), "background calls carry no patron data and are not listed"
    check_up(client, test_pki.personas["normal"])
    client.card_expiry("2000000105")
    with pytest.raises(ApiError):
        client.card_expiry("2000000154")  # refused, but the number left the kiosk: listed all the same
    sent = client.disclosures.snapshot()
    assert [(s.purpose, s.fields) for s in sent.sent] == [
        ("challenge", ()), ("checkup", ("challenge_id", "certificate", "signature")),
        ("expiry", ("card_number",)), ("expiry", ("card_number",)),
    ]
    assert sent.fields == ("challenge_id", "certificate", "signature", "card_number")
    reference = sent.session_reference
    client.disclosures.clear()
    assert client.disclosures.snapshot().sent == ()
    assert client.disclosures.snapshot().session_reference != reference
