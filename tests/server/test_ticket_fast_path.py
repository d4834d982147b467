"""POST /v1/tickets is answered ahead of FastAPI's router (server/api/fast_tickets.py): every answer,
good or refused, is the one the declared route gives when the fast path is taken out of the app."""

from __future__ import annotations

import json
import uuid

import pytest
from fastapi.testclient import TestClient

from protocol import signing
from server.api.fast_tickets import TicketIssueFastPath
from server.app import create_app
from server.state import AppState

KIOSK_ID, SECRET = "kiosk-demo-01", "test-kiosk-secret-0123456789"
ALWAYS_OPEN = {"counter_hours_weekday": ("00:00", "24:00"), "counter_hours_weekend": ("00:00", "24:00"),
               "closed_weekdays": [], "closed_dates": []}


def apps(state: AppState) -> tuple[TestClient, TestClient]:
    """The app as served, and the same app with only the declared FastAPI route."""
    state.settings = state.settings.model_copy(update=ALWAYS_OPEN)
    state.ticket_writer = type(state.ticket_writer)(sessions=state.sessions, write_gate=state.write_gate,
                                                    settings=state.settings, clock=state.clock)
    fast = create_app(state=state)
    plain = create_app(state=state)
    plain.user_middleware = [m for m in plain.user_middleware if m.cls is not TicketIssueFastPath]
    return TestClient(fast), TestClient(plain)


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


CASES = {
    "issued": dict(body=b'{"service": "mynumber", "reason": "renewal"}'),
    "not json": dict(body=b"{'service': 'mynumber'}"),
    "not json and unsigned": dict(body=b"{nope", secret="wrong"),
    "empty body": dict(body=b""),
    "unknown field": dict(body=b'{"service": "mynumber", "x": 1}'),
    "bad service code": dict(body=b'{"service": "my number"}'),
    "unknown service": dict(body=b'{"service": "parking"}'),
    "a list": dict(body=b'["mynumber"]'),
    "wrong secret": dict(body=b'{"service": "mynumber"}', secret="wrong"),
    "wrong secret and bad body": dict(body=b'{"x": 1}', secret="wrong"),
    "no key": dict(body=b'{"service": "mynumber"}', key=None),
    "no key and bad body": dict(body=b'{"x": 1}', key=None),
    "key too long": dict(body=b'{"service": "mynumber"}', key="k" * 129),
    "not json content type": dict(body=b'{"service": "mynumber"}', headers={"Content-Type": "text/plain"}),
}


@pytest.mark.parametrize("case", CASES)
def test_the_fast_path_answers_as_the_route(state: AppState, case: str) -> None:
    fast, plain = apps(state)
    assert send(fast, **CASES[case]) == send(plain, **CASES[case])


def test_a_retry_through_either_path_gets_the_same_ticket(state: AppState) -> None:
    fast, plain = apps(state)
    key, body = str(uuid.uuid4()), b'{"service": "other"}'
    first = fast.post("/v1/tickets", content=body, headers={
        **signing.signed_headers(kiosk_id=KIOSK_ID, secret=SECRET, method="POST", path_with_query="/v1/tickets",
                                 body=body), "Content-Type": "application/json", "Idempotency-Key": key})
    again = plain.post("/v1/tickets", content=body, headers={
        **signing.signed_headers(kiosk_id=KIOSK_ID, secret=SECRET, method="POST", path_with_query="/v1/tickets",
                                 body=body), "Content-Type": "application/json", "Idempotency-Key": key})
    assert first.status_code == again.status_code == 201
    assert json.loads(first.content) == json.loads(again.content)
