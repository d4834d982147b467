"""Local MyKey platform simulator with its own store (mykeysim_* tables, own metadata).

It maps certificates to persons, so a renewed certificate (same person, new serial) keeps
the person's マイキーID. Certificates it has never seen become new persons. Tests and the demo
seed register the virtual card's personas with `register_certificate`.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, date, datetime, timedelta

from cryptography import x509
from sqlalchemy import (
    Column,
    Connection,
    Date,
    DateTime,
    Engine,
    LargeBinary,
    MetaData,
    String,
    Table,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError

from server.clock import Clock
from server.errors import ApiError
from server.jpki import parse_certificate, verify_signature
from server.mykey.connector import Challenge

sim_metadata = MetaData()
# PostgreSQL advisory lock key held while the tables are created (any fixed number; "mykeysim" in ASCII).
_CREATE_LOCK = 0x6D796B657973696D

persons = Table(
    "mykeysim_persons",
    sim_metadata,
    Column("person_key", String(128), primary_key=True),
    Column("mykey_id", String(32), unique=True, nullable=False),
    Column("birth_date", Date),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
certificates = Table(
    "mykeysim_certificates",
    sim_metadata,
    Column("cert_key", String(128), primary_key=True),
    Column("person_key", String(128), nullable=False),
)
challenges = Table(
    "mykeysim_challenges",
    sim_metadata,
    Column("challenge_id", String(64), primary_key=True),
    Column("data", LargeBinary, nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True)),
)


def certificate_key(cert: x509.Certificate) -> str:
    """Issuer fingerprint + serial: how the platform recognises a certificate."""
    issuer_fp = hashlib.sha256(cert.issuer.public_bytes()).hexdigest()[:32]
    return f"{issuer_fp}:{cert.serial_number:X}"


def create_tables(engine: Engine) -> None:
    """Create the store's tables if missing, safely when several server processes start on a fresh database.

    Unlocked, each process sees no table and issues CREATE TABLE, and all but one fail on PostgreSQL's
    catalogue. In one transaction under a lock the others wait, then find the tables made: PostgreSQL's DDL is
    transactional, and on SQLite the engine begins every transaction IMMEDIATE (server.db.make_engine).
    """
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CREATE_LOCK})
        sim_metadata.create_all(conn, checkfirst=True)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class MyKeySimulator:
    """MyKeyConnector backed by a small database store; safe to share between server processes."""

    def __init__(self, *, engine: Engine, clock: Clock, challenge_ttl_seconds: int) -> None:
        self.engine = engine
        self.clock = clock
        self.ttl = timedelta(seconds=challenge_ttl_seconds)
        create_tables(engine)

    def issue_challenge(self) -> Challenge:
        """A fresh 32-byte single-use challenge."""
        challenge = Challenge(
            challenge_id=secrets.token_urlsafe(18), data=secrets.token_bytes(32), expires_at=self.clock.now() + self.ttl
        )
        with self.engine.begin() as conn:
            conn.execute(
                challenges.insert().values(
                    challenge_id=challenge.challenge_id, data=challenge.data, expires_at=challenge.expires_at
                )
            )
        return challenge

    def verify_response(self, *, challenge_id: str, certificate_der: bytes, signature: bytes) -> None:
        """Consume the challenge (whatever the outcome: single use) and check the signature over it."""
        now = self.clock.now()
        with self.engine.begin() as conn:
            row = conn.execute(select(challenges).where(challenges.c.challenge_id == challenge_id)).first()
            if row is None:
                raise ApiError("challenge_unknown")
            if row.used_at is not None:
                raise ApiError("challenge_used")
            if _aware(row.expires_at) < now:
                raise ApiError("challenge_expired")
            # Conditional update: of two concurrent redemptions only one changes a row.
            taken = conn.execute(
                update(challenges)
                .where(challenges.c.challenge_id == challenge_id, challenges.c.used_at.is_(None))
                .values(used_at=now)
            ).rowcount
            if taken != 1:
                raise ApiError("challenge_used")
            data = row.data
        verify_signature(cert=parse_certificate(certificate_der), data=data, signature=signature)

    def register_certificate(self, *, certificate_der: bytes, person_key: str) -> None:
        """Tell the simulator which person a certificate belongs to (what J-LIS knows in reality)."""
        key = certificate_key(parse_certificate(certificate_der))
        with self.engine.begin() as conn:
            exists = conn.execute(select(certificates.c.cert_key).where(certificates.c.cert_key == key)).first()
            if exists is None:
                conn.execute(certificates.insert().values(cert_key=key, person_key=person_key))
            else:
                conn.execute(update(certificates).where(certificates.c.cert_key == key).values(person_key=person_key))

    def _person_key(self, conn: Connection, cert: x509.Certificate) -> str:
        key = certificate_key(cert)
        person = conn.execute(select(certificates.c.person_key).where(certificates.c.cert_key == key)).scalar()
        return person or key

    def obtain_mykey_id(self, *, certificate_der: bytes, birth_date: date | None) -> str:
        """The person's stable マイキーID, created on first use; the birth date is registered with it."""
        cert = parse_certificate(certificate_der)
        for _attempt in range(3):
            try:
                with self.engine.begin() as conn:
                    person_key = self._person_key(conn, cert)
                    row = conn.execute(select(persons).where(persons.c.person_key == person_key)).first()
                    if row is not None:
                        if birth_date is not None and row.birth_date != birth_date:
                            conn.execute(
                                update(persons).where(persons.c.person_key == person_key).values(birth_date=birth_date)
                            )
                        return row.mykey_id
                    mykey_id = secrets.token_hex(8).upper()
                    conn.execute(
                        persons.insert().values(
                            person_key=person_key, mykey_id=mykey_id, birth_date=birth_date, created_at=self.clock.now()
                        )
                    )
                    return mykey_id
            except IntegrityError:
                continue  # another process created the person at the same moment: read theirs
        raise ApiError("mykey_unavailable")

    def lookup_mykey_id(self, *, certificate_der: bytes) -> str | None:
        """The person's マイキーID if already issued."""
        cert = parse_certificate(certificate_der)
        with self.engine.connect() as conn:
            person_key = self._person_key(conn, cert)
            return conn.execute(select(persons.c.mykey_id).where(persons.c.person_key == person_key)).scalar()
