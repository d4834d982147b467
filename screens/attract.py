"""Attract screen: the kiosk's idle face, with one button per patron service."""

from __future__ import annotations

from screens.base import KioskScreen


class AttractScreen(KioskScreen):
    """Shows the three services; a tap starts a patron session on the chosen one."""

    def choose(self, service: str) -> None:
        """Start a session for ``service``."""
        self.app.start_session()
        self.app.begin_flow(service)
