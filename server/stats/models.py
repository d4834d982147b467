"""Statistics tables: counts only. No row names a patron, a card, a reference or a time finer than the hour."""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base


class KioskOutcome(Base):
    """How many patron sessions of one kiosk service ended one way, per kiosk, library day and hour.

    The kiosk reports each outcome (failures such as a wrong PIN or a card taken away are known only
    there); each report adds one to its row. `reason` is "" when the outcome has none.
    """

    __tablename__ = "kiosk_outcomes"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    hour: Mapped[int] = mapped_column(Integer, primary_key=True)  # 0-23 on the library's clock
    kiosk_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    service: Mapped[str] = mapped_column(String(32), primary_key=True)  # migrate | expiry | ticket | ...
    outcome: Mapped[str] = mapped_column(String(16), primary_key=True)  # completed | counter | failed | abandoned
    reason: Mapped[str] = mapped_column(String(48), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


class TicketHourlyStats(Base):
    """Tickets of one counter service issued in one library hour, summed before retention deletes them."""

    __tablename__ = "ticket_hourly_stats"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    hour: Mapped[int] = mapped_column(Integer, primary_key=True)  # hour of issue, library's clock
    service: Mapped[str] = mapped_column(String(32), primary_key=True)
    issued: Mapped[int] = mapped_column(Integer)
    served: Mapped[int] = mapped_column(Integer)
    no_show: Mapped[int] = mapped_column(Integer)
    called: Mapped[int] = mapped_column(Integer)  # tickets called at least once: the waiting time's count
    wait_seconds: Mapped[int] = mapped_column(Integer)  # sum of issued -> first call over the called ones


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
