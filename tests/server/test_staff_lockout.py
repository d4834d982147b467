"""Staff sign-in, in process on SQLite and PostgreSQL with a fixed clock (the HTTP behaviour is in
test_staff_sign_in.py): an unknown staff id goes through the same argon2 verification as a wrong PIN, and a
lockout ends by itself after its time, after which the count starts again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import extract_parameters

from server.auth import staff as staff_auth
from server.auth.models import StaffMember
from server.auth.staff import create_staff, log_in
from server.auth.staff_lockout import LockoutPolicy, active_lockouts, check_not_locked, record_failure
from server.errors import ApiError
from server.state import AppState

POLICY = LockoutPolicy(per_account=3, per_client=10, window=timedelta(minutes=15), lock_for=timedelta(minutes=15))


def test_unknown_staff_and_wrong_pin_go_through_the_same_hashing(state: AppState,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    now = state.clock.now()
    with state.sessions() as session, session.begin():
        create_staff(session=session, staff_id="sato", name="佐藤", role="counter", pin="4321", now=now)
    verified: list[str] = []
    hasher = staff_auth._hasher

    class Spy:
        """The module's PasswordHasher, recording the hash each verification is made against."""

        def verify(self, pin_hash: str, pin: str) -> bool:
            verified.append(pin_hash)
            return hasher.verify(pin_hash, pin)

    monkeypatch.setattr(staff_auth, "_hasher", Spy())
    answers = []
    with state.sessions() as session:
        stored = session.get(StaffMember, "sato").pin_hash
        for staff_id in ("sato", "nobody"):
            with pytest.raises(ApiError) as refused:
                log_in(session=session, staff_id=staff_id, pin="0000", now=now, minutes=10)
            answers.append(refused.value.code)
    assert answers == ["bad_credentials", "bad_credentials"]
    # One argon2 verification each, with the same parameters (memory, time, lanes) as the stored PIN hash:
    # the unknown id costs what a wrong PIN costs.
    assert len(verified) == 2 and verified[0] == stored and verified[1] != stored
    assert extract_parameters(verified[1]) == extract_parameters(stored)


def test_a_lockout_ends_by_itself_and_the_count_starts_again(state: AppState) -> None:
    clock = state.clock
    with state.sessions() as session, session.begin():
        for n in range(POLICY.per_account):
            started = record_failure(session=session, staff_id="sato", client=f"10.0.0.{n}", now=clock.now(),
                                     policy=POLICY)
            clock.advance(1)  # type: ignore[attr-defined]
        assert [(lock.kind, lock.subject) for lock in started] == [("account", "sato")]
    with state.sessions() as session, pytest.raises(ApiError, match="staff_locked"):
        check_not_locked(session=session, staff_id="sato", client="10.9.9.9", now=clock.now())
    clock.advance(POLICY.lock_for.total_seconds())  # type: ignore[attr-defined]
    with state.sessions() as session, session.begin():
        check_not_locked(session=session, staff_id="sato", client="10.9.9.9", now=clock.now())
        assert active_lockouts(session=session, now=clock.now()) == []
        # The failures that set off the ended lockout are not counted again.
        assert record_failure(session=session, staff_id="sato", client="10.9.9.9", now=clock.now(),
                              policy=POLICY) == []
