"""Staff accounts (one per person, argon2-hashed PIN, role counter or admin) and login sessions."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from server.auth.models import StaffMember, StaffSession
from server.errors import ApiError

ROLES = ("counter", "admin")
_hasher = PasswordHasher()
# Verified against when the staff id is unknown, so both cases take the same time: made by the same hasher
# (same argon2 parameters) as every stored PIN hash.
_DUMMY_HASH = _hasher.hash("not-a-real-pin")


def create_staff(*, session: Session, staff_id: str, name: str, role: str, pin: str, now: datetime) -> StaffMember:
    """Create a staff account; the PIN is stored only as an argon2 hash."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    if len(pin) < 4 or not pin.isdigit():
        raise ValueError("a staff PIN has at least 4 digits")
    member = StaffMember(
        staff_id=staff_id, name=name, role=role, pin_hash=_hasher.hash(pin), active=True, created_at=now
    )
    session.add(member)
    session.flush()
    return member


def list_staff(*, session: Session) -> list[StaffMember]:
    """All staff accounts, by id."""
    return list(session.scalars(select(StaffMember).order_by(StaffMember.staff_id)))


def log_in(*, session: Session, staff_id: str, pin: str, now: datetime, minutes: int) -> tuple[str, StaffMember]:
    """A new bearer token for correct credentials, else ApiError("bad_credentials")."""
    member = session.get(StaffMember, staff_id)
    try:
        _hasher.verify(member.pin_hash if member else _DUMMY_HASH, pin)
    except (VerificationError, InvalidHashError):
        raise ApiError("bad_credentials") from None
    if member is None or not member.active:
        raise ApiError("bad_credentials")
    token = secrets.token_urlsafe(32)
    session.add(
        StaffSession(token_hash=_token_hash(token), staff_id=staff_id, expires_at=now + timedelta(minutes=minutes))
    )
    session.flush()
    return token, member


def staff_for_token(*, session: Session, token: str, now: datetime) -> StaffMember:
    """The staff member a bearer token belongs to, else ApiError("unauthenticated")."""
    row = session.get(StaffSession, _token_hash(token))
    if row is None or _aware(row.expires_at) < now:
        raise ApiError("unauthenticated")
    member = session.get(StaffMember, row.staff_id)
    if member is None or not member.active:
        raise ApiError("unauthenticated")
    return member


def end_session(*, session: Session, token: str) -> None:
    """Log out: the token's session row is deleted, so every server process refuses the token from now on."""
    session.execute(delete(StaffSession).where(StaffSession.token_hash == _token_hash(token)))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _aware(value: datetime) -> datetime:
    """SQLite returns naive datetimes for timezone-aware columns; they were stored as UTC."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)
