"""Migration table: a verified switch held for staff confirmation, or its outcome. The schema itself is made
by Alembic (server/alembic)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db import Base, Timestamp
from server.patrons.models import Patron


class MigrationRequest(Base):
    """A verified migration held for staff confirmation (policy "staff"), or its outcome."""

    __tablename__ = "migration_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference_code: Mapped[str] = mapped_column(String(16), unique=True)
    patron_id: Mapped[int] = mapped_column(ForeignKey("patrons.id"))
    old_linkage_id: Mapped[int] = mapped_column(ForeignKey("linkages.id"))
    mykey_id: Mapped[str] = mapped_column(String(64))
    cert_serial: Mapped[str] = mapped_column(String(64))
    cert_issuer: Mapped[str] = mapped_column(String(400))
    kiosk_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | confirmed | rejected
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    decided_at: Mapped[datetime | None] = mapped_column(Timestamp)
    decided_by: Mapped[str | None] = mapped_column(String(64))

    patron: Mapped[Patron] = relationship()
