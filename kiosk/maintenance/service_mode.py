"""In service / out of service, kept in the kiosk's data directory so it survives a restart."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from kiosk.private_files import read_json, write_private

FILE_NAME = "service-mode.json"


@dataclass(frozen=True)
class ServiceState:
    """Whether patrons may use the kiosk, and who last switched it, when."""

    in_service: bool
    changed_by: str | None = None
    changed_at: datetime | None = None


class ServiceMode:
    """Read and switch the service state; a missing or unreadable file means in service."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / FILE_NAME

    def current(self) -> ServiceState:
        """The state as stored (read from disk each time: cheap, and always the truth after a restart)."""
        document = read_json(self.path)
        if not isinstance(document, dict) or not isinstance(document.get("in_service"), bool):
            return ServiceState(in_service=True)
        at = document.get("changed_at")
        return ServiceState(document["in_service"], document.get("changed_by"),
                            datetime.fromisoformat(at) if isinstance(at, str) else None)

    @property
    def in_service(self) -> bool:
        """True when the attract screen offers the services."""
        return self.current().in_service

    def set(self, in_service: bool, *, staff_id: str, now: datetime | None = None) -> ServiceState:
        """Switch and persist; returns the new state."""
        changed_at = now or datetime.now(UTC)
        state = ServiceState(in_service, staff_id, changed_at)
        write_private(self.path, json.dumps({"in_service": in_service, "changed_by": staff_id,
                                             "changed_at": changed_at.isoformat()}))
        return state
