"""Renewal tables: the requests waiting for the counter, and the kiosks' proofs that a card signed. The schema
itself is made by Alembic (server/alembic)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.db import Base, Timestamp
from server.patrons.models import Patron


class RenewalRequest(Base):
    """A renewal asked for at a kiosk, waiting for the counter's one confirmation (server/renewals/service.py).

    It keeps only what the counter needs: who, and the card's address when it differs from the library's.
    Completing or cancelling it clears that address at once; retention deletes the row later.
    """

    __tablename__ = "renewal_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference_code: Mapped[str] = mapped_column(String(16), unique=True)
    patron_id: Mapped[int] = mapped_column(ForeignKey("patrons.id"), index=True)
    kiosk_id: Mapped[str] = mapped_column(String(64))
    new_address: Mapped[str | None] = mapped_column(String(400))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | completed | cancelled
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    decided_at: Mapped[datetime | None] = mapped_column(Timestamp)
    decided_by: Mapped[str | None] = mapped_column(String(64))

    patron: Mapped[Patron] = relationship()


class RenewalProof(Base):
    """A kiosk's proof that the patron in front of it holds a My Number card and its 利用者証明用 PIN: the card
    signed a server challenge in this session (server/renewals/proof.py). Renewal compares and requests
    need one, for one library card number at one kiosk, for a few minutes. Only the token's hash is kept.
    """

    __tablename__ = "renewal_proofs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kiosk_id: Mapped[str] = mapped_column(String(64))
    card_number: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(Timestamp)
    expires_at: Mapped[datetime] = mapped_column(Timestamp, index=True)
    # Set by the first compare that matched the record: a request needs it, so creating is no oracle.
    matched: Mapped[bool] = mapped_column(Boolean, default=False)
    used_at: Mapped[datetime | None] = mapped_column(Timestamp)  # the request it allowed was stored
