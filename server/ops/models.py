"""Operations tables. The schema itself is made by Alembic (versions/20261125_operations.py)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, Timestamp


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


class TicketDailyStats(Base):
    """Counts per service and library day, kept after the tickets themselves are deleted."""

    __tablename__ = "ticket_daily_stats"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    service: Mapped[str] = mapped_column(String(32), primary_key=True)
    issued: Mapped[int] = mapped_column(Integer)
    served: Mapped[int] = mapped_column(Integer)
    no_show: Mapped[int] = mapped_column(Integer)
    cancelled: Mapped[int] = mapped_column(Integer)
    # {"reason code": count}: why patrons came, without anything about who they were.
    reasons: Mapped[dict] = mapped_column(JSON, default=dict)
