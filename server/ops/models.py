"""Operations tables. The schema itself is made by Alembic (versions/20261125_operations.py)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base


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
