"""Staff sign-in over HTTP against two real server processes on one database, SQLite and PostgreSQL: wrong
PINs lock a staff id and a client address (the state is in the database: failures sent to either process
count together), each lockout is audited, listed for the fleet page and cleared by an administrator (fleet
API or admin CLI); an unknown staff id gets the very answer a wrong PIN gets; log out ends the session on
the server, for every process.

Client addresses: the tests talk from 127.0.0.1, which uvicorn trusts as a proxy, so X-Forwarded-For is the
client address the server sees, as behind nginx."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from server.__main__ import main
from tests.server.conftest import BACKENDS, TODAY
from tests.support.server_proc import ServerProcess, start_server

PER_ACCOUNT = 3  # set through the environment below (config/server.toml says 5)
PER_CLIENT = 6
SESSIONS = "/v1/staff/sessions"


@pytest.fixture(scope="module", params=BACKENDS)
def pair(request: pytest.FixtureRequest, sqlite_dir: Path) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    """Two server processes on one fresh database, with small limits set by SERVER_* environment overrides."""
    name = "signin_" + uuid.uuid4().hex[:8]
    if request.param == "sqlite":
        url = f"sqlite:///{sqlite_dir / (name + '.db')}"
    else:
        url = request.getfixturevalue("pg").create_database(name)
    settings = {"SERVER_TODAY": TODAY.isoformat(),
                "SERVER_STAFF_LOGIN_MAX_FAILURES_PER_ACCOUNT": str(PER_ACCOUNT),
                "SERVER_STAFF_LOGIN_MAX_FAILURES_PER_CLIENT": str(PER_CLIENT)}
    first = start_server(database_url=url, settings=settings)
    try:
        second = start_server(database_url=url, settings=settings)
        try:
            yield first, second
        finally:
            second.stop()
    finally:
        first.stop()


@pytest.fixture
def cli(pair: tuple[ServerProcess, ServerProcess], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """`python -m server admin ...` on the servers' database."""
    monkeypatch.setenv("SERVER_DATABASE_URL", pair[0].database_url)

    def run(*args: str) -> tuple[int, str]:
        status = main(["admin", *args])
        return status, capsys.readouterr().out

    return run


def address() -> str:
    """A client address of the test's own, so tests do not share a count."""
    r = uuid.uuid4().int
    return f"10.{r >> 16 & 255}.{r >> 8 & 255}.{r & 255}"


def sign_in(server: ServerProcess, staff_id: str, pin: str, client: str) -> requests.Response:
    return requests.post(server.base_url + SESSIONS, json={"staff_id": staff_id, "pin": pin},
                         headers={"X-Forwarded-For": client}, timeout=15)


def code(response: requests.Response) -> str:
    return response.json()["error"]["code"]


def admin(server: ServerProcess) -> requests.Session:
    """The demo administrator, signed in from an address no test locks."""
    response = sign_in(server, server.staff_id, server.staff_pin, "192.0.2.1")
    assert response.status_code == 201, response.text
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {response.json()['token']}"
    return session


def new_staff(cli, role: str = "counter") -> tuple[str, str]:  # type: ignore[no-untyped-def]
    staff_id = f"s-{uuid.uuid4().hex[:8]}"
    status, _ = cli("staff-create", staff_id, "--name", "テスト 職員", "--role", role, "--pin", "8642")
    assert status == 0
    return staff_id, "8642"


def lockouts(server: ServerProcess, session: requests.Session) -> list[dict]:
    response = session.get(server.base_url + "/v1/staff/lockouts", timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["lockouts"]


def test_wrong_pins_on_both_processes_lock_the_account_until_an_admin_clears_it(pair, cli) -> None:  # type: ignore[no-untyped-def]
    first, second = pair
    staff_id, pin = new_staff(cli)
    # Wrong PINs from two addresses, to both processes: they count together, per staff id.
    for n in range(PER_ACCOUNT - 1):
        answer = sign_in((first, second)[n % 2], staff_id, "0000", address())
        assert answer.status_code == 401 and code(answer) == "bad_credentials"
    locking = sign_in(second, staff_id, "0000", address())
    assert locking.status_code == 429 and code(locking) == "staff_locked", locking.text
    # Locked: the right PIN is refused too, from any address, by either process.
    for server in (first, second):
        refused = sign_in(server, staff_id, pin, address())
        assert refused.status_code == 429 and code(refused) == "staff_locked"

    session = admin(first)
    (lock,) = [lock for lock in lockouts(first, session) if lock["subject"] == staff_id]
    assert lock["kind"] == "account" and lock["failures"] == PER_ACCOUNT
    audit = session.get(first.base_url + "/v1/staff/audit", params={"limit": 1000}, timeout=10).json()
    (row,) = [r for r in audit if r["action"] == "staff.lockout" and r["detail"].get("subject") == staff_id]
    assert row["outcome"] == "account" and row["detail"]["failures"] == PER_ACCOUNT
    assert "8642" not in str(audit) and "0000" not in str(audit)  # a PIN is never recorded

    # A counter clerk may see lockouts but not clear them; an administrator clears it (on the other process).
    clerk_id, clerk_pin = new_staff(cli)
    clerk = requests.Session()
    clerk.headers["Authorization"] = "Bearer " + sign_in(first, clerk_id, clerk_pin, address()).json()["token"]
    assert any(lock["subject"] == staff_id for lock in lockouts(first, clerk))
    assert clerk.get(first.base_url + "/v1/staff/lockouts", timeout=10).json()["can_clear"] is False
    assert clerk.delete(f"{first.base_url}/v1/staff/lockouts/{lock['id']}", timeout=10).status_code == 403
    assert session.delete(f"{second.base_url}/v1/staff/lockouts/{lock['id']}", timeout=10).status_code == 204
    assert session.delete(f"{second.base_url}/v1/staff/lockouts/{lock['id']}", timeout=10).status_code == 404
    assert all(lock["subject"] != staff_id for lock in lockouts(first, session))
    assert sign_in(first, staff_id, pin, address()).status_code == 201
    audit = session.get(first.base_url + "/v1/staff/audit", params={"limit": 1000}, timeout=10).json()
    assert any(r["action"] == "staff.lockout_clear" and r["detail"]["lockout_id"] == lock["id"] for r in audit)
    # Cleared: the count starts again (the failures before it are not counted twice).
    assert code(sign_in(second, staff_id, "0000", address())) == "bad_credentials"


def test_an_unknown_staff_id_gets_the_same_answers_as_a_wrong_pin(pair, cli) -> None:  # type: ignore[no-untyped-def]
    first, _ = pair
    known, _pin = new_staff(cli)
    unknown = f"s-{uuid.uuid4().hex[:8]}"  # never created

    def answers(staff_id: str) -> list[tuple[int, dict, set[str]]]:
        seen = []
        for _ in range(PER_ACCOUNT + 1):
            response = sign_in(first, staff_id, "0000", address())
            headers = {k.lower() for k in response.headers} - {"date"}
            seen.append((response.status_code, response.json(), headers))
        return seen

    known_answers, unknown_answers = answers(known), answers(unknown)
    assert known_answers == unknown_answers
    assert [status for status, _, _ in known_answers] == [401] * (PER_ACCOUNT - 1) + [429, 429]


def test_wrong_pins_from_one_address_lock_that_address_for_every_account(pair, cli) -> None:  # type: ignore[no-untyped-def]
    first, second = pair
    attacker = address()
    # Each staff id below its own limit, but the address reaches its limit.
    for n in range(PER_CLIENT - 1):
        answer = sign_in((first, second)[n % 2], f"guess-{n}-{uuid.uuid4().hex[:6]}", "1234", attacker)
        assert code(answer) == "bad_credentials"
    assert code(sign_in(first, f"guess-{uuid.uuid4().hex[:6]}", "1234", attacker)) == "staff_locked"
    staff_id, pin = new_staff(cli)
    refused = sign_in(second, staff_id, pin, attacker)
    assert refused.status_code == 429 and code(refused) == "staff_locked"
    assert sign_in(second, staff_id, pin, address()).status_code == 201  # other addresses are not affected

    # The admin CLI lists the address's lockout and clears it.
    status, out = cli("staff-lockouts")
    (line,) = [line for line in out.splitlines() if f"\tclient\t{attacker}\t" in line]
    assert status == 0
    status, _ = cli("staff-unlock", line.split("\t")[0])
    assert status == 0
    assert sign_in(first, staff_id, pin, attacker).status_code == 201
    assert cli("staff-unlock", line.split("\t")[0])[0] == 1  # no longer in force


def test_log_out_ends_the_session_on_every_process(pair, cli) -> None:  # type: ignore[no-untyped-def]
    first, second = pair
    staff_id, pin = new_staff(cli)
    token = sign_in(first, staff_id, pin, address()).json()["token"]
    other = sign_in(first, staff_id, pin, address()).json()["token"]  # the same person in another tab
    bearer = {"Authorization": f"Bearer {token}"}
    for server in (first, second):
        assert requests.get(server.base_url + "/v1/staff/migrations", headers=bearer, timeout=10).status_code == 200
    assert requests.delete(second.base_url + SESSIONS, headers=bearer, timeout=10).status_code == 204
    for server in (first, second):
        refused = requests.get(server.base_url + "/v1/staff/migrations", headers=bearer, timeout=10)
        assert refused.status_code == 401 and code(refused) == "unauthenticated"
    again = requests.delete(first.base_url + SESSIONS, headers=bearer, timeout=10)
    assert again.status_code == 401 and code(again) == "unauthenticated"
    assert requests.delete(first.base_url + SESSIONS, timeout=10).status_code == 401
    # Only that session ended.
    assert requests.get(first.base_url + "/v1/staff/migrations", headers={"Authorization": f"Bearer {other}"},
                        timeout=10).status_code == 200
    audit = admin(first).get(first.base_url + "/v1/staff/audit", params={"limit": 1000}, timeout=10).json()
    assert any(r["action"] == "staff.logout" and r["actor_id"] == staff_id for r in audit)
