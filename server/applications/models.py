"""The registration_applications table. The schema itself is made by Alembic
(server/alembic/versions/20261207_registration_applications.py)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, Timestamp

WAITING = "waiting"
COMPLETED = "completed"
WITHDRAWN = "withdrawn"
EXPIRED = "expired"  # waited past the retention period: forgotten by retention, never brought to the counter
STATES = (WAITING, COMPLETED, WITHDRAWN, EXPIRED)
# The columns that hold personal data: all cleared (None) once the application leaves WAITING.
PERSONAL = ("name", "name_kana", "address", "birth_date", "sex", "phone", "email", "card_key")


class RegistrationApplication(Base):
    """A registration application from a kiosk, waiting for the counter, or what is left of it afterwards.

    While waiting it holds the card's facts and the patron's contact details; completing, withdrawing or
    expiring it clears them (PERSONAL), leaving times, kiosk and state for the statistics until retention
    deletes the row after `retention_statistics_days`.
    """

    __tablename__ = "registration_applications"
    __table_args__ = (Index("ix_registration_applications_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference_code: Mapped[str] = mapped_column(String(16), unique=True)
    kiosk_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=WAITING)  # waiting | completed | withdrawn | expired
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    decided_at: Mapped[datetime | None] = mapped_column(Timestamp)
    decided_by: Mapped[str | None] = mapped_column(String(64))  # the staff id; "retention" when expired
    # Personal data (券面事項入力補助AP and what the patron added): None once decided.
    name: Mapped[str | None] = mapped_column(String(200))
    name_kana: Mapped[str | None] = mapped_column(String(200))  # only when the card holds it
    address: Mapped[str | None] = mapped_column(String(400))
    birth_date: Mapped[date | None] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(1))  # ISO 5218 as the card writes it: 1, 2 or 9
    phone: Mapped[str | None] = mapped_column(String(16))
    email: Mapped[str | None] = mapped_column(String(254))
    # SHA-256 of the 利用者証明用 certificate's issuer and serial: one waiting application per card.
    card_key: Mapped[str | None] = mapped_column(String(64), index=True)

    def __repr__(self) -> str:
        return f"RegistrationApplication({self.reference_code}, {self.status})"
