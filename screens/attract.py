"""Attract screen: the kiosk's idle face, with one button per patron service."""

from __future__ import annotations

from screens.base import KioskScreen

# Which screen each service starts on.
FIRST_STEP = {"migrate": "migrate_intro", "expiry": "expiry_entry", "ticket": "ticket_service"}


class AttractScreen(KioskScreen):
    """Shows the three services; a tap starts a patron session on the chosen one."""

    def choose(self, service: str) -> None:
        """Start a session for ``service``."""
        self.app.start_session()
        self.go(FIRST_STEP[service])
