"""Whatever a broken or wrong server answers, the kiosk's API client returns a result or raises one of its
typed errors (KioskApiError): over real HTTP, from a local server that answers what Hypothesis chose."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.api import KioskApiClient, KioskApiError
from kiosk.api.wire import StaffEvent
from tests.security.fuzzing import examples
from tests.support.canned_http import CannedServer, canned_server


@pytest.fixture(scope="module")
def answers() -> Iterator[CannedServer]:
    with canned_server() as server:
        yield server


# Keys the client reads, so generated objects often look almost right.
_KEYS = ["card_number", "valid_until", "renewable_from", "days_left", "status", "today", "challenge_id", "challenge",
         "expires_at", "reference_code", "open", "opens_at", "closes_at", "services", "service", "prefix", "name_ja",
         "name_en", "waiting", "wait_minutes", "ticket_id", "number", "service_ja", "service_en", "issued_at",
         "people_ahead", "status_url", "print_count", "id", "reason", "created_at", "staff", "staff_id", "role",
         "link", "card", "migration_reference", "reference", "kiosk_id",
         "pin_hash", "time", "auth_window_s", "received_at", "error", "code", "message_ja", "message_en", "details"]
_scalars = st.one_of(st.none(), st.booleans(), st.integers(-2**40, 2**40), st.floats(allow_nan=False),
                     st.sampled_from(["2026-06-15", "2026-06-15T10:00:00+09:00", "AAAA", "x", ""]), st.text(max_size=8))
_json = st.recursive(_scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.sampled_from(_KEYS), inner, max_size=8)),
                     max_leaves=20)
_bodies = st.one_of(_json.map(lambda value: json.dumps(value).encode()), st.binary(max_size=40))
_statuses = st.sampled_from([200, 201, 204, 400, 401, 404, 409, 422, 500, 502, 503])


def _calls(client: KioskApiClient) -> list:  # type: ignore[type-arg]
    state = SimpleNamespace(to_json=lambda: {"version": "1"})
    event = StaffEvent(staff_id="s", action="a", outcome="ok", at=datetime.now(UTC), detail={}, event_id="e1")
    return [
        client.health, client.check_clock, lambda: client.card_expiry("2000000105"), client.migration_challenge,
        lambda: client.submit_migration(challenge_id="c", card_number="2000000014", certificate_der=b"x",
                                        signature=b"y"),
        lambda: client.expiry_by_mynumber(challenge_id="c", certificate_der=b"x", signature=b"y"),
        lambda: client.card_checkup(challenge_id="c", certificate_der=b"x", signature=b"y"),
        client.ticket_services, lambda: client.issue_ticket("other", idempotency_key="k"),
        lambda: client.mark_ticket_printed("t", idempotency_key="k"),
        lambda: client.call_staff("r", idempotency_key="k"),
        client.maintenance_credentials, lambda: client.send_heartbeat(state), lambda: client.record_staff_action(event),
    ]


@settings(max_examples=examples(60))
@given(status=_statuses, body=_bodies, json_type=st.booleans())
def test_any_answer_is_a_result_or_a_typed_error(answers: CannedServer, status: int, body: bytes,
                                                 json_type: bool) -> None:
    answers.answer = (status, "application/json" if json_type else "text/html", body)
    client = KioskApiClient(answers.url, "kiosk-x", "s" * 32, timeout=5)
    try:
        for call in _calls(client):
            try:
                call()
            except KioskApiError:
                pass
    finally:
        client.close()
