"""Schemathesis runs the server's own OpenAPI document against the live server (both databases).

Bounded and derandomized so CI is repeatable. Requests are signed as the demo kiosk and carry a
staff token, so generated data reaches the handlers instead of stopping at authentication.
Valid and invalid (negative) data. Properties: no 5xx, and every error is the API's JSON error shape with a known code.
"""

from __future__ import annotations

import itertools
import uuid

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from kiosk.api import HmacAuth
from server.errors import ERRORS
from tests.security.fuzzing import examples
from tests.security.routes import documented_api_routes
from tests.support.server_proc import ServerProcess

# Per operation and generation mode; bounded so both databases fit in CI's time budget
# (`make fuzz`, HYPOTHESIS_PROFILE=long, multiplies it and drops the fixed seed).
EXAMPLES = examples(10)
# Groups of routes that must be fuzzed (a path prefix each): kiosk, staff, counter, tickets, fleet, public.
MUST_COVER = ("/health", "/v1/cards/", "/v1/migrations", "/v1/staff/", "/v1/counter/", "/v1/tickets",
              "/v1/alerts", "/v1/kiosk/", "/v1/fleet/", "/v1/lobby")


def staff_token(server: ServerProcess) -> str:
    login = requests.post(server.base_url + "/v1/staff/sessions",
                          json={"staff_id": server.staff_id, "pin": server.staff_pin}, timeout=10)
    return login.json()["token"]


@pytest.fixture
def fuzz_session(live_server: ServerProcess) -> requests.Session:
    session = requests.Session()
    session.auth = HmacAuth(live_server.kiosk_id, live_server.kiosk_secret)
    session.headers["Authorization"] = f"Bearer {staff_token(live_server)}"
    # Fuzzed sign-ins fail and lock their client address: an address of their own (uvicorn takes
    # X-Forwarded-For from 127.0.0.1), not 127.0.0.1, which the other tests of this server sign in from.
    session.headers["X-Forwarded-For"] = "10.254.254.254"
    return session


def test_api_never_fails_with_a_server_error(live_server: ServerProcess, fuzz_session) -> None:  # type: ignore[no-untyped-def]
    # The pytest integration of schemathesis (from_fixture) does not run under pytest 9, so each
    # operation's hypothesis strategy is driven here directly.
    api = schemathesis.openapi.from_url(live_server.base_url + "/openapi.json")
    operations = [result.ok() for result in api.get_all_operations()]
    fuzzed = {(operation.method.upper(), operation.path) for operation in operations}
    # Every documented route of the app (tickets, counter, fleet included), nothing left out.
    assert fuzzed == documented_api_routes()
    assert all(any(path.startswith(prefix) for _, path in fuzzed) for prefix in MUST_COVER)
    answered: dict[tuple[str, str], set[int]] = {key: set() for key in fuzzed}
    for operation, mode in itertools.product(operations, GenerationMode):

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case) -> None:  # type: ignore[no-untyped-def]
            headers = {"Idempotency-Key": str(uuid.uuid4())}
            if (case.method.upper(), case.path) == ("DELETE", "/v1/staff/sessions"):
                # Log out ends the token it is sent with: each case ends a session of its own.
                headers["Authorization"] = f"Bearer {staff_token(live_server)}"
            response = case.call(base_url=live_server.base_url, session=fuzz_session, headers=headers, timeout=15)
            assert response.status_code < 500, (case.method, case.path, response.status_code, response.text)
            answered[(case.method.upper(), case.path)].add(response.status_code)
            if response.status_code >= 400:
                error = response.json()["error"]
                assert error["code"] in ERRORS, error
                assert error["message_ja"] and error["message_en"]

        try:
            check()
        except Unsatisfiable:
            # An operation without parameters or body (GET /health) has no invalid input to make.
            assert mode is GenerationMode.NEGATIVE, operation.label
    # Signed and logged in: generated requests reach the handlers, not only the authentication.
    only_refused = sorted(key for key, statuses in answered.items() if statuses <= {401, 403})
    assert not only_refused, only_refused
