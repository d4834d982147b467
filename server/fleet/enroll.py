"""One-time enrollment codes: the admin CLI issues one for a kiosk, the kiosk redeems it for its secret.

A code is 10 characters of Crockford base 32 (50 bits), shown as XXXXX-XXXXX; only its SHA-256 is
stored (a code this random needs no slow hash), it is valid for a few minutes and works once.
Redeeming gives the kiosk a NEW random secret, so the secret exists nowhere before the kiosk has it,
and the previous one (a re-enrolled kiosk's) is refused from then on.
Failed attempts are counted in the database per client address (an IPv6 client by its /64, the block
one household or host is given), so the limit holds across every server process. There is no limit over
all clients together: 50 random bits need no such limit, and one would let anyone with a handful of
addresses lock every new kiosk out. An admin can clear an address's failures (clear_failures).
"""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from server import audit
from server.auth.kiosk import create_kiosk
from server.auth.models import Kiosk
from server.db import rowcount
from server.errors import ApiError
from server.fleet.models import EnrollAttempt, EnrollCode

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U to misread
CODE_LENGTH = 10
# Letters people type for the digits they look like.
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})


@dataclass(frozen=True)
class RateLimit:
    """Failed redemptions allowed within `window` per client address."""

    per_client: int
    window: timedelta


@dataclass(frozen=True)
class Enrolled:
    """What a redeemed code gives the kiosk."""

    kiosk_id: str
    secret: str


def normalise(code: str) -> str:
    """Upper case, without separators, look-alike letters read as digits."""
    return "".join(c for c in code.upper() if c.isalnum()).translate(_LOOKALIKES)


def code_hash(code: str) -> str:
    """What is stored for a code."""
    return hashlib.sha256(normalise(code).encode("ascii", "replace")).hexdigest()


def new_code() -> str:
    """A random code, formatted XXXXX-XXXXX."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def issue_code(*, session: Session, kiosk_id: str, now: datetime, minutes: int, name: str = "") -> str:
    """A fresh code for `kiosk_id` (created, without a usable secret, if new); earlier unused codes lapse."""
    kiosk = session.get(Kiosk, kiosk_id)
    if kiosk is None:
        # The random secret made here is never shown: the kiosk gets its own when it redeems the code.
        kiosk = create_kiosk(session=session, kiosk_id=kiosk_id, name=name, now=now)
    elif not kiosk.active:
        raise ValueError(f"kiosk {kiosk_id} is revoked")
    session.execute(update(EnrollCode).where(EnrollCode.kiosk_id == kiosk_id, EnrollCode.used_at.is_(None))
                    .values(expires_at=now))
    code = new_code()
    session.add(EnrollCode(code_hash=code_hash(code), kiosk_id=kiosk_id, created_at=now,
                           expires_at=now + timedelta(minutes=minutes), used_at=None))
    session.flush()
    return code


def client_key(host: str) -> str:
    """What failures are counted under: the address, or for IPv6 its /64 (one host can use any address in it)."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host[:64]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:  # ::ffff:a.b.c.d is the IPv4 client a.b.c.d
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def _check_rate(*, session: Session, client: str, now: datetime, limit: RateLimit) -> None:
    since = now - limit.window
    session.execute(delete(EnrollAttempt).where(EnrollAttempt.at < since))
    failed = select(func.count()).select_from(EnrollAttempt).where(
        EnrollAttempt.at >= since, EnrollAttempt.ok.is_(False), EnrollAttempt.client == client)
    if (session.scalar(failed) or 0) >= limit.per_client:
        raise ApiError("enroll_rate_limited")


def clear_failures(*, session: Session, client: str | None) -> int:
    """Forget the failed redemptions of one client address (or /64), or of every client: how many."""
    query = delete(EnrollAttempt).where(EnrollAttempt.ok.is_(False))
    if client is not None:
        query = query.where(EnrollAttempt.client == client_key(client))
    return rowcount(session.execute(query)) or 0


def redeem_code(*, session: Session, code: str, client: str, now: datetime, limit: RateLimit) -> Enrolled:
    """The kiosk's id and new secret for a valid code (committed), else ApiError; every try is counted under
    the client's address (client_key)."""
    client = client_key(client)
    _check_rate(session=session, client=client, now=now, limit=limit)
    # One UPDATE decides: of two processes redeeming the same code at once, only one gets the row.
    claimed = session.execute(
        update(EnrollCode)
        .where(EnrollCode.code_hash == code_hash(code), EnrollCode.used_at.is_(None), EnrollCode.expires_at > now)
        .values(used_at=now)
        .returning(EnrollCode.kiosk_id)
    ).scalar_one_or_none()
    kiosk = session.get(Kiosk, claimed) if claimed is not None else None
    session.add(EnrollAttempt(at=now, client=client, ok=kiosk is not None and kiosk.active))
    if kiosk is None or not kiosk.active:
        audit.record(session=session, at=now, actor_type="system", actor_id="enroll", action="kiosk.enroll",
                     outcome="enroll_code_invalid", detail={"client": client})
        session.commit()
        raise ApiError("enroll_code_invalid")
    kiosk.secret = secrets.token_urlsafe(32)
    audit.record(session=session, at=now, actor_type="kiosk", actor_id=kiosk.kiosk_id, action="kiosk.enroll",
                 outcome="ok", detail={"client": client})
    session.commit()
    return Enrolled(kiosk_id=kiosk.kiosk_id, secret=kiosk.secret)
