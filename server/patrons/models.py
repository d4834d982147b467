"""Patron tables: the library's users and their cards, and each card's links to a My Number card (the
linkages, history kept). The schema itself is made by Alembic (server/alembic)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db import Base, Timestamp


class Patron(Base):
    """A registered library user and their card."""

    __tablename__ = "patrons"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    card_number: Mapped[str] = mapped_column(String(10), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    birth_date: Mapped[date] = mapped_column(Date)
    # Date of registration or of the last renewal: the expiry rule counts from it.
    registered_on: Mapped[date] = mapped_column(Date)
    # The address the library holds (the registration form's); a renewal may update it. None: not recorded.
    address: Mapped[str | None] = mapped_column(String(400))
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | suspended | withdrawn
    created_at: Mapped[datetime] = mapped_column(Timestamp)

    linkages: Mapped[list[Linkage]] = relationship(back_populates="patron", order_by="Linkage.id")


class Linkage(Base):
    """A link between a library card and a My Number card; inactive rows are history."""

    __tablename__ = "linkages"
    __table_args__ = (
        # At most one active linkage per patron, enforced by the database itself.
        Index(
            "uq_linkages_active_patron",
            "patron_id",
            unique=True,
            sqlite_where=text("active"),
            postgresql_where=text("active"),
        ),
        Index("ix_linkages_cert", "cert_issuer", "cert_serial"),
        Index("ix_linkages_mykey_id", "mykey_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patron_id: Mapped[int] = mapped_column(ForeignKey("patrons.id"))
    scheme: Mapped[str] = mapped_column(String(8))  # old (cert serial + issuer) | mykey (マイキーID)
    cert_serial: Mapped[str | None] = mapped_column(String(64))  # hex, upper case
    cert_issuer: Mapped[str | None] = mapped_column(String(400))  # RFC 4514 string
    mykey_id: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    ended_at: Mapped[datetime | None] = mapped_column(Timestamp)
    ended_reason: Mapped[str | None] = mapped_column(String(32))

    patron: Mapped[Patron] = relationship(back_populates="linkages")
