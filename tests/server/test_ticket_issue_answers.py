"""POST /v1/tickets through the app as served: every kind of good and bad request gets its answer, the
checks in FastAPI's order (the body parsed as JSON, then the signature, the Idempotency-Key, and the
body's fields), on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import uuid

import pytest
from fastapi.testclient import TestClient

from protocol import signing
from server.app import create_app
from server.state import AppState

KIOSK_ID, SECRET = "kiosk-demo-01", "test-kiosk-secret-0123456789"
ALWAYS_OPEN = {"counter_hours_weekday": ("00:00", "24:00"), "counter_hours_weekend": ("00:00", "24:00"),
               "closed_weekdays": [], "closed_dates": []}


def app(state: AppState) -> TestClient:
    """The app as served, its counter always open."""
    state.settings = state.settings.model_copy(update=ALWAYS_OPEN)
    state.ticket_writer = type(state.ticket_writer)(sessions=state.sessions, write_gate=state.write_gate,
                                                    settings=state.settings, clock=state.clock)
    return TestClient(create_app(state=state))


def send(client: TestClient, body: bytes, *, key: str | None = "new", secret: str = SECRET,
         headers: dict | None = None) -> tuple[int, str | None]:
    signed = signing.signed_headers(kiosk_id=KIOSK_ID, secret=secret, method="POST", path_with_query="/v1/tickets",
                                    body=body)
    extra = {"Content-Type": "application/json", **(headers or {})}
    if key is not None:
        extra["Idempotency-Key"] = str(uuid.uuid4()) if key == "new" else key
    response = client.post("/v1/tickets", content=body, headers={**signed, **extra})
    answer = response.json()
    return response.status_code, answer["error"]["code"] if "error" in answer else answer["service"]


# Each case: the request, and the answer (status, error code or the ticket's service).
CASES = {
    "issued": (dict(body=b'{"service": "mynumber", "reason": "renewal"}'), (201, "mynumber")),
    "not json": (dict(body=b"{'service': 'mynumber'}"), (422, "invalid_request")),
    "not json and unsigned": (dict(body=b"{nope", secret="wrong"), (422, "invalid_request")),
    "empty body": (dict(body=b""), (422, "invalid_request")),
    "unknown field": (dict(body=b'{"service": "mynumber", "x": 1}'), (422, "invalid_request")),
    "bad service code": (dict(body=b'{"service": "my number"}'), (422, "invalid_request")),
    "unknown service": (dict(body=b'{"service": "parking"}'), (422, "unknown_service")),
    "a list": (dict(body=b'["mynumber"]'), (422, "invalid_request")),
    "wrong secret": (dict(body=b'{"service": "mynumber"}', secret="wrong"), (401, "unauthenticated")),
    "wrong secret and bad body": (dict(body=b'{"x": 1}', secret="wrong"), (401, "unauthenticated")),
    "no key": (dict(body=b'{"service": "mynumber"}', key=None), (400, "idempotency_key_required")),
    "no key and bad body": (dict(body=b'{"x": 1}', key=None), (400, "idempotency_key_required")),
    "key too long": (dict(body=b'{"service": "mynumber"}', key="k" * 129), (400, "idempotency_key_required")),
    "not json content type": (dict(body=b'{"service": "mynumber"}', headers={"Content-Type": "text/plain"}),
                              (415, "unsupported_media_type")),
}


@pytest.mark.parametrize("case", CASES)
def test_each_kind_of_request_gets_its_answer(state: AppState, case: str) -> None:
    sent, expected = CASES[case]
    assert send(app(state), **sent) == expected


def test_a_retry_with_the_same_key_gets_the_same_ticket(state: AppState) -> None:
    client = app(state)
    key, body = str(uuid.uuid4()), b'{"service": "other"}'
    answers = [client.post("/v1/tickets", content=body, headers={
        **signing.signed_headers(kiosk_id=KIOSK_ID, secret=SECRET, method="POST", path_with_query="/v1/tickets",
                                 body=body), "Content-Type": "application/json", "Idempotency-Key": key})
        for _ in range(2)]
    assert answers[0].status_code == answers[1].status_code == 201
    assert json.loads(answers[0].content) == json.loads(answers[1].content)
