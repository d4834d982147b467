"""The HTTP API over real HTTP against the real server process, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import time
import uuid

import pytest
import requests

from kiosk.api import ApiError, HmacAuth, KioskApiClient, ServerUnreachableError
from protocol import signing
from tests.server.conftest import TODAY
from tests.support.ports import free_port
from tests.support.server_proc import ServerProcess


@pytest.fixture
def client(live_server: ServerProcess) -> KioskApiClient:
    return KioskApiClient(live_server.base_url, live_server.kiosk_id, live_server.kiosk_secret, timeout=10)


def signed(live_server: ServerProcess) -> requests.Session:
    session = requests.Session()
    session.auth = HmacAuth(live_server.kiosk_id, live_server.kiosk_secret)
    return session


def assert_error(response: requests.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message_ja"] and error["message_en"]


def test_health_and_openapi(live_server: ServerProcess, client: KioskApiClient) -> None:
    assert client.health() == {"status": "ok", "database": "ok", "patron_source": {
        "kind": "database", "state": "ok", "last_success_at": None, "last_error_at": None, "last_error": None}}
    document = requests.get(live_server.base_url + "/openapi.json", timeout=5).json()
    assert "/v1/cards/{card_number}/expiry" in document["paths"]
    assert "/v1/migrations" in document["paths"]


@pytest.mark.parametrize(
    ("card", "status", "valid_until"),
    [("2000000105", "valid", None), ("2000000113", "renewable", None), ("2000000121", "expired", None),
     ("2000000139", "valid", "2027-02-28")],
)
def test_card_expiry_by_number(client: KioskApiClient, card: str, status: str, valid_until: str | None) -> None:
    expiry = client.card_expiry(card)
    assert expiry.status == status
    assert expiry.today == TODAY
    # Told to the month by default (the day is the birthday): tests/server/test_renewal_proofs.py has the day.
    assert (expiry.precision, expiry.days_left, expiry.valid_until.day) == ("month", None, 1)
    if valid_until:
        assert expiry.valid_until.isoformat()[:7] == valid_until[:7]


def test_card_expiry_errors(client: KioskApiClient) -> None:
    with pytest.raises(ApiError) as info:
        client.card_expiry("2000000015")
    assert info.value.code == "malformed_card_number" and info.value.status == 422
    with pytest.raises(ApiError) as info:
        client.card_expiry("3000000004")
    assert info.value.code == "unknown_patron" and "2階" in info.value.message_ja


def test_unsigned_wrong_and_replayed_requests_get_401(live_server: ServerProcess) -> None:
    url = live_server.base_url + "/v1/cards/2000000105/expiry"
    assert_error(requests.get(url, timeout=5), 401, "unauthenticated")
    wrong = requests.Session()
    wrong.auth = HmacAuth(live_server.kiosk_id, "not-the-secret-at-all")
    assert_error(wrong.get(url, timeout=5), 401, "unauthenticated")
    unknown = requests.Session()
    unknown.auth = HmacAuth("kiosk-unknown", live_server.kiosk_secret)
    assert_error(unknown.get(url, timeout=5), 401, "unknown_kiosk")
    headers = signing.signed_headers(kiosk_id=live_server.kiosk_id, secret=live_server.kiosk_secret, method="GET",
                                     path_with_query="/v1/cards/2000000105/expiry", body=b"")
    assert requests.get(url, headers=headers, timeout=5).status_code == 200
    assert_error(requests.get(url, headers=headers, timeout=5), 401, "replayed_request")
    stale = signing.signed_headers(kiosk_id=live_server.kiosk_id, secret=live_server.kiosk_secret, method="GET",
                                   path_with_query="/v1/cards/2000000105/expiry", body=b"",
                                   now=time.time() - 600)
    assert_error(requests.get(url, headers=stale, timeout=5), 401, "stale_request")


def test_body_limits_and_content_type(live_server: ServerProcess) -> None:
    session = signed(live_server)
    url = live_server.base_url + "/v1/migrations"
    big = json.dumps({"challenge_id": "x", "certificate": "A" * 70000, "signature": "AA==", "card_number": "1"})
    assert_error(session.post(url, data=big, headers={"Content-Type": "application/json",
                                                      "Idempotency-Key": "k1"}, timeout=5), 413, "body_too_large")
    assert_error(session.post(url, data="card=2000000014", headers={"Content-Type": "text/plain",
                                                                    "Idempotency-Key": "k2"}, timeout=5),
                 415, "unsupported_media_type")
    assert_error(session.post(url, data="{not json", headers={"Content-Type": "application/json",
                                                              "Idempotency-Key": "k3"}, timeout=5),
                 422, "invalid_request")


def test_chunked_oversized_body_is_refused(live_server: ServerProcess) -> None:
    def chunks():  # type: ignore[no-untyped-def]
        # No Content-Length: the guard must count what actually arrives.
        yield b'{"challenge_id": "'
        for _ in range(20):
            yield b"A" * 4096
        yield b'"}'

    # Unsigned (a stream cannot be signed): the guard answers before authentication.
    response = requests.post(live_server.base_url + "/v1/migrations", data=chunks(),
                                        headers={"Content-Type": "application/json", "Idempotency-Key": "k4"},
                                        timeout=10)
    assert_error(response, 413, "body_too_large")


def test_nul_characters_are_refused_everywhere(live_server: ServerProcess) -> None:
    session = signed(live_server)
    response = session.post(live_server.base_url + "/v1/staff/sessions", data=b'{"staff_id": "a\\u0000b", "pin": "1"}',
                             headers={"Content-Type": "application/json"}, timeout=5)
    assert_error(response, 422, "invalid_request")
    assert_error(requests.get(live_server.base_url + "/v1/cards/20000%0000014/expiry", timeout=5), 422,
                 "invalid_request")
    assert_error(requests.get(live_server.base_url + "/v1/staff/migrations?status=pend%00ing", timeout=5), 422,
                 "invalid_request")


def test_an_overlong_timestamp_is_refused_before_authentication(live_server: ServerProcess) -> None:
    path = "/v1/tickets/services"
    for timestamp in ("9" * 400, "1" * 13, "+1", "1_000", "-5"):
        headers = signing.signed_headers(kiosk_id=live_server.kiosk_id, secret=live_server.kiosk_secret,
                                         method="GET", path_with_query=path, body=b"")
        headers[signing.HEADER_TIMESTAMP] = timestamp
        assert_error(requests.get(live_server.base_url + path, headers=headers, timeout=10), 401, "unauthenticated")


def _kiosk_audit(detail: dict[str, str]) -> dict[str, object]:
    return {"staff_id": "-", "action": "sign_in", "outcome": "failed", "detail": detail,
            "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


def test_a_lone_surrogate_is_refused_and_a_pair_is_kept(live_server: ServerProcess) -> None:
    session = signed(live_server)
    url = live_server.base_url + "/v1/kiosk/audit"
    # requests writes JSON with ensure_ascii: "\udc00" goes out as the escape, which Python reads back alone.
    for lone in ("\udc00", "x\ud800", "\ud83d"):
        response = session.post(url, json=_kiosk_audit({"note": lone}), timeout=10,
                                headers={"Idempotency-Key": str(uuid.uuid4())})
        assert_error(response, 422, "invalid_request")
    # An escaped pair is one character (an emoji), kept as it is.
    kept = session.post(url, json=_kiosk_audit({"note": "\U0001f600"}), timeout=10,
                        headers={"Idempotency-Key": str(uuid.uuid4())})
    assert kept.status_code == 201, kept.text
    assert "\\ud83d\\ude00" in json.dumps(_kiosk_audit({"note": "\U0001f600"}))  # sent as the escaped pair


@pytest.mark.parametrize("route", ["/v1/stats", "/v1/stats.csv"])
def test_stats_days_off_the_calendar_are_refused(live_server: ServerProcess, route: str) -> None:
    login = requests.post(live_server.base_url + "/v1/staff/sessions", timeout=10,
                          json={"staff_id": live_server.staff_id, "pin": live_server.staff_pin})
    headers = {"Authorization": "Bearer " + login.json()["token"]}
    for query in ("start=0001-01-01", "end=0001-01-01", "start=9999-12-31", "end=9999-12-31",
                  "start=0001-01-01&end=0001-01-05", "start=9999-12-01&end=9999-12-31",
                  "start=1999-12-31&end=2000-01-05", "start=2999-12-31&end=3000-01-01"):
        response = requests.get(f"{live_server.base_url}{route}?{query}", headers=headers, timeout=10)
        assert_error(response, 422, "invalid_request")
    inside = requests.get(f"{live_server.base_url}{route}?start=2000-01-01&end=2000-01-31", headers=headers,
                          timeout=10)
    assert inside.status_code == 200, inside.text


def test_state_changes_need_an_idempotency_key(live_server: ServerProcess) -> None:
    response = signed(live_server).post(live_server.base_url + "/v1/migrations/challenges", json={}, timeout=5)
    assert_error(response, 400, "idempotency_key_required")


def test_idempotent_challenge_returns_the_first_answer(live_server: ServerProcess) -> None:
    session = signed(live_server)
    key = str(uuid.uuid4())
    url = live_server.base_url + "/v1/migrations/challenges"
    first = session.post(url, json={}, headers={"Idempotency-Key": key}, timeout=5)
    again = session.post(url, json={}, headers={"Idempotency-Key": key}, timeout=5)
    other = session.post(url, json={}, headers={"Idempotency-Key": str(uuid.uuid4())}, timeout=5)
    assert first.status_code == again.status_code == other.status_code == 201
    assert first.json() == again.json()
    assert other.json()["challenge_id"] != first.json()["challenge_id"]


def test_unknown_route_and_method_are_json_errors(live_server: ServerProcess) -> None:
    assert_error(requests.get(live_server.base_url + "/nowhere", timeout=5), 404, "not_found")
    assert_error(requests.delete(live_server.base_url + "/health", timeout=5), 405, "method_not_allowed")


def test_client_maps_an_unreachable_server() -> None:
    client = KioskApiClient(f"http://127.0.0.1:{free_port()}", "kiosk-demo-01", "x" * 20, timeout=2)
    with pytest.raises(ServerUnreachableError):
        client.health()
