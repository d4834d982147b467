"""Every public method of KioskApiClient fails only with the typed errors, found from the class itself (no list
of names to forget a new method on): against the real server refusing a wrong secret, and against a small
real HTTP server answering what a broken proxy or a wrong server would."""

from __future__ import annotations

import inspect
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from kiosk.api import ApiError, KioskApiClient, ServerError, ServerUnreachableError
from kiosk.api.transport import Outgoing
from kiosk.api.wire import KioskState, StaffEvent
from tests.support.canned_http import CannedServer, canned_server
from tests.support.server_proc import ServerProcess

# A value for each parameter name the client's methods take; a new method with a new required
# parameter fails `_arguments` by name until it is given one here.
_SAMPLES: dict[str, Callable[[], object]] = {
    "card_number": lambda: "2000000014",
    "challenge_id": lambda: "no-such-challenge",
    "certificate_der": lambda: b"not a certificate",
    "signature": lambda: b"not a signature",
    "idempotency_key": lambda: str(uuid.uuid4()),
    "name": lambda: "佐賀 花子",
    "address": lambda: "佐賀県佐賀市城内1-1-41",
    "birth_date": lambda: date(1990, 4, 1),
    "sex": lambda: "2",
    "phone": lambda: "0952-24-2900",
    "email": lambda: "hanako@example.jp",
    "proof": lambda: "no-such-proof",
    "service": lambda: "other",
    "ticket_id": lambda: "no-such-ticket",
    "reason": lambda: "other",
    "state": lambda: KioskState(version="0.1.0", kiosk_time=datetime.now(UTC), interval_s=60, in_service=True,
                                reader=None, reader_error=None, printer_online=True, printer_paper="ok",
                                printer_error=None, outbox_length=None, last_error=None, last_error_at=None),
    "event": lambda: StaffEvent("admin-1", "signin"),
    "outcome": lambda: {"flow": "ticket", "outcome": "done"},
}


def _public_methods() -> list[str]:
    """Every public method of the client that talks to the server (close only closes the pool)."""
    return [name for name, _ in inspect.getmembers(KioskApiClient, inspect.isfunction)
            if not name.startswith("_") and name != "close"]


def _arguments(name: str) -> dict[str, object]:
    """Keyword arguments for every required parameter of method ``name``."""
    parameters = inspect.signature(getattr(KioskApiClient, name)).parameters.values()
    required = [p.name for p in parameters if p.name != "self" and p.default is inspect.Parameter.empty]
    missing = [p for p in required if p not in _SAMPLES]
    assert not missing, f"add a sample value for {name}'s parameters {missing} to _SAMPLES"
    return {p: _SAMPLES[p]() for p in required}


def _returns_a_shape(name: str) -> bool:
    """True when the method returns something read from the answer (not None, not the raw JSON)."""
    returned = inspect.signature(getattr(KioskApiClient, name)).return_annotation
    return returned not in ("None", "dict[str, Any]")


def _call(client: KioskApiClient, name: str) -> object:
    return getattr(client, name)(**_arguments(name))


def test_the_methods_are_found_from_the_class() -> None:
    """The iteration sees the patron, fleet and clock calls alike (a guard on the guard)."""
    names = _public_methods()
    assert {"issue_ticket", "card_checkup", "renewal_request", "send_heartbeat", "check_clock"} <= set(names)
    assert len(names) >= 18


@pytest.mark.parametrize("name", _public_methods())
def test_real_server_refusing_the_secret_is_a_typed_error(live_server: ServerProcess, name: str) -> None:
    """A wrong secret: every request under /v1/ is refused as ApiError(unauthenticated, 401); only the
    unauthenticated health checks answer."""
    client = KioskApiClient(live_server.base_url, live_server.kiosk_id, "w" * 32, timeout=15)
    paths: list[str] = []
    client._transport.add_request_hook(lambda outgoing: paths.append(outgoing.path))
    try:
        try:
            _call(client, name)
        except ApiError as error:
            assert (error.code, error.status) == ("unauthenticated", 401)
            assert paths and all(path.startswith("/v1/") for path in paths)
        else:
            assert paths and not any(path.startswith("/v1/") for path in paths), f"{name} answered unsigned"
    finally:
        client.close()


@pytest.fixture(scope="module")
def answers() -> Iterator[CannedServer]:
    with canned_server() as server:
        yield server


_CONFLICT = b'{"error": {"code": "conflict", "message_ja": "\\u91cd\\u8907", "message_en": "conflict"}}'
# What a broken network or server answers, and the typed error every method must raise for it.
_BROKEN: dict[str, tuple[tuple[int, str, bytes], type[Exception]]] = {
    "api_error": ((409, "application/json", _CONFLICT), ApiError),
    "proxy_502": ((502, "text/html", b"<html>Bad Gateway</html>"), ServerError),
    "captive_portal": ((200, "text/html", b"<html>login</html>"), ServerError),
    "json_list": ((200, "application/json", b"[]"), ServerError),
    "dropped": ((0, "", b""), ServerUnreachableError),
}


@pytest.mark.parametrize("name", _public_methods())
@pytest.mark.parametrize("broken", list(_BROKEN))
def test_a_broken_answer_is_the_typed_error(answers: CannedServer, name: str, broken: str) -> None:
    answers.answer, expected = _BROKEN[broken]
    client = KioskApiClient(answers.url, "kiosk-x", "s" * 32, timeout=5)
    try:
        with pytest.raises(expected):
            _call(client, name)
    finally:
        client.close()


@pytest.mark.parametrize("name", _public_methods())
@pytest.mark.parametrize("body", [b"{}", b'{"card": {}, "services": [{}], "staff": [{}], "link": "none"}',
                                  b'{"time": "2026-06-15T10:00:00", "received_at": 5, "challenge": 7}'])
def test_an_answer_of_the_wrong_shape_is_a_server_error(answers: CannedServer, name: str, body: bytes) -> None:
    """What a method left off the old list of wrapped names would have raised as KeyError or TypeError."""
    answers.answer = (200, "application/json", body)
    client = KioskApiClient(answers.url, "kiosk-x", "s" * 32, timeout=5)
    seen: list[Outgoing] = []
    client._transport.add_request_hook(seen.append)
    try:
        if _returns_a_shape(name):
            with pytest.raises(ServerError) as info:
                _call(client, name)
            assert info.value.status == 200
        else:
            result: Any = _call(client, name)  # nothing read from the answer: any JSON object will do
            assert result is None or isinstance(result, dict)
        assert seen, f"{name} did not go through the transport"
    finally:
        client.close()
