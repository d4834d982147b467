"""Kiosk request authentication over real HTTP against the real server process (SQLite).

Every kiosk route of the app refuses an unsigned request; a signed request is refused, with a
stable 401 code, when anything it signed was changed on the way (body, path, query, method,
kiosk id), when its nonce was seen before, or when its timestamp is outside the window. Each
refusal has a control: the same request, correctly signed, succeeds. A refused state change
leaves nothing behind.

Covered elsewhere and not repeated here: a replay sent to a second server process on the same
PostgreSQL (tests/server/test_api_shared_state.py::test_a_replay_to_another_process_is_rejected),
revoked and rotated kiosk secrets (tests/server/test_api_shared_state.py::test_revoked_kiosk_gets_401,
tests/server/test_fleet_http.py::test_rotated_and_revoked_secrets_are_refused_at_once).
"""

from __future__ import annotations

import json
import time
import uuid

import pytest
import requests

from protocol import signing
from server.__main__ import main as server_main
from server.api.deps import authenticated_kiosk, current_staff
from tests.security.routes import app_routes
from tests.support.server_proc import ServerProcess

WINDOW_S = 120  # the server's default auth_window_seconds, which security_server keeps

# One well-formed request per kiosk route: (path, JSON body or None). A kiosk route missing here
# fails test_every_kiosk_route_is_listed, so a new route cannot slip past these tests.
EXAMPLES: dict[tuple[str, str], tuple[str, dict | None]] = {
    ("GET", "/v1/cards/{card_number}/expiry"): ("/v1/cards/2000000105/expiry", None),
    ("POST", "/v1/cards/by-mynumber/expiry"): (
        "/v1/cards/by-mynumber/expiry", {"challenge_id": "c", "certificate": "AA==", "signature": "AA=="}),
    ("POST", "/v1/cards/challenges"): ("/v1/cards/challenges", {}),
    ("POST", "/v1/migrations/challenges"): ("/v1/migrations/challenges", {}),
    ("POST", "/v1/migrations"): ("/v1/migrations", {"challenge_id": "c", "certificate": "AA==",
                                                    "signature": "AA==", "card_number": "2000000014"}),
    ("GET", "/v1/tickets/services"): ("/v1/tickets/services", None),
    ("POST", "/v1/tickets"): ("/v1/tickets", {"service": "other"}),
    ("POST", "/v1/tickets/{ticket_id}/printed"): ("/v1/tickets/unknown-ticket/printed", {"reprint": False}),
    ("POST", "/v1/alerts"): ("/v1/alerts", {"reason": "help"}),
    ("GET", "/v1/kiosk/maintenance-credentials"): ("/v1/kiosk/maintenance-credentials", None),
    ("GET", "/v1/kiosk/staff-credentials"): ("/v1/kiosk/staff-credentials", None),
    ("POST", "/v1/kiosk/heartbeat"): ("/v1/kiosk/heartbeat", {}),
    ("POST", "/v1/kiosk/audit"): ("/v1/kiosk/audit", {}),
    ("POST", "/v1/renewals/proofs"): ("/v1/renewals/proofs", {"challenge_id": "c", "certificate": "AA==",
                                                              "signature": "AA==", "card_number": "2000000121"}),
    ("POST", "/v1/renewals/compare"): ("/v1/renewals/compare", {"card_number": "2000000121", "name": "n",
                                                                "address": "a", "birth_date": "1990-01-01"}),
    ("POST", "/v1/renewals"): ("/v1/renewals", {"card_number": "2000000121", "name": "n", "address": "a",
                                                "birth_date": "1990-01-01"}),
    ("POST", "/v1/kiosk/outcomes"): ("/v1/kiosk/outcomes", {}),
    ("GET", "/v1/registration/accepted-ids"): ("/v1/registration/accepted-ids", None),
    ("POST", "/v1/registration/applications"): (
        "/v1/registration/applications", {"challenge_id": "c", "certificate": "AA==", "signature": "AA==",
                                          "name": "n", "address": "a", "birth_date": "1990-01-01", "sex": "9",
                                          "phone": "0952-24-2900"}),
    ("POST", "/v1/cards/by-mynumber/checkup"): (
        "/v1/cards/by-mynumber/checkup", {"challenge_id": "c", "certificate": "AA==", "signature": "AA=="}),
}
# Routes anyone may call: health, staff login (the PIN is the credential), and the lobby board, its calls'
# audio and ticket status views, which carry no personal data (server/tickets/lobby_router.py, callout_router.py).
PUBLIC_API = {
    ("GET", "/health"), ("POST", "/v1/staff/sessions"), ("GET", "/v1/lobby"), ("GET", "/v1/lobby/events"),
    ("GET", "/v1/lobby/calls/{key}/audio"),
    ("GET", "/v1/tickets/status/{token}"), ("GET", "/v1/tickets/status/{token}/events"), ("GET", "/v1/events"),
    # Kiosk enrollment: the one-time code is the credential, failures are rate-limited (server/fleet/enroll.py).
    ("POST", "/v1/kiosk/enroll"),
}


def _send(server: ServerProcess, method: str, path: str, body: bytes, headers: dict[str, str]) -> requests.Response:
    headers = {"Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4()), **headers}
    # No redirects followed: each test sees the answer to exactly the request it made.
    return requests.request(method, server.base_url + path, data=body, headers=headers, timeout=10,
                            allow_redirects=False)


def _sign(server: ServerProcess, method: str, path: str, body: bytes, **overrides: object) -> dict[str, str]:
    kiosk_id = str(overrides.pop("kiosk_id", server.kiosk_id))
    secret = str(overrides.pop("secret", server.kiosk_secret))
    return signing.signed_headers(kiosk_id=kiosk_id, secret=secret, method=method, path_with_query=path,
                                  body=body, **overrides)  # type: ignore[arg-type]


def _assert_refused(response: requests.Response, code: str) -> None:
    assert response.status_code == 401, (response.status_code, response.text)
    error = response.json()["error"]
    assert error["code"] == code, error
    assert error["message_ja"] and error["message_en"]


def _body(example: dict | None) -> bytes:
    return b"" if example is None else json.dumps(example).encode()


def test_every_kiosk_route_is_listed_and_no_other_api_route_is_open_by_accident() -> None:
    routes = app_routes()
    kiosk = {key for key, calls in routes.items() if authenticated_kiosk in calls}
    assert kiosk == set(EXAMPLES)
    api = {key for key in routes if key[1].startswith("/v1/") or key[1] == "/health"}
    unauthenticated = {key for key in api - kiosk if current_staff not in routes[key]}
    assert unauthenticated <= PUBLIC_API, unauthenticated - PUBLIC_API


@pytest.mark.parametrize(("method", "route"), sorted(EXAMPLES))
def test_kiosk_route_refuses_unsigned_and_wrongly_signed_requests(
    security_server: ServerProcess, method: str, route: str
) -> None:
    path, example = EXAMPLES[(method, route)]
    body = _body(example)
    _assert_refused(_send(security_server, method, path, body, {}), "unauthenticated")
    # Signed with a secret that is not the kiosk's.
    wrong = _sign(security_server, method, path, body, secret="not-the-kiosk-secret-0123456789")
    _assert_refused(_send(security_server, method, path, body, wrong), "unauthenticated")
    # Each signed header missing in turn.
    for header in signing.SIGNED_HEADERS:
        partial = {k: v for k, v in _sign(security_server, method, path, body).items() if k != header}
        _assert_refused(_send(security_server, method, path, body, partial), "unauthenticated")


def test_signed_request_is_accepted_once(security_server: ServerProcess) -> None:
    body = _body({"service": "other"})
    headers = _sign(security_server, "POST", "/v1/tickets", body)
    first = _send(security_server, "POST", "/v1/tickets", body, headers)
    assert first.status_code == 201, first.text
    # The same signed request again, even with a fresh Idempotency-Key (which is not signed).
    _assert_refused(_send(security_server, "POST", "/v1/tickets", body, headers), "replayed_request")
    # The same nonce under a new, valid signature over another body is still a replay.
    other = _body({"service": "registration"})
    resigned = signing.sign(secret=security_server.kiosk_secret, method="POST", path_with_query="/v1/tickets",
                            timestamp=headers[signing.HEADER_TIMESTAMP], nonce=headers[signing.HEADER_NONCE],
                            body=other)
    _assert_refused(_send(security_server, "POST", "/v1/tickets", other,
                          {**headers, signing.HEADER_SIGNATURE: resigned}), "replayed_request")


@pytest.mark.parametrize(("method", "route"), sorted(EXAMPLES))
def test_every_kiosk_route_refuses_a_replay(security_server: ServerProcess, method: str, route: str) -> None:
    # Whatever the first answer was (some examples are refused by the route itself), its nonce is spent:
    # routes that record it in their own transaction (SignedKioskDep) must do so on every outcome.
    path, example = EXAMPLES[(method, route)]
    body = _body(example)
    headers = _sign(security_server, method, path, body)
    first = _send(security_server, method, path, body, headers)
    assert first.status_code != 401, first.text
    _assert_refused(_send(security_server, method, path, body, headers), "replayed_request")


@pytest.mark.parametrize("offset_s", [-(WINDOW_S + 30), WINDOW_S + 30, -10_000_000, 10_000_000])
def test_timestamp_outside_the_window_is_stale(security_server: ServerProcess, offset_s: int) -> None:
    path = "/v1/tickets/services"
    headers = _sign(security_server, "GET", path, b"", now=time.time() + offset_s)
    _assert_refused(_send(security_server, "GET", path, b"", headers), "stale_request")


@pytest.mark.parametrize("offset_s", [-(WINDOW_S - 30), WINDOW_S - 30])
def test_timestamp_inside_the_window_is_accepted(security_server: ServerProcess, offset_s: int) -> None:
    # The control of the stale test: a kiosk clock off by less than the window still works.
    path = "/v1/tickets/services"
    headers = _sign(security_server, "GET", path, b"", now=time.time() + offset_s)
    assert _send(security_server, "GET", path, b"", headers).status_code == 200


@pytest.mark.parametrize("timestamp", ["", "abc", "1.5e9", "0x10", "99999999999999999999999999", "-1", "1_700_000_000"])
def test_malformed_timestamp_is_refused(security_server: ServerProcess, timestamp: str) -> None:
    path = "/v1/tickets/services"
    headers = _sign(security_server, "GET", path, b"")
    headers[signing.HEADER_TIMESTAMP] = timestamp
    headers[signing.HEADER_SIGNATURE] = signing.sign(
        secret=security_server.kiosk_secret, method="GET", path_with_query=path, timestamp=timestamp,
        nonce=headers[signing.HEADER_NONCE], body=b"")
    response = _send(security_server, "GET", path, b"", headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] in ("unauthenticated", "stale_request")


def _count_tickets(server: ServerProcess) -> int:
    token = requests.post(server.base_url + "/v1/staff/sessions",
                          json={"staff_id": server.staff_id, "pin": server.staff_pin}, timeout=10).json()["token"]
    response = requests.get(server.base_url + "/v1/counter/tickets",
                            headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert response.status_code == 200, response.text
    return len(response.json())


def test_altered_body_is_refused_and_changes_nothing(security_server: ServerProcess) -> None:
    before = _count_tickets(security_server)
    signed_body = _body({"service": "other"})
    headers = _sign(security_server, "POST", "/v1/tickets", signed_body)
    for altered in (_body({"service": "registration"}), signed_body + b" ", _body({"service": "other", "x": 1})):
        _assert_refused(_send(security_server, "POST", "/v1/tickets", altered, headers), "unauthenticated")
    # A body that is not JSON at all is turned away before authentication (422), also with no effect.
    response = _send(security_server, "POST", "/v1/tickets", signed_body.replace(b'"', b"'"), headers)
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_request"
    assert _count_tickets(security_server) == before
    # Control: the body that was signed, with the same headers, still goes through (its nonce was never stored).
    assert _send(security_server, "POST", "/v1/tickets", signed_body, headers).status_code == 201
    assert _count_tickets(security_server) == before + 1


@pytest.mark.parametrize(
    ("signed_path", "sent_path"),
    [
        ("/v1/cards/2000000105/expiry", "/v1/cards/2000000113/expiry"),  # another card
        ("/v1/tickets/services", "/v1/tickets/services?x=1"),  # query added
        ("/v1/tickets/services?lang=ja", "/v1/tickets/services?lang=en"),  # query changed
        ("/v1/tickets/services?lang=ja", "/v1/tickets/services"),  # query dropped
        ("/v1/kiosk/staff-credentials", "/v1/tickets/services"),  # another route
    ],
)
def test_altered_path_or_query_is_refused(security_server: ServerProcess, signed_path: str, sent_path: str) -> None:
    headers = _sign(security_server, "GET", signed_path, b"")
    response = _send(security_server, "GET", sent_path, b"", headers)
    if response.status_code == 404:  # a path no route has: refused before authentication, also fine
        assert response.json()["error"]["code"] == "not_found"
        return
    _assert_refused(response, "unauthenticated")
    # Control: signed for what is sent, it is accepted.
    assert _send(security_server, "GET", sent_path, b"", _sign(security_server, "GET", sent_path, b"")).status_code \
        == 200


def test_altered_method_is_refused(security_server: ServerProcess) -> None:
    body = _body({"reprint": False})
    headers = _sign(security_server, "PUT", "/v1/tickets", body)
    _assert_refused(_send(security_server, "POST", "/v1/tickets", body, headers), "unauthenticated")


def test_signature_of_one_kiosk_under_another_id_is_refused(
    security_server: ServerProcess, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SERVER_DATABASE_URL", security_server.database_url)
    other_id = "kiosk-" + uuid.uuid4().hex[:8]
    assert server_main(["admin", "kiosk-create", other_id]) == 0
    other_secret = capsys.readouterr().out.strip().splitlines()[-1]
    path = "/v1/tickets/services"
    # Signed with the demo kiosk's secret, sent under the other (registered, active) kiosk's id.
    borrowed = {**_sign(security_server, "GET", path, b""), signing.HEADER_KIOSK_ID: other_id}
    _assert_refused(_send(security_server, "GET", path, b"", borrowed), "unauthenticated")
    # An id nobody registered is refused by name, an over-long one before any lookup.
    unknown = _sign(security_server, "GET", path, b"", kiosk_id="kiosk-nobody")
    _assert_refused(_send(security_server, "GET", path, b"", unknown), "unknown_kiosk")
    too_long = {**_sign(security_server, "GET", path, b""), signing.HEADER_KIOSK_ID: "k" * 65}
    _assert_refused(_send(security_server, "GET", path, b"", too_long), "unauthenticated")
    # Control: the other kiosk's own signature is accepted.
    own = _sign(security_server, "GET", path, b"", kiosk_id=other_id, secret=other_secret)
    assert _send(security_server, "GET", path, b"", own).status_code == 200


def test_signature_is_case_insensitive_hex_but_not_truncated(security_server: ServerProcess) -> None:
    path = "/v1/tickets/services"
    headers = _sign(security_server, "GET", path, b"")
    truncated = {**headers, signing.HEADER_SIGNATURE: headers[signing.HEADER_SIGNATURE][:-2]}
    _assert_refused(_send(security_server, "GET", path, b"", truncated), "unauthenticated")
    upper = {**headers, signing.HEADER_SIGNATURE: headers[signing.HEADER_SIGNATURE].upper()}
    assert _send(security_server, "GET", path, b"", upper).status_code == 200
