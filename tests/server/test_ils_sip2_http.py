"""The expiry check through the real server process configured with patron_source = "sip2", over HTTP.

Against pysip2's SIP2 server (an implementation nobody here wrote, with login required), and against
hand-written Koha-style (expiry in DE, CRLF-ended) and Evergreen-style (expiry in PA) answers; an ILS that
answers nothing, refuses, or garbles its checksum gives ils_unreachable (503), never "expired", and the
kiosk's client and expiry work read it as such. The database runs on SQLite only: the lookups under test
do not touch it, and the database source's answers are tested on both backends in test_api_http.py.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import requests

from kiosk.api import ApiError, HmacAuth, IlsUnreachableError, KioskApiClient
from kiosk.effects.expiry import ExpiryWork
from kiosk.flows import expiry as flow
from tests.server.conftest import TODAY
from tests.server.test_api_migrations import sign
from tests.support.ports import free_port
from tests.support.server_proc import ServerProcess, start_server
from tests.support.sip2_ils import (
    EVERGREEN_64,
    EVERGREEN_SETTINGS,
    INSTITUTION,
    KOHA_64,
    KOHA_SETTINGS,
    PATRONS,
    PYSIP_SETTINGS,
    CannedIls,
    PysipIls,
    acs_status,
    patron_answer,
    silent,
    sip2_settings,
    trailer,
)


def _server(sqlite_dir: Path, port: int, **settings: str) -> ServerProcess:
    name = "sip2_" + uuid.uuid4().hex[:8]
    return start_server(database_url=f"sqlite:///{sqlite_dir / (name + '.db')}", settings={
        "SERVER_TODAY": TODAY.isoformat(), "SERVER_TYPED_NUMBER_EXPIRY_PRECISION": "day",
        **sip2_settings(port, **settings)})


@pytest.fixture(scope="module")
def pysip_ils() -> Iterator[PysipIls]:
    with PysipIls(PATRONS) as ils:
        yield ils


@pytest.fixture(scope="module")
def pysip_server(pysip_ils: PysipIls, sqlite_dir: Path) -> Iterator[ServerProcess]:
    server = _server(sqlite_dir, pysip_ils.port, **PYSIP_SETTINGS)
    try:
        yield server
    finally:
        server.stop()


def _expiry(server: ServerProcess, number: str) -> requests.Response:
    return requests.get(f"{server.base_url}/v1/cards/{number}/expiry", timeout=30,
                        auth=HmacAuth(server.kiosk_id, server.kiosk_secret))


def _facts(response: requests.Response) -> tuple[str, str, str, int]:
    assert response.status_code == 200, response.text
    body = response.json()
    return body["status"], body["valid_until"], body["renewable_from"], body["days_left"]


def _code(response: requests.Response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def test_pysip2_answers_the_expiry_check(pysip_server: ServerProcess, pysip_ils: PysipIls) -> None:
    assert requests.get(pysip_server.base_url + "/health", timeout=10).json()["patron_source"]["state"] == "unknown"
    # Renewed at the counter this morning: the server's own (CSV) record still says expired.
    assert _facts(_expiry(pysip_server, "2000000121")) == ("valid", "2029-03-01", "2029-02-01", 990)
    # The library's rule on the ILS's date: renewal opens one month before.
    assert _facts(_expiry(pysip_server, "2000000113")) == ("renewable", "2026-07-01", "2026-06-01", 16)
    assert _facts(_expiry(pysip_server, "2000000105")) == ("expired", "2026-06-14", "2026-05-14", -1)
    assert _code(_expiry(pysip_server, "2000000139")) == (409, "patron_inactive")  # no date, charge denied
    assert _code(_expiry(pysip_server, "2000000048")) == (409, "patron_inactive")  # card reported lost
    assert _code(_expiry(pysip_server, "2000000030")) == (409, "expiry_unknown")
    assert _code(_expiry(pysip_server, "2000000014")) == (404, "unknown_patron")  # BL N: the ILS does not know it
    assert _code(_expiry(pysip_server, "2000000015")) == (422, "malformed_card_number")  # never sent to the ILS
    # Logged in once per pooled connection, then one Patron Information per check (nothing else: read only).
    assert set(pysip_ils.requests) == {"93", "63"}
    assert pysip_ils.requests.count("63") == 7
    assert pysip_ils.requests.count("93") <= 4  # sip2_pool_size
    health = requests.get(pysip_server.base_url + "/health", timeout=10).json()["patron_source"]
    assert (health["kind"], health["state"], health["last_error"]) == ("sip2", "ok", None)
    assert health["last_success_at"]


def test_expiry_by_my_number_card_asks_the_ils_for_the_linked_card(pysip_server: ServerProcess,
                                                                  test_pki) -> None:  # type: ignore[no-untyped-def]
    persona = test_pki.personas["wrong_then_right"]  # linked (old scheme, in the server's own database) to 2000000022
    client = KioskApiClient(pysip_server.base_url, pysip_server.kiosk_id, pysip_server.kiosk_secret, timeout=30)
    challenge = client.migration_challenge()
    expiry = client.expiry_by_mynumber(challenge_id=challenge.challenge_id, certificate_der=persona.cert_der,
                                       signature=sign(persona.private_key, challenge.challenge))
    assert (expiry.card_number, expiry.status, expiry.valid_until) == ("2000000022", "valid", date(2028, 1, 20))


def test_a_wrong_login_is_an_unreachable_ils(pysip_ils: PysipIls, sqlite_dir: Path) -> None:
    server = _server(sqlite_dir, pysip_ils.port, **{**PYSIP_SETTINGS, "SERVER_SIP2_LOGIN_PASSWORD": "not-the-password"})
    try:
        assert _code(_expiry(server, "2000000121")) == (503, "ils_unreachable")
        health = requests.get(server.base_url + "/health", timeout=10).json()["patron_source"]
        assert (health["state"], health["last_error"], health["last_success_at"]) == (
            "unreachable", "login refused", None)
    finally:
        server.stop()


# -- hand-written answers: the fields pysip2 cannot send ---------------------------------------------------
# KOHA_64 and EVERGREEN_64 (tests/support/sip2_ils.py).


@pytest.fixture(scope="module")
def koha(sqlite_dir: Path) -> Iterator[tuple[CannedIls, ServerProcess]]:
    with CannedIls(patron_answer(KOHA_64, end=b"\r\n")) as ils:
        server = _server(sqlite_dir, ils.port, **KOHA_SETTINGS)
        try:
            yield ils, server
        finally:
            server.stop()


@pytest.fixture(scope="module")
def evergreen(sqlite_dir: Path) -> Iterator[tuple[CannedIls, ServerProcess]]:
    with CannedIls(patron_answer(EVERGREEN_64)) as ils:
        server = _server(sqlite_dir, ils.port, **EVERGREEN_SETTINGS, SERVER_SIP2_TIMEOUT_SECONDS="1.5")
        try:
            yield ils, server
        finally:
            server.stop()


def test_a_koha_style_answer_expiry_in_de(koha: tuple[CannedIls, ServerProcess]) -> None:
    ils, server = koha
    assert _facts(_expiry(server, "2000000121")) == ("valid", "2027-06-15", "2027-05-15", 365)
    assert b"AO" + INSTITUTION.encode() + b"|AA2000000121|" in ils.requests[-1]


def test_month_precision_hides_only_a_day_that_is_a_birthday(sqlite_dir: Path) -> None:
    """A typed number is told the month of a birthday expiry; an ILS whose dates are other days tells it whole.

    Month precision hides the patron's birthday. Where the ILS's expiry day is not a birthday
    (sip2_expiry_is_birthday = false), the kiosk would otherwise say "valid until your birthday that month" of
    a day that is none, and hiding it protects nothing.
    """
    with CannedIls(patron_answer(KOHA_64, end=b"\r\n")) as ils:
        for is_birthday, told in (("true", ("month", "2027-06-01", None)), ("false", ("day", "2027-06-15", 365))):
            server = _server(sqlite_dir, ils.port, **KOHA_SETTINGS, SERVER_TYPED_NUMBER_EXPIRY_PRECISION="month",
                             SERVER_SIP2_EXPIRY_IS_BIRTHDAY=is_birthday)
            try:
                body = _expiry(server, "2000000121").json()
                assert (body["precision"], body["valid_until"], body["days_left"]) == told
            finally:
                server.stop()


def test_an_evergreen_style_answer_expiry_in_pa(evergreen: tuple[CannedIls, ServerProcess]) -> None:
    ils, server = evergreen
    ils.respond = patron_answer(EVERGREEN_64)
    assert _facts(_expiry(server, "2000000121")) == ("renewable", "2026-07-01", "2026-06-01", 16)


def _bad_checksum(request: bytes) -> bytes | None:
    if request.startswith(b"99"):
        return acs_status(request)
    good = trailer(EVERGREEN_64, request)
    return good[:-5] + (b"0000" if good[-5:-1] != b"0000" else b"0001") + b"\r"


@pytest.mark.parametrize(("respond", "reason"), [
    (silent, "timeout"),
    (_bad_checksum, "bad checksum"),
    # The ILS answers, but about another card (out of turn): that card's expiry must not become this one's.
    (patron_answer(EVERGREEN_64.replace(b"AA2000000121", b"AA2000000105"), echo_patron=False),
     "answer about another card"),
])
def test_an_ils_that_does_not_answer_is_not_an_expired_card(evergreen: tuple[CannedIls, ServerProcess], respond,  # type: ignore[no-untyped-def]
                                                            reason: str) -> None:
    ils, server = evergreen
    ils.respond = respond
    ils.drop_connections()  # a fresh connection either way: the failure is in the patron request or before
    try:
        assert _code(_expiry(server, "2000000121")) == (503, "ils_unreachable")
        health = requests.get(server.base_url + "/health", timeout=10).json()["patron_source"]
        assert (health["state"], health["last_error"]) == ("unreachable", reason)
        # The kiosk's client reads its own error, and the expiry work its own failure (not "expired").
        client = KioskApiClient(server.base_url, server.kiosk_id, server.kiosk_secret, timeout=30)
        with pytest.raises(IlsUnreachableError) as refused:
            client.card_expiry("2000000121")
        assert isinstance(refused.value, ApiError) and refused.value.status == 503
        work = ExpiryWork(client, cards=None)  # type: ignore[arg-type]  # no card for a lookup by number
        assert work.lookup(flow.LookupExpiry("2000000121")) == flow.LookupFailed(flow.Failure.ILS_UNREACHABLE)
        # The fleet page's answer shows the same state with the last success still there.
        token = requests.post(server.base_url + "/v1/staff/sessions", timeout=10,
                              json={"staff_id": server.staff_id, "pin": server.staff_pin}).json()["token"]
        fleet = requests.get(server.base_url + "/v1/fleet/kiosks", timeout=10,
                             headers={"Authorization": f"Bearer {token}"}).json()["patron_source"]
        assert (fleet["kind"], fleet["state"], fleet["last_error"]) == ("sip2", "unreachable", reason)
    finally:
        ils.respond = patron_answer(EVERGREEN_64)
    # The ILS is back: the next check answers and the state is ok again.
    assert _facts(_expiry(server, "2000000121"))[0] == "renewable"
    assert requests.get(server.base_url + "/health", timeout=10).json()["patron_source"]["state"] == "ok"


def test_a_refused_connection_is_an_unreachable_ils(sqlite_dir: Path) -> None:
    server = _server(sqlite_dir, free_port())
    try:
        assert _code(_expiry(server, "2000000121")) == (503, "ils_unreachable")
        assert requests.get(server.base_url + "/health", timeout=10).json()["patron_source"]["last_error"] == (
            "connection refused")
    finally:
        server.stop()
