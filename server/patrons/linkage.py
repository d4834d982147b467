"""Linkages between a library card and a My Number card. At most one is active; the rest is history.

Old scheme: the serial number and issuer of the 利用者証明用電子証明書.
New scheme: the マイキーID issued by the MyKey platform.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.errors import ApiError
from server.jpki import normalise_serial
from server.patrons.models import Linkage, Patron

OLD = "old"
MYKEY = "mykey"


def active_linkage(*, session: Session, patron_id: int) -> Linkage | None:
    """The patron's active linkage, if any."""
    return session.scalar(select(Linkage).where(Linkage.patron_id == patron_id, Linkage.active.is_(True)))


def linkage_history(*, session: Session, patron_id: int) -> list[Linkage]:
    """All of a patron's linkages, oldest first."""
    return list(session.scalars(select(Linkage).where(Linkage.patron_id == patron_id).order_by(Linkage.id)))


def add_old_link(
    *, session: Session, patron: Patron, cert_serial: int | str, cert_issuer: str, now: datetime
) -> Linkage:
    """Record an existing old-scheme link (import from the ILS); the patron must have no active link."""
    if active_linkage(session=session, patron_id=patron.id) is not None:
        raise ApiError("already_migrated", detail="patron already has an active linkage")
    link = Linkage(
        patron_id=patron.id,
        scheme=OLD,
        cert_serial=normalise_serial(cert_serial),
        cert_issuer=cert_issuer,
        active=True,
        created_at=now,
    )
    session.add(link)
    session.flush()
    return link


def find_active_by_certificate(*, session: Session, cert_serial: int | str, cert_issuer: str) -> Linkage | None:
    """The active old-scheme linkage for this certificate, if any."""
    return session.scalar(
        select(Linkage).where(
            Linkage.scheme == OLD,
            Linkage.active.is_(True),
            Linkage.cert_serial == normalise_serial(cert_serial),
            Linkage.cert_issuer == cert_issuer,
        )
    )


def find_active_by_mykey(*, session: Session, mykey_id: str) -> Linkage | None:
    """The active new-scheme linkage for this マイキーID, if any."""
    return session.scalar(
        select(Linkage).where(Linkage.scheme == MYKEY, Linkage.active.is_(True), Linkage.mykey_id == mykey_id)
    )


def switch_to_mykey(*, session: Session, old: Linkage, mykey_id: str, now: datetime) -> Linkage:
    """Replace an active old-scheme linkage by a マイキーID linkage; the old row stays as history."""
    old.active = False
    old.ended_at = now
    old.ended_reason = "migrated"
    # Flush the deactivation first: the one-active-per-patron index checks each statement.
    session.flush()
    new = Linkage(patron_id=old.patron_id, scheme=MYKEY, mykey_id=mykey_id, active=True, created_at=now)
    session.add(new)
    session.flush()
    return new
