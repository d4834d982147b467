"""Attract screen: the kiosk's idle face, with one button per patron service."""

from __future__ import annotations

from kivy.properties import BooleanProperty

from screens.base import KioskScreen


class AttractScreen(KioskScreen):
    """Shows the three services (or that the kiosk is out of service); a tap starts a patron session."""

    in_service = BooleanProperty(True)
    #: The server refused this kiosk's software version: the services stay closed until it is updated.
    needs_update = BooleanProperty(False)

    def on_activate(self) -> None:
        self.needs_update = self.app.services.version_unsupported
        self.in_service = self.app.service_mode.in_service and not self.needs_update

    def choose(self, service: str) -> None:
        """Start a session for ``service`` (not while the last patron's card is on the reader: its banner again)."""
        if not self.app.card_left.may_start():
            return
        self.app.start_session()
        self.app.begin_flow(service)
