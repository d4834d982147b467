"""Fleet endpoints over HTTP against the real server process, on SQLite and PostgreSQL:
each kiosk's own maintenance PINs for its cache (never a staff PIN hash), heartbeats and kiosk states,
staff actions in the audit log, and kiosk secrets rotated and revoked from the admin CLI (refused at once)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from kiosk.api import HmacAuth
from server.__main__ import main
from tests.server.conftest import BACKENDS, TODAY
from tests.support.server_proc import ServerProcess, start_server
from tests.support.waiting import eventually

STALE_INTERVALS = 2


@pytest.fixture(scope="module", params=BACKENDS)
def fleet_server(request: pytest.FixtureRequest, sqlite_dir: Path) -> Iterator[ServerProcess]:
    """A server of its own (these tests add kiosks and rotate secrets), stale after 2 intervals."""
    name = "fleet_" + uuid.uuid4().hex[:8]
    if request.param == "sqlite":
        url = f"sqlite:///{sqlite_dir / (name + '.db')}"
    else:
        url = request.getfixturevalue("pg").create_database(name)
    server = start_server(database_url=url, settings={"SERVER_TODAY": TODAY.isoformat(),
                                                      "SERVER_FLEET_STALE_INTERVALS": str(STALE_INTERVALS)})
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def cli(fleet_server: ServerProcess, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):  # type: ignore[no-untyped-def]
    """`python -m server admin ...` on the running server's database."""
    monkeypatch.setenv("SERVER_DATABASE_URL", fleet_server.database_url)

    def run(*args: str) -> tuple[int, str, str]:
        status = main(["admin", *args])
        out = capsys.readouterr()
        return status, out.out, out.err

    return run


def kiosk_call(server: ServerProcess, method: str, path: str, *, kiosk_id: str | None = None,
               secret: str | None = None, body: dict | None = None, key: str | None = None) -> requests.Response:
    """A request signed as a kiosk (the demo kiosk unless told otherwise)."""
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Idempotency-Key"] = key
    return requests.request(method, server.base_url + path, data=json.dumps(body).encode() if body else b"",
                            headers=headers, timeout=10,
                            auth=HmacAuth(kiosk_id or server.kiosk_id, secret or server.kiosk_secret))


def staff_token(server: ServerProcess) -> str:
    response = requests.post(server.base_url + "/v1/staff/sessions",
                             json={"staff_id": server.staff_id, "pin": server.staff_pin}, timeout=10)
    return response.json()["token"]


def fleet(server: ServerProcess) -> dict[str, dict]:
    response = requests.get(server.base_url + "/v1/fleet/kiosks", timeout=10,
                            headers={"Authorization": f"Bearer {staff_token(server)}"})
    assert response.status_code == 200, response.text
    return {k["kiosk_id"]: k for k in response.json()["kiosks"]}


def beat(**changes: object) -> dict:
    body = {"version": "0.1.0", "kiosk_time": datetime.now(UTC).isoformat(), "interval_s": 3600,
            "in_service": True, "reader": "ACS ACR39U 00 00", "reader_error": None, "printer_online": True,
            "printer_paper": "ok", "printer_error": None, "outbox_length": 0, "last_error": None,
            "last_error_at": None}
    body.update(changes)
    return body


def new_kiosk(cli, kiosk_id: str) -> str:  # type: ignore[no-untyped-def]
    secret = "sec-" + uuid.uuid4().hex
    status, _, err = cli("kiosk-create", kiosk_id, "--name", kiosk_id.upper(), "--secret", secret)
    assert status == 0, err
    return secret


def verifies(pin_hash: str, pin: str) -> bool:
    try:
        return PasswordHasher().verify(pin_hash, pin)
    except (VerificationError, InvalidHashError):
        return False


def maintenance_pin(cli, kiosk_id: str, staff_id: str, *extra: str) -> str:  # type: ignore[no-untyped-def]
    """`admin kiosk-maintenance-pin`: a random PIN is the last line printed."""
    status, out, err = cli("kiosk-maintenance-pin", kiosk_id, staff_id, *extra)
    assert status == 0, err
    return out.strip().splitlines()[-1]


@pytest.mark.parametrize("path", ["/v1/kiosk/maintenance-credentials", "/v1/kiosk/staff-credentials"])
def test_a_kiosk_gets_its_own_maintenance_pins_and_no_staff_pin_hash(fleet_server: ServerProcess, cli,  # type: ignore[no-untyped-def]
                                                                     path: str) -> None:
    """The old path too (kiosks of before 2026-12 ask there): only the calling kiosk's maintenance PINs,
    none of which is a staff PIN or another kiosk's PIN; the staff pages refuse a maintenance PIN."""
    staff_pins = {fleet_server.staff_id: fleet_server.staff_pin}
    for role, pin in (("counter", "86420"), ("admin", "97531")):
        staff_id = f"{role}-{uuid.uuid4().hex[:6]}"
        assert cli("staff-create", staff_id, "--name", staff_id, "--role", role, "--pin", pin)[0] == 0
        staff_pins[staff_id] = pin
    other = "k-other-" + uuid.uuid4().hex[:6]
    other_secret = new_kiosk(cli, other)
    other_pin = maintenance_pin(cli, other, fleet_server.staff_id)

    response = kiosk_call(fleet_server, "GET", path)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["scheme"] == "argon2id" and body["kiosk_id"] == fleet_server.kiosk_id
    # Only the demo admin has a maintenance PIN at the demo kiosk; the other accounts are not listed at all.
    assert [(s["staff_id"], s["role"]) for s in body["staff"]] == [(fleet_server.staff_id, "admin")]
    (entry,) = body["staff"]
    assert entry["pin_hash"].startswith("$argon2id$") and verifies(entry["pin_hash"], fleet_server.maintenance_pin)
    # No staff PIN (admin included) and no other kiosk's PIN verifies against anything in the answer.
    for pin in [*staff_pins.values(), other_pin]:
        assert not any(verifies(s["pin_hash"], pin) for s in body["staff"]), pin
        assert pin not in response.text
    # The other kiosk gets its own PIN only, under its own id.
    theirs = kiosk_call(fleet_server, "GET", path, kiosk_id=other, secret=other_secret).json()
    assert theirs["kiosk_id"] == other and [s["staff_id"] for s in theirs["staff"]] == [fleet_server.staff_id]
    assert verifies(theirs["staff"][0]["pin_hash"], other_pin)
    assert not verifies(theirs["staff"][0]["pin_hash"], fleet_server.maintenance_pin)
    # A maintenance PIN is no staff PIN: the staff API refuses it.
    for pin in (fleet_server.maintenance_pin, other_pin):
        refused = requests.post(fleet_server.base_url + "/v1/staff/sessions",
                                json={"staff_id": fleet_server.staff_id, "pin": pin}, timeout=10)
        assert refused.status_code == 401 and refused.json()["error"]["code"] == "bad_credentials"
    # Only a signed kiosk gets them; a staff bearer token or nothing at all gets 401.
    assert requests.get(fleet_server.base_url + path, timeout=10).status_code == 401
    assert requests.get(fleet_server.base_url + path, timeout=10, headers={
        "Authorization": f"Bearer {staff_token(fleet_server)}"}).status_code == 401


def test_one_kiosks_maintenance_pin_signs_in_there_only(fleet_server: ServerProcess, cli,  # type: ignore[no-untyped-def]
                                                        tmp_path: Path) -> None:
    """Two kiosks' real sign-in pads, each fed by its own refresh from the server: each kiosk's PIN opens
    that kiosk, not the other, and the server's staff PIN opens neither."""
    from kiosk.api.client import KioskApiClient
    from kiosk.maintenance.signin import StaffSignIn
    from kiosk.maintenance.staff_cache import StaffCache

    pads = {}
    pins = {}
    for kiosk_id in ("k-pad-a-" + uuid.uuid4().hex[:6], "k-pad-b-" + uuid.uuid4().hex[:6]):
        secret = new_kiosk(cli, kiosk_id)
        pins[kiosk_id] = maintenance_pin(cli, kiosk_id, fleet_server.staff_id, "--digits", "4")
        cache = StaffCache(tmp_path / kiosk_id / "staff-cache.json", kiosk_id=kiosk_id)
        client = KioskApiClient(fleet_server.base_url, kiosk_id, secret, timeout=10)
        assert cache.refresh(client.maintenance_credentials)
        client.close()
        pads[kiosk_id] = StaffSignIn(cache, max_tries=10)
    a, b = pads
    assert len(pins[a]) == 4 and pins[a] != pins[b]
    staff = fleet_server.staff_id
    assert not pads[a].attempt(staff, bytearray(pins[b].encode())).ok
    assert not pads[b].attempt(staff, bytearray(pins[a].encode())).ok
    assert not pads[a].attempt(staff, bytearray(fleet_server.staff_pin.encode())).ok
    assert not pads[b].attempt(staff, bytearray(fleet_server.maintenance_pin.encode())).ok  # the demo kiosk's
    assert pads[a].attempt(staff, bytearray(pins[a].encode())).ok
    assert pads[b].attempt(staff, bytearray(pins[b].encode())).ok


def test_maintenance_pins_made_with_the_enrollment_code_reach_the_enrolled_kiosk(fleet_server: ServerProcess,  # type: ignore[no-untyped-def]
                                                                                 cli) -> None:
    kiosk_id = "k-enroll-" + uuid.uuid4().hex[:6]
    status, out, err = cli("kiosk-enroll-code", "--kiosk-id", kiosk_id, "--maintenance-staff", fleet_server.staff_id)
    assert status == 0, err
    lines = out.strip().splitlines()
    code, pin = lines[1].strip(), lines[-1].rsplit(": ", 1)[1]
    assert lines[-1].startswith(f"maintenance PIN of {fleet_server.staff_id} at {kiosk_id}") and len(pin) == 6
    enrolled = requests.post(fleet_server.base_url + "/v1/kiosk/enroll", json={"code": code}, timeout=10).json()
    body = kiosk_call(fleet_server, "GET", "/v1/kiosk/maintenance-credentials", kiosk_id=kiosk_id,
                      secret=enrolled["secret"]).json()
    (entry,) = body["staff"]
    assert entry["staff_id"] == fleet_server.staff_id and verifies(entry["pin_hash"], pin)
    assert not verifies(entry["pin_hash"], fleet_server.staff_pin)


def test_maintenance_pins_that_would_open_more_than_one_thing_are_refused(fleet_server: ServerProcess,  # type: ignore[no-untyped-def]
                                                                         cli) -> None:
    kiosk_id = "k-pins-" + uuid.uuid4().hex[:6]
    new_kiosk(cli, kiosk_id)
    staff = fleet_server.staff_id
    # A staff PIN, or the demo kiosk's maintenance PIN, is refused for this kiosk; so is a bad length.
    for pin in (fleet_server.staff_pin, fleet_server.maintenance_pin, "123", "123456789", "12a4"):
        status, _, err = cli("kiosk-maintenance-pin", kiosk_id, staff, "--pin", pin)
        assert status == 1 and "not changed" in err, (pin, err)
    chosen = "3" + fleet_server.maintenance_pin[1:] if fleet_server.maintenance_pin[0] != "3" else "4" + \
        fleet_server.maintenance_pin[1:]
    status, out, _ = cli("kiosk-maintenance-pin", kiosk_id, staff, "--pin", chosen)
    assert status == 0 and chosen not in out  # a chosen PIN is never printed
    # Nor may a new staff account take a maintenance PIN as its staff PIN.
    status, _, err = cli("staff-create", "s-" + uuid.uuid4().hex[:6], "--name", "x", "--pin", chosen)
    assert status == 1 and "maintenance PIN" in err
    # Unknown staff or kiosk, and a revoked kiosk, get none.
    assert cli("kiosk-maintenance-pin", kiosk_id, "nobody")[0] == 1
    assert cli("kiosk-maintenance-pin", "no-such-kiosk", staff)[0] == 1
    assert f"{kiosk_id}\tactive\t{kiosk_id.upper()}\tmaintenance PINs: {staff}" in cli("kiosk-list")[1]
    # Cleared: the kiosk's next refresh drops it.
    assert cli("kiosk-maintenance-pin", kiosk_id, staff, "--clear")[0] == 0
    assert cli("kiosk-maintenance-pin", kiosk_id, staff, "--clear")[0] == 1
    status, out, _ = cli("audit-export")
    assert out.count("kiosk.maintenance_pin") >= 2 and chosen not in out


def test_heartbeat_shape_is_checked(fleet_server: ServerProcess) -> None:
    assert kiosk_call(fleet_server, "POST", "/v1/kiosk/heartbeat", body=beat()).status_code == 200
    for bad in (beat(printer_paper="plenty"), beat(interval_s=0), {**beat(), "patron_name": "佐賀 太郎"},
                beat(last_error="x" * 301), beat(version="\x00"), beat(reader="ACS\x00"),
                beat(kiosk_time="0001-01-01T00:00:00+14:00"), beat(kiosk_time="2026-06-15T10:00:00")):
        response = kiosk_call(fleet_server, "POST", "/v1/kiosk/heartbeat", body=bad)
        assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_request"
    unsigned = requests.post(fleet_server.base_url + "/v1/kiosk/heartbeat", json=beat(), timeout=10)
    assert unsigned.status_code == 401


def test_fleet_states_at_a_glance(fleet_server: ServerProcess, cli) -> None:  # type: ignore[no-untyped-def]
    secrets = {k: new_kiosk(cli, k) for k in ("k-up", "k-out", "k-paper", "k-stale", "k-never", "k-gone")}
    sends = {
        "k-up": beat(last_error="printer: cover open", last_error_at="2026-06-15T01:00:00+00:00"),
        "k-out": beat(in_service=False),
        "k-paper": beat(printer_paper="out", printer_online=False, printer_error="paper out"),
        "k-stale": beat(interval_s=1),
        "k-gone": beat(),
    }
    for kiosk_id, body in sends.items():
        response = kiosk_call(fleet_server, "POST", "/v1/kiosk/heartbeat", kiosk_id=kiosk_id,
                              secret=secrets[kiosk_id], body=body)
        assert response.status_code == 200, response.text
    # The same error again is not a new recent error; a new one is.
    kiosk_call(fleet_server, "POST", "/v1/kiosk/heartbeat", kiosk_id="k-up", secret=secrets["k-up"], body=sends["k-up"])
    kiosk_call(fleet_server, "POST", "/v1/kiosk/heartbeat", kiosk_id="k-up", secret=secrets["k-up"],
               body=beat(last_error="server: timed out", last_error_at="2026-06-15T02:00:00+00:00"))
    assert cli("kiosk-revoke", "k-gone")[0] == 0
    # k-stale beats every second: stale after STALE_INTERVALS seconds without a beat (the others beat hourly).
    kiosks = eventually(lambda: (k := fleet(fleet_server))["k-stale"]["state"] == "stale" and k, "k-stale stale")
    assert {k: kiosks[k]["state"] for k in secrets} == {
        "k-up": "up", "k-out": "out_of_service", "k-paper": "printer_problem", "k-stale": "stale",
        "k-never": "never_seen", "k-gone": "revoked"}
    assert [e["message"] for e in kiosks["k-up"]["recent_errors"]] == ["server: timed out", "printer: cover open"]
    assert kiosks["k-up"]["last_error"] == "server: timed out"
    assert kiosks["k-paper"]["printer_problem"] and kiosks["k-paper"]["printer_error"] == "paper out"
    assert kiosks["k-stale"]["stale_after_s"] == STALE_INTERVALS
    assert kiosks["k-up"]["version"] == "0.1.0" and kiosks["k-up"]["reader"] == "ACS ACR39U 00 00"
    assert kiosks["k-never"]["last_seen"] is None
    assert requests.get(fleet_server.base_url + "/v1/fleet/kiosks", timeout=10).status_code == 401


def test_staff_action_is_audited_once_per_key(fleet_server: ServerProcess) -> None:
    action = {"staff_id": "tanaka", "action": "service.out", "outcome": "ok",
              "at": "2026-06-15T03:00:00+00:00", "detail": {"note": "paper jam"}}
    key = str(uuid.uuid4())
    first = kiosk_call(fleet_server, "POST", "/v1/kiosk/audit", body=action, key=key)
    again = kiosk_call(fleet_server, "POST", "/v1/kiosk/audit", body=action, key=key)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert kiosk_call(fleet_server, "POST", "/v1/kiosk/audit", body=action).status_code == 400  # no key
    for bad in ({**action, "action": "DROP TABLE"}, {**action, "detail": {f"k{i}": i for i in range(13)}},
                {**action, "staff_id": ""}, {**action, "detail": {"note": "a\x00b"}}, {**action, "staff_id": "田中"}):
        assert kiosk_call(fleet_server, "POST", "/v1/kiosk/audit", body=bad, key=str(uuid.uuid4())).status_code == 422
    rows = requests.get(fleet_server.base_url + "/v1/staff/audit", timeout=10,
                        headers={"Authorization": f"Bearer {staff_token(fleet_server)}"}).json()
    mine = [r for r in rows if r["action"] == "maintenance.service.out"]
    assert len(mine) == 1
    assert (mine[0]["actor_type"], mine[0]["actor_id"], mine[0]["outcome"]) == ("kiosk_staff", "tanaka", "ok")
    assert mine[0]["detail"] == {"note": "paper jam", "kiosk_id": fleet_server.kiosk_id,
                                 "kiosk_time": "2026-06-15T03:00:00+00:00"}


def test_rotated_and_revoked_secrets_are_refused_at_once(fleet_server: ServerProcess, cli) -> None:  # type: ignore[no-untyped-def]
    old = new_kiosk(cli, "k-rotate")
    get = lambda secret: kiosk_call(fleet_server, "GET", "/v1/kiosk/maintenance-credentials",  # noqa: E731
                                    kiosk_id="k-rotate", secret=secret)
    assert get(old).status_code == 200
    status, out, _ = cli("kiosk-rotate", "k-rotate")
    assert status == 0
    new = out.strip().splitlines()[-1]
    assert len(new) >= 32 and new != old
    refused = get(old)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthenticated"
    assert get(new).status_code == 200
    assert cli("kiosk-rotate", "no-such-kiosk")[0] == 1
    assert cli("kiosk-revoke", "k-rotate")[0] == 0
    revoked = get(new)
    assert revoked.status_code == 401 and revoked.json()["error"]["code"] == "unknown_kiosk"
    assert cli("kiosk-rotate", "k-rotate")[0] == 1  # a revoked kiosk stays revoked
    status, out, _ = cli("audit-export")
    assert "kiosk.rotate" in out and new not in out and old not in out
