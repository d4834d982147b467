"""The sign-in pad's form: id keys, PIN digits in a bytearray, zeroed after every attempt."""

from __future__ import annotations

from pathlib import Path

from argon2 import PasswordHasher

from kiosk.maintenance.signin import StaffSignIn
from kiosk.maintenance.signin_form import SignInForm
from kiosk.maintenance.staff_cache import StaffCache, StaffCredential


def make_signin(tmp_path: Path) -> StaffSignIn:
    cache = StaffCache(tmp_path / "staff.json")
    cache.replace([StaffCredential(staff_id="demo-admin", role="admin",
                                   pin_hash=PasswordHasher().hash("2580"))])
    return StaffSignIn(cache, max_tries=5, lockout_s=60, state_file=tmp_path / "lock.json")


def test_right_pin_signs_in_and_the_buffer_is_zeroed(tmp_path: Path) -> None:
    form = SignInForm()
    for ch in "Demo-Admin!":
        form.type_id(ch)
    assert form.staff_id == "demo-admin"
    for d in "25x80":
        form.type_pin(d)
    assert form.pin_length == 4 and form.ready()
    result = form.submit(make_signin(tmp_path))
    assert result.ok and result.role == "admin"
    assert form.pin_length == 0 and form._pin == bytearray(8)


def test_wrong_pin_is_refused_and_zeroed_too(tmp_path: Path) -> None:
    form = SignInForm()
    for ch in "demo-admin":
        form.type_id(ch)
    for d in "1111":
        form.type_pin(d)
    result = form.submit(make_signin(tmp_path))
    assert not result.ok and result.tries_left == 4
    assert form._pin == bytearray(8)


def test_pin_is_bounded_and_erasable() -> None:
    form = SignInForm()
    for d in "1234567890":
        form.type_pin(d)
    assert form.pin_length == 8
    form.erase_pin()
    assert form.pin_length == 7 and form._pin[7] == 0
    assert not form.ready(), "no staff id yet"
