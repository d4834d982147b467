"""Staff sign-in: argon2id against the cache of this kiosk's maintenance PINs, lockout on an injected clock,
PIN buffer zeroed, reports; an older version's cache of staff PIN hashes is deleted, never used."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest

from kiosk.api.wire import StaffEvent
from kiosk.maintenance.audit import AuditTrail
from kiosk.maintenance.signin import StaffSignIn, verify_pin
from kiosk.maintenance.staff_cache import StaffCache, StaffCredential
from tests.maintenance.conftest import PIN


class ManualClock:
    """A monotonic clock moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def pad(text: str) -> bytearray:
    return bytearray(text.encode())


@pytest.fixture
def sent() -> list[StaffEvent]:
    return []


@pytest.fixture
def signin(cache: StaffCache, sent: list[StaffEvent]) -> tuple[StaffSignIn, ManualClock, AuditTrail]:
    clock = ManualClock()
    trail = AuditTrail(sent.append)
    return StaffSignIn(cache, clock, max_tries=5, lockout_s=300, audit=trail), clock, trail


def test_right_pin_signs_in_with_the_role(signin) -> None:  # type: ignore[no-untyped-def]
    checker, _clock, _trail = signin
    result = checker.attempt("counter-1", pad(PIN))
    assert (result.ok, result.staff_id, result.role, result.tries_left, result.locked_until) == (
        True, "counter-1", "counter", 5, None)


def test_five_wrong_pins_lock_the_pad_until_the_lockout_ends(signin, sent, caplog) -> None:  # type: ignore[no-untyped-def]
    checker, clock, trail = signin
    caplog.set_level(logging.INFO, logger="kiosk.maintenance")
    tries = [checker.attempt("admin-1", pad("0000")) for _ in range(4)]
    assert [t.tries_left for t in tries] == [4, 3, 2, 1]
    assert not any(t.locked_until for t in tries)
    locked = checker.attempt("admin-1", pad("1111"))
    assert (locked.ok, locked.tries_left, locked.locked_until) == (False, 0, 1300.0)
    # Locked: even the right PIN is refused, until the lockout is over.
    clock.now += 299
    assert not checker.attempt("admin-1", pad(PIN)).ok
    assert checker.locked_for() == pytest.approx(1.0)
    clock.now += 1
    assert checker.locked_for() == 0
    assert checker.attempt("admin-1", pad(PIN)).ok
    # Every failure and the lockout were reported with the staff id, never the PIN.
    trail.flush()
    assert [(e.staff_id, e.outcome) for e in sent] == (
        [("admin-1", "failed")] * 4 + [("admin-1", "lockout"), ("admin-1", "locked"), ("admin-1", "ok")])
    assert sent[4].detail == {"reason": "wrong_pin", "lockout_s": 300}
    text = caplog.text
    assert "admin-1" in text and "pad locked for 300 s" in text
    assert PIN not in text and "0000" not in text and "1111" not in text


def test_tries_count_across_staff_ids_and_a_success_resets_them(signin) -> None:  # type: ignore[no-untyped-def]
    checker, _clock, _trail = signin
    assert checker.attempt("nobody", pad(PIN)).tries_left == 4  # unknown id: a wrong try like any other
    assert checker.attempt("admin-1", pad("9999")).tries_left == 3
    assert checker.attempt("counter-1", pad(PIN)).ok
    assert checker.attempt("admin-1", pad("9999")).tries_left == 4


def test_lockout_tries_and_time_come_from_the_arguments(cache: StaffCache) -> None:
    clock = ManualClock()
    checker = StaffSignIn(cache, clock, max_tries=2, lockout_s=30)
    checker.attempt("admin-1", pad("1"))
    assert checker.attempt("admin-1", pad("2")).locked_until == clock.now + 30


@pytest.mark.parametrize("pin", [PIN, "0000", ""])
def test_pin_buffer_is_zeroed_whatever_the_outcome(signin, pin: str) -> None:  # type: ignore[no-untyped-def]
    checker, _clock, _trail = signin
    buffer = pad(pin)
    checker.attempt("admin-1", buffer)
    assert buffer == bytearray(len(pin))


def test_pin_buffer_is_zeroed_while_locked_and_when_the_check_fails(cache: StaffCache) -> None:
    checker = StaffSignIn(cache, ManualClock(), max_tries=1, lockout_s=60)
    checker.attempt("admin-1", pad("0"))
    buffer = pad(PIN)
    assert not checker.attempt("admin-1", buffer).ok
    assert buffer == bytearray(len(PIN))

    class BrokenCache(StaffCache):
        def get(self, staff_id: str) -> StaffCredential | None:
            raise OSError("disk gone")

    buffer = pad(PIN)
    with pytest.raises(OSError):
        StaffSignIn(BrokenCache(Path("/nonexistent")), ManualClock()).attempt("admin-1", buffer)
    assert buffer == bytearray(len(PIN))


def test_only_argon2id_hashes_are_accepted(pin_hash: str) -> None:
    assert verify_pin(pin_hash, pad(PIN))
    assert not verify_pin(pin_hash.replace("$argon2id$", "$argon2i$"), pad(PIN))
    assert not verify_pin("plain:" + PIN, pad(PIN))


def test_cache_file_is_private_and_holds_no_pin(cache: StaffCache) -> None:
    assert cache.file_mode() == 0o600
    assert stat.S_IMODE(os.stat(cache.path).st_mode) == 0o600
    text = cache.path.read_text()
    assert "$argon2id$" in text and f'"{PIN}"' not in text
    # Another process (a restart) reads the same accounts back.
    again = StaffCache(cache.path)
    assert again.get("admin-1") == cache.get("admin-1")
    assert again.get("admin-1").role == "admin"  # type: ignore[union-attr]


def test_a_loosened_cache_file_is_tightened_on_load(cache: StaffCache) -> None:
    os.chmod(cache.path, 0o644)
    reloaded = StaffCache(cache.path)
    assert len(reloaded) == 2
    assert reloaded.file_mode() == 0o600


def test_a_failed_refresh_keeps_the_last_good_copy(cache: StaffCache) -> None:
    def server_down() -> list[StaffCredential]:
        raise ConnectionError("connection refused")

    assert cache.refresh(server_down) is False
    assert StaffCache(cache.path).get("admin-1") is not None
    assert cache.refresh(lambda: [StaffCredential("admin-1", "admin", cache.get("admin-1").pin_hash)])  # type: ignore[union-attr]
    assert StaffCache(cache.path).get("counter-1") is None  # a disabled account drops out on refresh


def test_staff_sign_in_while_the_server_is_down(tmp_path: Path) -> None:
    """Refresh from the real server, stop it, then sign in from the cache with this kiosk's maintenance PIN;
    the server's staff PIN is refused there."""
    from kiosk.api.client import KioskApiClient
    from tests.support.server_proc import start_server

    server = start_server(database_url=f"sqlite:///{tmp_path / 'server.db'}")
    try:
        client = KioskApiClient(server.base_url, server.kiosk_id, server.kiosk_secret, timeout=3)
        staff_cache = StaffCache(tmp_path / "kiosk" / "staff-cache.json", kiosk_id=server.kiosk_id)
        assert staff_cache.refresh(client.maintenance_credentials)
    finally:
        server.stop()
    assert staff_cache.refresh(client.maintenance_credentials) is False  # the server is gone now
    checker = StaffSignIn(StaffCache(staff_cache.path, kiosk_id=server.kiosk_id), ManualClock())
    assert not checker.attempt(server.staff_id, pad(server.staff_pin)).ok
    result = checker.attempt(server.staff_id, pad(server.maintenance_pin))
    assert (result.ok, result.role) == (True, "admin")
    assert not checker.attempt(server.staff_id, pad("0" * len(server.maintenance_pin))).ok


def test_an_older_versions_cache_of_staff_pin_hashes_is_deleted_unused(tmp_path: Path, pin_hash: str) -> None:
    """A kiosk of before 2026-12 cached the server's staff PIN hashes: after the update they are not
    used to sign in (the server's staff PIN opens nothing here) and are gone from the disk."""
    import json

    path = tmp_path / "kiosk" / "staff-cache.json"
    path.parent.mkdir()
    path.write_text(json.dumps({"scheme": "argon2id", "fetched_at": "2026-11-30T00:00:00+00:00",
                                "staff": [{"staff_id": "admin-1", "role": "admin", "pin_hash": pin_hash}]}))
    path.chmod(0o600)
    checker = StaffSignIn(StaffCache(path, kiosk_id="kiosk-demo-01"), ManualClock())
    assert not checker.attempt("admin-1", pad(PIN)).ok
    assert not path.exists()


def test_another_kiosks_cache_is_not_used(cache: StaffCache) -> None:
    """A cache written under another kiosk id (a machine enrolled anew) signs nobody in."""
    mine = StaffCache(cache.path, kiosk_id="kiosk-a")
    mine.replace([StaffCredential("admin-1", "admin", cache.get("admin-1").pin_hash)])  # type: ignore[union-attr]
    assert StaffSignIn(StaffCache(cache.path, kiosk_id="kiosk-a"), ManualClock()).attempt("admin-1", pad(PIN)).ok
    assert not StaffSignIn(StaffCache(cache.path, kiosk_id="kiosk-b"), ManualClock()).attempt("admin-1", pad(PIN)).ok


def test_concurrent_tries_from_two_threads_lock_exactly_once(cache: StaffCache) -> None:
    from concurrent.futures import ThreadPoolExecutor

    checker = StaffSignIn(cache, ManualClock(), max_tries=5, lockout_s=60)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: checker.attempt("admin-1", pad("0000")), range(8)))
    assert sorted(r.tries_left for r in results) == [0, 0, 0, 0, 1, 2, 3, 4]
    assert sum(1 for r in results if r.locked_until is not None) == 4  # the fifth locks, the rest are refused


def test_the_count_and_the_lock_survive_a_restart(cache: StaffCache, tmp_path: Path) -> None:
    state = tmp_path / "kiosk" / "signin-lock.json"
    wall = [1_700_000_000.0]
    first = StaffSignIn(cache, ManualClock(), max_tries=3, lockout_s=120, state_file=state, wall=lambda: wall[0])
    first.attempt("admin-1", pad("0000"))
    first.attempt("admin-1", pad("0000"))
    # Power cycle: a new process, its monotonic clock starts anew; one try is left, not three.
    second = StaffSignIn(cache, ManualClock(), max_tries=3, lockout_s=120, state_file=state, wall=lambda: wall[0])
    assert second.attempt("admin-1", pad("0000")).locked_until is not None
    assert state.stat().st_mode & 0o777 == 0o600
    wall[0] += 100
    third = StaffSignIn(cache, ManualClock(), max_tries=3, lockout_s=120, state_file=state, wall=lambda: wall[0])
    assert third.locked_for() == pytest.approx(20)
    assert not third.attempt("admin-1", pad(PIN)).ok
    wall[0] += 20
    fourth = StaffSignIn(cache, ManualClock(), max_tries=3, lockout_s=120, state_file=state, wall=lambda: wall[0])
    assert fourth.locked_for() == 0 and fourth.attempt("admin-1", pad(PIN)).ok
