"""A short-lived per-process copy of the kiosks' secrets, so checking a signature needs no database trip.

It is only ever a cache, never the authority: recording the nonce (server.auth.kiosk.record_nonce)
re-checks in the database, in the request's own transaction, that the kiosk is still active and the
secret is still its own, so a revoked kiosk or a rotated secret is refused at once on every process.
Only kiosks that exist and are active are kept, for TTL_SECONDS; anything else is read afresh.
"""

from __future__ import annotations

import time

from sqlalchemy.orm import Session, sessionmaker

from server.auth.kiosk import KioskKey, kiosk_key

TTL_SECONDS = 10.0


class KioskKeys:
    """kiosk id -> (KioskKey, when read); reads the database on a miss."""

    def __init__(self, sessions: sessionmaker[Session], ttl_seconds: float = TTL_SECONDS) -> None:
        self._sessions = sessions
        self._ttl = ttl_seconds
        self._keys: dict[str, tuple[KioskKey, float]] = {}

    def cached(self, kiosk_id: str) -> KioskKey | None:
        """The cached key, if read less than TTL ago (no database access: safe on the event loop)."""
        entry = self._keys.get(kiosk_id)
        if entry is None or time.monotonic() - entry[1] > self._ttl:
            return None
        return entry[0]

    def load(self, kiosk_id: str) -> KioskKey | None:
        """The key as the database has it now (blocking), remembered when the kiosk is active."""
        with self._sessions() as session:
            key = kiosk_key(session=session, kiosk_id=kiosk_id)
            session.rollback()
        if key is not None and key.active:
            self._keys[kiosk_id] = (key, time.monotonic())
        else:
            self._keys.pop(kiosk_id, None)
        return key
