"""Fleet tables: each kiosk's latest heartbeat, the recent errors kiosks reported, the maintenance PINs each
kiosk caches for its staff sign-in, and the one-time enrollment codes and their attempts (rate limit)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, Timestamp


class KioskHeartbeat(Base):
    """The latest state a kiosk reported (one row per kiosk, replaced by each heartbeat)."""

    __tablename__ = "kiosk_heartbeats"

    kiosk_id: Mapped[str] = mapped_column(ForeignKey("kiosks.kiosk_id"), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(Timestamp)  # server clock: staleness is judged on it
    kiosk_time: Mapped[datetime] = mapped_column(Timestamp)
    interval_s: Mapped[int] = mapped_column(Integer)
    version: Mapped[str] = mapped_column(String(32))
    in_service: Mapped[bool] = mapped_column(Boolean)
    reader: Mapped[str | None] = mapped_column(String(300))
    reader_error: Mapped[str | None] = mapped_column(String(300))
    printer_online: Mapped[bool] = mapped_column(Boolean)
    printer_paper: Mapped[str] = mapped_column(String(16))
    printer_error: Mapped[str | None] = mapped_column(String(300))
    outbox_length: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(300))
    last_error_at: Mapped[datetime | None] = mapped_column(Timestamp)


class KioskErrorEvent(Base):
    """An error a kiosk reported (kept: the latest few per kiosk)."""

    __tablename__ = "kiosk_error_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(ForeignKey("kiosks.kiosk_id"), index=True)
    at: Mapped[datetime] = mapped_column(Timestamp)
    message: Mapped[str] = mapped_column(String(300))


class KioskMaintenancePin(Base):
    """A staff member's maintenance PIN at one kiosk: an argon2id hash of a PIN that is no staff PIN.

    This is all a kiosk caches for its offline sign-in (server/fleet/maintenance.py keeps every such PIN
    different from every staff PIN and from every other kiosk's), so a stolen kiosk opens only itself.
    """

    __tablename__ = "kiosk_maintenance_pins"

    kiosk_id: Mapped[str] = mapped_column(ForeignKey("kiosks.kiosk_id"), primary_key=True)
    staff_id: Mapped[str] = mapped_column(ForeignKey("staff_members.staff_id"), primary_key=True)
    pin_hash: Mapped[str] = mapped_column(String(200))
    set_at: Mapped[datetime] = mapped_column(Timestamp)


class EnrollCode(Base):
    """A one-time enrollment code for one kiosk: only its SHA-256 is stored."""

    __tablename__ = "kiosk_enroll_codes"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(ForeignKey("kiosks.kiosk_id"), index=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    expires_at: Mapped[datetime] = mapped_column(Timestamp)
    used_at: Mapped[datetime | None] = mapped_column(Timestamp)


class EnrollAttempt(Base):
    """One redemption attempt, kept for the rate-limit window (shared by every server process)."""

    __tablename__ = "kiosk_enroll_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(Timestamp, index=True)
    client: Mapped[str] = mapped_column(String(64))  # the client address (behind the proxy: X-Forwarded-For)
    ok: Mapped[bool] = mapped_column(Boolean)
