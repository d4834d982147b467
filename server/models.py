"""Database tables (SQLAlchemy 2, typed). The schema itself is made by Alembic (server/alembic)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names, so Alembic migrations can refer to them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with the naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Timestamps are stored timezone-aware in UTC; the library's "today" is derived in Asia/Tokyo.
Timestamp = DateTime(timezone=True)


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


class RenewalRequest(Base):
    """A renewal asked for at a kiosk, waiting for the counter's one confirmation (server/domain/renewal.py).

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
    signed a server challenge in this session (server/domain/renewal_proof.py). Renewal compares and requests
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


class IdempotencyRecord(Base):
    """The first answer to a state-changing kiosk request, replayed on retries with the same key."""

    __tablename__ = "idempotency_records"

    kiosk_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response_body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(Timestamp)


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


class AuditEntry(Base):
    """Append-only audit log: who did what to which card, when, with what outcome."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(Timestamp, index=True)
    actor_type: Mapped[str] = mapped_column(String(16))  # kiosk | staff | admin_cli | system
    actor_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    card_number: Mapped[str | None] = mapped_column(String(10), index=True)
    outcome: Mapped[str] = mapped_column(String(64))  # "ok" or an error code
    # Small structured facts only: never a PIN, a 個人番号 or a certificate dump.
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
