"""The kiosk's copy of its maintenance credentials (argon2id PIN hashes and roles), so staff sign in offline.

The file holds what GET /v1/kiosk/maintenance-credentials returns: for each staff member, the hash of
their maintenance PIN for this kiosk only, never a PIN and never a staff PIN's hash. It is written
atomically with mode 0600 (the kiosk user only). A refresh that fails keeps the last good copy; a
refresh that succeeds replaces it, so a disabled account disappears. A cache written by a kiosk of
before 2026-12 held the server's staff PIN hashes: it is deleted on sight and never used.
"""

from __future__ import annotations

import json
import logging
import os
import stat
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

from kiosk.api.wire import StaffCredential
from kiosk.private_files import read_json, write_private

log = logging.getLogger(__name__)

__all__ = ["KIND", "SCHEME", "StaffCache", "StaffCredential"]

SCHEME = "argon2id"
KIND = "kiosk_maintenance"  # marks a cache of maintenance PINs (older caches held staff PIN hashes)


class StaffCache:
    """Load, look up and replace this kiosk's cached maintenance credentials in one private JSON file."""

    def __init__(self, path: Path, kiosk_id: str | None = None) -> None:
        self.path = path
        # Given, a cache written for another kiosk id (a re-enrolled machine) is not used.
        self.kiosk_id = kiosk_id
        self._entries: dict[str, StaffCredential] | None = None
        self.fetched_at: datetime | None = None

    def get(self, staff_id: str) -> StaffCredential | None:
        """The credential of `staff_id`, or None when the kiosk does not know that account."""
        return self._load().get(staff_id)

    def __len__(self) -> int:
        return len(self._load())

    def replace(self, entries: Iterable[StaffCredential], *, fetched_at: datetime | None = None) -> None:
        """Write a new set of credentials (from the server) and use it from now on."""
        items = {e.staff_id: e for e in entries if e.pin_hash.startswith(f"${SCHEME}$")}
        self.fetched_at = fetched_at or datetime.now(UTC)
        document = {
            "kind": KIND,
            "kiosk_id": self.kiosk_id,
            "scheme": SCHEME,
            "fetched_at": self.fetched_at.isoformat(),
            "staff": [{"staff_id": e.staff_id, "role": e.role, "pin_hash": e.pin_hash} for e in items.values()],
        }
        write_private(self.path, json.dumps(document, ensure_ascii=False, indent=1))
        self._entries = items

    def refresh(self, fetch: Callable[[], Iterable[StaffCredential]]) -> bool:
        """Replace the cache with `fetch()` (KioskApiClient.maintenance_credentials); False keeps the old copy."""
        try:
            entries = list(fetch())
        except Exception as error:  # server down, revoked kiosk, bad answer: the last good copy stays
            log.warning("maintenance credentials not refreshed (%s); keeping %d cached accounts", error, len(self))
            return False
        self.replace(entries)
        log.info("maintenance credentials refreshed: %d accounts", len(entries))
        return True

    def file_mode(self) -> int | None:
        """Permission bits of the cache file (0o600 expected), None when there is no file yet."""
        try:
            return stat.S_IMODE(os.stat(self.path).st_mode)
        except FileNotFoundError:
            return None

    def _load(self) -> dict[str, StaffCredential]:
        if self._entries is None:
            self._entries = {}
            mode = self.file_mode()
            if mode is not None and mode & 0o077:
                # Someone loosened it: tighten again rather than refuse (staff must still be able to sign in).
                log.warning("staff cache %s had mode %o; setting 0600", self.path, mode)
                os.chmod(self.path, 0o600)
            document = read_json(self.path)
            if isinstance(document, dict) and document.get("kind") != KIND:
                # An older kiosk's cache of the server's staff PIN hashes: gone from the disk, not used.
                log.warning("staff cache %s holds staff PIN hashes of an older version; deleting it", self.path)
                self.path.unlink(missing_ok=True)
                return self._entries
            if isinstance(document, dict) and self.kiosk_id is not None and document.get("kiosk_id") != self.kiosk_id:
                log.warning("staff cache %s is another kiosk's (%s); not used", self.path, document.get("kiosk_id"))
                return self._entries
            if isinstance(document, dict) and document.get("scheme") == SCHEME:
                for row in document.get("staff", []):
                    try:
                        entry = StaffCredential(str(row["staff_id"]), str(row["role"]), str(row["pin_hash"]))
                    except (KeyError, TypeError):
                        continue
                    self._entries[entry.staff_id] = entry
                fetched = document.get("fetched_at")
                self.fetched_at = datetime.fromisoformat(fetched) if isinstance(fetched, str) else None
        return self._entries
