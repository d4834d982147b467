"""Kiosk maintenance PINs: a staff member's PIN for one kiosk's maintenance mode, never a staff PIN.

A kiosk checks staff sign-in offline, so it must hold something a PIN is checked against; whatever it
holds falls to an offline search once the kiosk is stolen (a 4-8 digit PIN has at most 10^8 values).
So a kiosk is given only these: one argon2id hash (salted per hash) per staff member and kiosk, of a
PIN that is refused when it equals any staff PIN or any maintenance PIN at another kiosk. What a
stolen kiosk gives up then opens that kiosk's maintenance mode and nothing else: no staff sign-in on
the server, no other kiosk. The check costs one argon2 verification per stored hash, at set time only.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from server.auth.models import Kiosk, StaffMember
from server.db import rowcount
from server.fleet.models import KioskMaintenancePin

MIN_DIGITS, MAX_DIGITS = 4, 8  # the kiosk's PIN pad (kiosk/maintenance/signin_form.py)
DEFAULT_DIGITS = 6
_hasher = PasswordHasher()


@dataclass(frozen=True)
class MaintenanceCredential:
    """What one kiosk caches for one active staff member: id, role and the maintenance PIN's hash."""

    staff_id: str
    role: str
    pin_hash: str


def _matches(pin_hash: str, pin: str) -> bool:
    try:
        return _hasher.verify(pin_hash, pin)
    except (VerificationError, InvalidHashError):
        return False


def clash(*, session: Session, pin: str, kiosk_id: str | None = None, staff_id: str | None = None,
          staff_pins: bool = True) -> str | None:
    """Why `pin` may not be a new PIN, or None: it equals a staff PIN or another maintenance PIN.

    With `kiosk_id` and `staff_id` (a maintenance PIN being set), that pair's own current PIN is not
    counted. A staff PIN being set asks with `staff_pins=False`: only maintenance PINs are compared.
    """
    if staff_pins and any(_matches(h, pin) for h in session.scalars(select(StaffMember.pin_hash))):
        return "it is a staff PIN (kiosks must never hold a staff PIN)"
    for row in session.scalars(select(KioskMaintenancePin)):
        if (row.kiosk_id, row.staff_id) == (kiosk_id, staff_id):
            continue
        if _matches(row.pin_hash, pin):
            where = "another kiosk" if row.kiosk_id != kiosk_id else "this kiosk, for another staff member"
            return f"it is a maintenance PIN at {where} (each opens one kiosk for one person)"
    return None


def _check_pair(*, session: Session, kiosk_id: str, staff_id: str) -> None:
    kiosk = session.get(Kiosk, kiosk_id)
    if kiosk is None or not kiosk.active:
        raise ValueError(f"no active kiosk {kiosk_id}")
    member = session.get(StaffMember, staff_id)
    if member is None or not member.active:
        raise ValueError(f"no active staff account {staff_id}")


def set_pin(*, session: Session, kiosk_id: str, staff_id: str, pin: str, now: datetime) -> None:
    """Set `staff_id`'s maintenance PIN at `kiosk_id` (stored as argon2id); ValueError if refused."""
    _check_pair(session=session, kiosk_id=kiosk_id, staff_id=staff_id)
    if not (MIN_DIGITS <= len(pin) <= MAX_DIGITS and pin.isascii() and pin.isdigit()):
        raise ValueError(f"a maintenance PIN has {MIN_DIGITS} to {MAX_DIGITS} digits")
    reason = clash(session=session, pin=pin, kiosk_id=kiosk_id, staff_id=staff_id)
    if reason:
        raise ValueError(f"PIN refused: {reason}")
    row = session.get(KioskMaintenancePin, (kiosk_id, staff_id))
    if row is None:
        row = KioskMaintenancePin(kiosk_id=kiosk_id, staff_id=staff_id)
        session.add(row)
    row.pin_hash, row.set_at = _hasher.hash(pin), now
    session.flush()


def set_random_pin(*, session: Session, kiosk_id: str, staff_id: str, now: datetime,
                   digits: int = DEFAULT_DIGITS) -> str:
    """Set a random maintenance PIN of `digits` digits (one that clashes with nothing) and return it."""
    if not MIN_DIGITS <= digits <= MAX_DIGITS:
        raise ValueError(f"a maintenance PIN has {MIN_DIGITS} to {MAX_DIGITS} digits")
    for _ in range(20):  # a clash is rare (one stored PIN in 10^digits); 20 in a row means something is off
        pin = "".join(secrets.choice("0123456789") for _ in range(digits))
        try:
            set_pin(session=session, kiosk_id=kiosk_id, staff_id=staff_id, pin=pin, now=now)
        except ValueError as error:
            if str(error).startswith("PIN refused"):
                continue
            raise
        return pin
    raise ValueError("no free PIN found: use more digits")


def clear_pin(*, session: Session, kiosk_id: str, staff_id: str) -> bool:
    """Remove `staff_id`'s maintenance PIN at `kiosk_id`; False when there was none."""
    done = session.execute(delete(KioskMaintenancePin).where(KioskMaintenancePin.kiosk_id == kiosk_id,
                                                             KioskMaintenancePin.staff_id == staff_id))
    session.flush()
    return bool(rowcount(done))


def credentials_for(*, session: Session, kiosk_id: str) -> list[MaintenanceCredential]:
    """The maintenance PINs of `kiosk_id` only, for active staff (a disabled account drops out of the cache)."""
    rows = session.execute(
        select(KioskMaintenancePin.staff_id, StaffMember.role, KioskMaintenancePin.pin_hash)
        .join(StaffMember, StaffMember.staff_id == KioskMaintenancePin.staff_id)
        .where(KioskMaintenancePin.kiosk_id == kiosk_id, StaffMember.active)
        .order_by(KioskMaintenancePin.staff_id))
    return [MaintenanceCredential(staff_id, role, pin_hash) for staff_id, role, pin_hash in rows]


def pins_by_kiosk(*, session: Session) -> dict[str, list[str]]:
    """Which staff have a maintenance PIN at which kiosk (for `admin kiosk-list`)."""
    out: dict[str, list[str]] = {}
    for row in session.scalars(select(KioskMaintenancePin).order_by(KioskMaintenancePin.staff_id)):
        out.setdefault(row.kiosk_id, []).append(row.staff_id)
    return out
