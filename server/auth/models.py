"""Who may call the API: the kiosks and their signing secrets, the nonces they used, the staff accounts, their
sessions and sign-in lockouts. The schema itself is made by Alembic (server/alembic)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, Timestamp


class Kiosk(Base):
    """A lobby kiosk and its signing secret (HMAC needs the secret itself, so it is stored)."""

    __tablename__ = "kiosks"

    kiosk_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    secret: Mapped[str] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp)


class KioskNonce(Base):
    """Nonces seen inside the signing window: replay protection shared by every server process."""

    __tablename__ = "kiosk_nonces"

    kiosk_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(128), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(Timestamp, index=True)


class StaffMember(Base):
    """A named staff account (one per person) with an argon2-hashed PIN."""

    __tablename__ = "staff_members"

    staff_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))  # counter | admin
    pin_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp)


class StaffSession(Base):
    """A staff login: only the SHA-256 of the bearer token is stored."""

    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff_members.staff_id"))
    expires_at: Mapped[datetime] = mapped_column(Timestamp)


class StaffLoginFailure(Base):
    """A refused staff sign-in, kept for the lockout window: counted per attempted staff id and per client
    address in the database, so the limits hold across every server process."""

    __tablename__ = "staff_login_failures"
    __table_args__ = (
        Index("ix_staff_login_failures_staff_at", "staff_id", "at"),
        Index("ix_staff_login_failures_client_at", "client", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(Timestamp, index=True)
    # The id as typed: an unknown id is counted (and locked) the same as a real one.
    staff_id: Mapped[str] = mapped_column(String(64))
    client: Mapped[str] = mapped_column(String(64))  # the client address (behind the proxy: X-Forwarded-For)


class StaffLockout(Base):
    """Staff sign-in refused for a staff id ("account") or a client address ("client") until `until`,
    unless an administrator cleared it first."""

    __tablename__ = "staff_lockouts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # account | client
    subject: Mapped[str] = mapped_column(String(64), index=True)  # the staff id or the client address
    failures: Mapped[int] = mapped_column(Integer)  # failures within the window that set it off
    locked_at: Mapped[datetime] = mapped_column(Timestamp)
    until: Mapped[datetime] = mapped_column(Timestamp, index=True)
    cleared_at: Mapped[datetime | None] = mapped_column(Timestamp)
    cleared_by: Mapped[str | None] = mapped_column(String(64))
