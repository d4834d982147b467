"""Enrollment, rotation, the version gate and the clock check, through the real server process and the
real kiosk code (the admin CLI and `python -m kiosk.enroll` as processes, kiosk settings, API client)."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests

from kiosk import config as kiosk_config
from kiosk.api import ApiError, KioskApiClient
from kiosk.api.errors import KioskVersionUnsupportedError
from kiosk.maintenance.diagnostics import collect
from kiosk.version import app_version
from protocol import signing
from tests.server.conftest import BACKENDS
from tests.support.postgres import PostgresServer
from tests.support.server_proc import REPO_ROOT, ServerProcess, start_server


def _database(request: pytest.FixtureRequest, backend: str, sqlite_dir: Path) -> str:
    name = "ops_" + uuid.uuid4().hex[:8]
    if backend == "sqlite":
        return f"sqlite:///{sqlite_dir / (name + '.db')}"
    pg: PostgresServer = request.getfixturevalue("pg")
    return pg.create_database(name)


@pytest.fixture(scope="module", params=BACKENDS)
def server(request: pytest.FixtureRequest, sqlite_dir: Path) -> Iterator[ServerProcess]:
    """A server that accepts this kiosk's version exactly, with a small enrollment rate limit."""
    proc = start_server(database_url=_database(request, request.param, sqlite_dir), settings={
        "SERVER_MIN_KIOSK_VERSION": app_version(), "SERVER_ENROLL_MAX_FAILURES_PER_CLIENT": "3"})
    try:
        yield proc
    finally:
        proc.stop()


def run(args: list[str], env: dict[str, str], stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """A command of this repository as its own process."""
    return subprocess.run([sys.executable, *args], cwd=REPO_ROOT, env=env, input=stdin, capture_output=True,
                          text=True, timeout=60)


def enroll_code(server: ServerProcess, kiosk_id: str) -> str:
    """`admin kiosk-enroll-code`: the code is the line after the banner."""
    done = run(["-m", "server", "admin", "kiosk-enroll-code", "--kiosk-id", kiosk_id], server.env)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    return lines[1].strip()


def kiosk_settings(credentials: Path) -> kiosk_config.KioskSettings:
    """The kiosk's real settings loader with the enrollment file named in the environment."""
    return kiosk_config.load(environ={"KIOSK_SERVER_CREDENTIALS_FILE": str(credentials)})


def test_enroll_then_rotate_by_a_new_code(server: ServerProcess, tmp_path: Path) -> None:
    kiosk_id = "kiosk-" + uuid.uuid4().hex[:6]
    code = enroll_code(server, kiosk_id)
    assert len(code) == 11 and code[5] == "-"
    credentials = tmp_path / "etc" / "credentials.toml"
    done = run(["-m", "kiosk.enroll", code.lower(), "--server", server.base_url, "--credentials", str(credentials)],
               dict(os.environ))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "signed request ok" in done.stdout and "WARNING" not in done.stdout
    assert stat.S_IMODE(credentials.stat().st_mode) == 0o600
    settings = kiosk_settings(credentials)
    assert settings.server.kiosk_id == kiosk_id and settings.server.url == server.base_url
    first = KioskApiClient(settings.server.url, kiosk_id, settings.server.secret)
    assert first.ticket_services().services  # a signed request with the enrolled secret

    # A code works once.
    again = run(["-m", "kiosk.enroll", code, "--server", server.base_url, "--credentials", str(tmp_path / "x")],
                dict(os.environ))
    assert again.returncode != 0 and "enroll_code_invalid" in again.stderr

    # Rotation: a new code gives a new secret; the old one is refused from then on.
    assert run(["-m", "kiosk.enroll", enroll_code(server, kiosk_id), "--server", server.base_url,
                "--credentials", str(credentials)], dict(os.environ)).returncode == 0
    rotated = kiosk_settings(credentials)
    assert rotated.server.secret != settings.server.secret
    with pytest.raises(ApiError) as refused:
        first.ticket_services()
    assert refused.value.status == 401
    KioskApiClient(server.base_url, kiosk_id, rotated.server.secret).maintenance_credentials()

    # Or `kiosk-rotate`'s secret, taken on the kiosk from standard input.
    printed = run(["-m", "server", "admin", "kiosk-rotate", kiosk_id], server.env)
    assert printed.returncode == 0
    secret = printed.stdout.strip().splitlines()[-1]
    taken = run(["-m", "kiosk.enroll", "--kiosk-id", kiosk_id, "--secret-stdin", "--server", server.base_url,
                 "--credentials", str(credentials)], dict(os.environ), stdin=secret + "\n")
    assert taken.returncode == 0 and "signed request ok" in taken.stdout, taken.stdout + taken.stderr
    assert kiosk_settings(credentials).server.secret == secret

    # A credentials file others can read is refused at start-up.
    credentials.chmod(0o644)
    with pytest.raises(kiosk_config.ConfigError, match="readable by others"):
        kiosk_settings(credentials)


def test_enrollment_is_rate_limited_per_forwarded_client(server: ServerProcess) -> None:
    url = server.base_url + "/v1/kiosk/enroll"
    headers = {"X-Kiosk-Version": app_version()}
    # The test talks from 127.0.0.1, which uvicorn trusts as a proxy: X-Forwarded-For is the client.
    client_a = {**headers, "X-Forwarded-For": "203.0.113." + str(uuid.uuid4().int % 250)}
    codes = [requests.post(url, json={"code": "AAAAA-AAAAA"}, headers=client_a, timeout=10).status_code
             for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    body = requests.post(url, json={"code": "AAAAA-AAAAA"}, headers=client_a, timeout=10).json()
    assert body["error"]["code"] == "enroll_rate_limited" and body["error"]["message_ja"]
    other = requests.post(url, json={"code": "AAAAA-AAAAA"}, timeout=10,
                          headers={**headers, "X-Forwarded-For": "198.51.100.7"})
    assert other.status_code == 401


def _try_code(server: ServerProcess, client: str, code: str = "AAAAA-AAAAA") -> requests.Response:
    """One redemption as seen from `client` (127.0.0.1 is the trusted proxy: X-Forwarded-For is the client)."""
    return requests.post(server.base_url + "/v1/kiosk/enroll", json={"code": code}, timeout=30,
                         headers={"X-Kiosk-Version": app_version(), "X-Forwarded-For": client})


def test_bad_codes_from_many_addresses_do_not_lock_out_new_kiosks(server: ServerProcess) -> None:
    # More failures in the window than the old limit over all clients (100), from 35 addresses, each
    # stopped at its own limit (3 in this module's server) and no further.
    net = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}."
    for host in range(1, 36):
        codes = [_try_code(server, net + str(host)).status_code for _ in range(3)]
        assert codes == [401, 401, 401], (host, codes)
    assert _try_code(server, net + "35").status_code == 429
    # Another address still has its tries, and a kiosk there enrolls with its real code.
    kiosk_id = "kiosk-" + uuid.uuid4().hex[:6]
    assert _try_code(server, net + "200").status_code == 401
    enrolled = _try_code(server, net + "201", enroll_code(server, kiosk_id))
    assert enrolled.status_code == 200 and enrolled.json()["kiosk_id"] == kiosk_id, enrolled.text


def test_an_ipv6_client_is_limited_by_its_64_and_an_admin_unlocks_an_address(server: ServerProcess) -> None:
    block = f"2001:db8:{uuid.uuid4().int % 65000:x}:1::"
    assert [_try_code(server, block + str(n)).status_code for n in (1, 2, 3)] == [401, 401, 401]
    assert _try_code(server, block + "99").status_code == 429  # another address of the same /64
    assert _try_code(server, block.replace(":1::", ":2::") + "1").status_code == 401  # the next /64

    # `admin enroll-unlock --client`: that client may try again at once (audited); the others stay as they are.
    ipv4 = f"192.0.2.{uuid.uuid4().int % 250}"
    assert [_try_code(server, ipv4).status_code for _ in range(4)] == [401, 401, 401, 429]
    done = run(["-m", "server", "admin", "enroll-unlock", "--client", block + "abcd"], server.env)
    assert done.returncode == 0 and f"client {block.rstrip(':')}::/64" in done.stdout, done.stdout + done.stderr
    assert _try_code(server, block + "1").status_code == 401
    assert _try_code(server, ipv4).status_code == 429
    kiosk_id = "kiosk-" + uuid.uuid4().hex[:6]
    code = enroll_code(server, kiosk_id)
    assert _try_code(server, ipv4, code).status_code == 429  # locked: not even a right code is tried
    assert run(["-m", "server", "admin", "enroll-unlock", "--client", ipv4], server.env).returncode == 0
    assert _try_code(server, ipv4, code).status_code == 200
    audit = run(["-m", "server", "admin", "audit-export"], server.env)
    assert audit.returncode == 0 and audit.stdout.count("kiosk.enroll_unlock") >= 2, audit.stderr


def test_unsupported_version_is_refused_with_a_typed_error(request: pytest.FixtureRequest,
                                                           sqlite_dir: Path) -> None:
    proc = start_server(database_url=_database(request, "sqlite", sqlite_dir),
                        settings={"SERVER_MIN_KIOSK_VERSION": "99.0"})
    try:
        client = KioskApiClient(proc.base_url, proc.kiosk_id, proc.kiosk_secret)
        with pytest.raises(KioskVersionUnsupportedError) as info:
            client.ticket_services()
        error = info.value
        assert (error.code, error.status, error.minimum_version) == ("kiosk_version_unsupported", 426, "99.0")
        assert error.details["kiosk_version"] == app_version()
        assert "古い" in error.message_ja and "too old" in error.message_en
        assert client.health()["status"] == "ok"  # /health is never gated: diagnostics still work
        # The heartbeat is not gated either: the fleet page shows which version each kiosk still runs.
        from kiosk.api.wire import KioskState

        client.send_heartbeat(KioskState(
            version=app_version(), kiosk_time=datetime.now(UTC), interval_s=60, in_service=True, reader=None,
            reader_error=None, printer_online=True, printer_paper="ok", printer_error=None, outbox_length=None,
            last_error=None, last_error_at=None))
        login = requests.post(proc.base_url + "/v1/staff/sessions", timeout=10,
                              json={"staff_id": proc.staff_id, "pin": proc.staff_pin}).json()
        fleet = requests.get(proc.base_url + "/v1/fleet/kiosks", timeout=10,
                             headers={"Authorization": f"Bearer {login['token']}"}).json()
        assert [k["version"] for k in fleet["kiosks"] if k["kiosk_id"] == proc.kiosk_id] == [app_version()]
        # A signed request without the header (a kiosk older than the header) is refused too.
        path = "/v1/tickets/services"
        unsigned_version = requests.get(proc.base_url + path, timeout=10, headers=signing.signed_headers(
            kiosk_id=proc.kiosk_id, secret=proc.kiosk_secret, method="GET", path_with_query=path, body=b""))
        assert unsigned_version.json()["error"]["code"] == "kiosk_version_unsupported"
        # Enrollment too: the kiosk must be updated before it can even enroll.
        refused = run(["-m", "kiosk.enroll", "AAAAA-AAAAA", "--server", proc.base_url, "--credentials",
                       str(sqlite_dir / "never.toml")], dict(os.environ))
        assert refused.returncode != 0 and "kiosk_version_unsupported" in refused.stderr
    finally:
        proc.stop()


def test_clock_check_in_sync_and_skewed(server: ServerProcess, tmp_path: Path) -> None:
    client = KioskApiClient(server.base_url, server.kiosk_id, server.kiosk_secret)
    check = client.check_clock()
    assert abs(check.skew_s) < 2 and check.within_window and check.window_s == 120
    settings = kiosk_config.load(environ={"KIOSK_SERVER_URL": server.base_url})
    shown = collect(settings=settings, printer=None, data_dir=tmp_path, list_readers=lambda: [])
    assert shown.clock is not None and shown.clock_warning is None

    # The kiosk's clock 300 s fast (libfaketime on the kiosk process only): diagnostics warn, and the
    # server refuses its signed requests as stale, which is what the warning is about.
    faketime = shutil.which("faketime")
    assert faketime, "faketime is installed by scripts/bootstrap.sh test"
    script = (
        "from pathlib import Path; from kiosk import config; from kiosk.api import KioskApiClient, ApiError\n"
        "from kiosk.maintenance.diagnostics import collect\n"
        "s = config.load()\n"
        "d = collect(settings=s, printer=None, data_dir=Path('.'), list_readers=lambda: [])\n"
        "print('skew', round(d.clock.skew_s)); print('warning', d.clock_warning)\n"
        "c = KioskApiClient(s.server.url, s.server.kiosk_id, s.server.secret)\n"
        "try:\n    c.maintenance_credentials()\nexcept ApiError as e:\n    print('refused', e.code)\n"
        "from kiosk.api.wire import KioskState; from datetime import datetime, UTC\n"
        "beat = KioskState(version='0', kiosk_time=datetime.now(UTC), interval_s=60, in_service=True, reader=None,"
        " reader_error=None, printer_online=True, printer_paper='ok', printer_error=None, outbox_length=None,"
        " last_error=None, last_error_at=None)\n"
        "try:\n    c.send_heartbeat(beat)\nexcept ApiError as e:\n    print('heartbeat', e.code)\n"
        "print('heartbeat_skew', round(c.clock.latest.skew_s), c.clock.latest.within_window)\n"
    )
    env = {**os.environ, "KIOSK_SERVER_URL": server.base_url, "KIOSK_SERVER_KIOSK_ID": server.kiosk_id,
           "KIOSK_SERVER_SECRET": server.kiosk_secret}
    done = subprocess.run([faketime, "-f", "+300s", sys.executable, "-c", script], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = dict(line.split(" ", 1) for line in done.stdout.splitlines())
    assert abs(int(lines["skew"]) - 300) <= 2
    assert "window 120 s" in lines["warning"] and "NTP" in lines["warning"]
    assert lines["refused"] == "stale_request"
    # The heartbeat is refused for the same reason, and measures the skew itself.
    assert lines["heartbeat"] == "stale_request"
    skew, within = lines["heartbeat_skew"].split()
    assert abs(int(skew) - 300) <= 2 and within == "False"
