"""Idle timeouts on screen: the patron session's warning then wipe, and the maintenance session's exit.

The timing is the core's (kiosk/idle.py, kiosk/maintenance/session.py); this only shows the warning and
tells the app when to end a session.
"""

from __future__ import annotations

import logging
from typing import Any

from kiosk.idle import IdlePhase, IdleTimer
from screens.idle_warning import IdleWarning

log = logging.getLogger(__name__)


class IdleWatch:
    """Checked by the app's clock; any touch or key counts as activity."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.timer: IdleTimer | None = None
        self._warning: IdleWarning | None = None

    def start(self) -> None:
        """A patron (or a staff member at the sign-in pad) is using the kiosk."""
        session = self.app.settings.session
        self.timer = IdleTimer(session.idle_timeout_s, session.idle_warning_s)

    def stop(self) -> None:
        """No patron session: nothing to time out."""
        self.timer = None
        if self._warning is not None:
            self._warning.dismiss()

    def touched(self) -> None:
        """Activity: both sessions live on."""
        if self.timer is not None:
            self.timer.touched()
        if self.app.maintenance_session is not None:
            self.app.maintenance_session.touched()

    def check(self) -> None:
        """Warn, wipe, or close maintenance mode, as the time says."""
        app = self.app
        if app.maintenance_session is not None and app.maintenance_session.expired():
            log.info("maintenance mode closed after idle minutes")
            app.leave_maintenance(idle=True)
            return
        if self.timer is None:
            return
        phase = self.timer.phase()
        if phase is IdlePhase.EXPIRED:
            log.info("session wiped after %d s idle", self.timer.timeout_s + self.timer.warning_s)
            app.end_session()
        elif phase is IdlePhase.WARNING:
            if self._warning is None:
                self._warning = IdleWarning()
                self._warning.bind(on_dismiss=self._dismissed)
                self._warning.open()
                app.a11y.alert("idle")  # heard too, by a patron who cannot see the dialog
            self._warning.seconds_left = self.timer.seconds_left()

    def _dismissed(self, *_args: object) -> None:
        self._warning = None
