"""Staff sign-in at the kiosk: staff id + maintenance PIN against the cached argon2id hashes, with a lockout.

One scheme: argon2id (argon2-cffi defaults, salted per hash) of each staff member's maintenance PIN for
this kiosk, copied from the server to the kiosk's cache. A staff PIN (the server's staff pages) is not
among them and does not sign in here; this kiosk's PINs open nothing else (server/fleet/maintenance.py).
The PIN arrives as a bytearray and is zeroed before `attempt` returns, whatever happens; it is handed
to libargon2 through a C buffer that is zeroed too, so no Python `bytes` copy of it is ever made.
`max_tries` wrong PINs in a row (any staff id) lock the pad for `lockout_s` seconds; given a
`state_file`, the count and the lock survive a restart. Failures and lockouts are logged with the
staff id (never the PIN) and sent to the server's audit log through the AuditTrail.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from _argon2_cffi_bindings import ffi, lib
from argon2 import PasswordHasher
from argon2.low_level import Type

from kiosk.maintenance.audit import AuditTrail
from kiosk.maintenance.staff_cache import StaffCache
from kiosk.private_files import read_json, write_private

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SignInResult:
    """The outcome of one try; `locked_until` is on the sign-in's clock (None when not locked)."""

    ok: bool
    staff_id: str
    role: str | None
    tries_left: int
    locked_until: float | None


@cache
def _dummy_hash() -> str:
    # Checked when the staff id is unknown, so a wrong id and a wrong PIN take the same time.
    return PasswordHasher().hash("not-a-real-pin")


def verify_pin(pin_hash: str, pin: bytearray) -> bool:
    """True when `pin` matches the argon2id `pin_hash`; other schemes and malformed hashes are False."""
    if not pin_hash.startswith("$argon2id$"):
        return False
    buffer = ffi.new("uint8_t[]", max(len(pin), 1))
    try:
        ffi.memmove(buffer, pin, len(pin))
        result = lib.argon2_verify(ffi.new("char[]", pin_hash.encode("ascii")), buffer, len(pin), Type.ID.value)
        return result == lib.ARGON2_OK
    finally:
        ffi.memmove(buffer, bytes(len(buffer)), len(buffer))


class StaffSignIn:
    """The maintenance PIN pad's checker; call `attempt` from a worker thread (argon2 takes ~0.1 s)."""

    def __init__(self, cache: StaffCache, clock: Callable[[], float] = time.monotonic, max_tries: int = 5,
                 lockout_s: float = 300, audit: AuditTrail | None = None, *, state_file: Path | None = None,
                 wall: Callable[[], float] = time.time) -> None:
        if max_tries < 1:
            raise ValueError("max_tries must be at least 1")
        self.cache = cache
        self.clock = clock
        self.max_tries = max_tries
        self.lockout_s = lockout_s
        self.audit = audit
        self._failures = 0
        self._locked_until: float | None = None
        self._lock = threading.Lock()
        # Failures and the lock survive a restart (else pulling the plug would reset the count);
        # stored on the wall clock, since the monotonic one starts again at boot.
        self._state_file = state_file
        self._wall = wall
        self._restore()

    def locked_for(self) -> float:
        """Seconds until the pad takes PINs again (0 when it is not locked)."""
        if self._locked_until is None:
            return 0.0
        return max(0.0, self._locked_until - self.clock())

    def attempt(self, staff_id: str, pin: bytearray) -> SignInResult:
        """Check one staff id and PIN; the PIN buffer is zeroed before this returns."""
        # One check at a time: two quick submits from two worker threads must not both get a "last" try.
        with self._lock:
            return self._attempt(staff_id, pin)

    def _attempt(self, staff_id: str, pin: bytearray) -> SignInResult:
        try:
            staff_id = staff_id.strip()[:64]
            now = self.clock()
            if self._locked_until is not None and now >= self._locked_until:
                self._locked_until = None
            if self._locked_until is not None:
                log.warning("staff sign-in refused, pad locked: staff=%s (%.0f s left)", staff_id,
                            self._locked_until - now)
                self._report(staff_id, "signin", "locked", tries_left=0)
                return SignInResult(False, staff_id, None, 0, self._locked_until)
            credential = self.cache.get(staff_id)
            matched = verify_pin(credential.pin_hash if credential else _dummy_hash(), pin)
            if matched and credential is not None:
                self._failures = 0
                self._save()
                log.info("staff signed in: staff=%s role=%s", staff_id, credential.role)
                self._report(staff_id, "signin", "ok", role=credential.role)
                return SignInResult(True, staff_id, credential.role, self.max_tries, None)
            self._failures += 1
            tries_left = self.max_tries - self._failures
            reason = "unknown_staff" if credential is None else "wrong_pin"
            if tries_left > 0:
                self._save()
                log.warning("staff sign-in failed: staff=%s (%s), %d tries left", staff_id, reason, tries_left)
                self._report(staff_id, "signin", "failed", reason=reason, tries_left=tries_left)
                return SignInResult(False, staff_id, None, tries_left, None)
            self._failures = 0  # after the lockout, a full set of tries again
            self._locked_until = now + self.lockout_s
            self._save()
            log.warning("staff sign-in failed: staff=%s (%s); pad locked for %d s", staff_id, reason,
                        self.lockout_s)
            self._report(staff_id, "signin", "lockout", reason=reason, lockout_s=int(self.lockout_s))
            return SignInResult(False, staff_id, None, 0, self._locked_until)
        finally:
            pin[:] = bytes(len(pin))

    def _save(self) -> None:
        if self._state_file is None:
            return
        left = None if self._locked_until is None else self._locked_until - self.clock()
        state = {"failures": self._failures, "locked_until": None if left is None else self._wall() + left}
        try:
            write_private(self._state_file, json.dumps(state))
        except OSError as error:  # the pad still works; only a restart would forget the count
            log.error("cannot save the sign-in lock state to %s: %s", self._state_file, error)

    def _restore(self) -> None:
        state = read_json(self._state_file) if self._state_file is not None else None
        if not isinstance(state, dict):
            return
        failures, until = state.get("failures"), state.get("locked_until")
        if isinstance(failures, int) and 0 <= failures < self.max_tries:
            self._failures = failures
        if isinstance(until, int | float):
            # Never longer than one lockout from now, whatever a wrong wall clock says.
            left = min(until - self._wall(), self.lockout_s)
            if left > 0:
                self._locked_until = self.clock() + left

    def _report(self, staff_id: str, action: str, outcome: str, **detail: str | int) -> None:
        if self.audit is not None:
            self.audit.record(staff_id or "-", action, outcome, **detail)
