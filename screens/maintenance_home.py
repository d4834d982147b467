"""Maintenance mode: true diagnostics, a test print, reprints, service mode, restart; every action audited
by the core (kiosk/maintenance/actions.py)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from kivy.clock import Clock
from kivy.properties import BooleanProperty, StringProperty

from kiosk.maintenance.describe import describe
from screens.base import KioskScreen


class MaintenanceHomeScreen(KioskScreen):
    """Shows a diagnostics snapshot and forwards the staff member's taps to the maintenance core."""

    staff_text = StringProperty("")
    diagnostics_text = StringProperty("")
    notice_text = StringProperty("")
    in_service = BooleanProperty(True)

    def on_activate(self) -> None:
        session = self.app.maintenance_session
        self.staff_text = session.staff_id if session else ""
        self.in_service = self.app.services.maintenance.service.in_service
        self.refresh()

    def refresh(self) -> None:
        """Collect diagnostics again (about 2 s at most, off the UI thread)."""
        self.diagnostics_text = self.app.tr("staff.home.collecting", self.app.lang)
        maintenance = self.app.services.maintenance

        def collect() -> str:
            report = maintenance.diagnostics()
            session = self.app.maintenance_session
            if session is not None and maintenance.actions is not None:
                maintenance.actions.viewed_diagnostics(session.staff_id)
            return "\n".join(describe(report, self.app.lang))

        self._work(collect, lambda text: setattr(self, "diagnostics_text", text))

    def test_print(self) -> None:
        """Print a test slip."""
        staff = self._staff()
        actions = self.app.services.maintenance.actions
        self._work(lambda: actions.test_print(staff), lambda _r: self._notice("staff.done.test_print"))

    def toggle_service(self) -> None:
        """Take the kiosk out of service, or put it back."""
        staff = self._staff()
        actions = self.app.services.maintenance.actions
        wanted = not self.in_service

        def done(state: object) -> None:
            self.in_service = wanted
            self._notice("staff.done.service")

        self._work(lambda: actions.set_in_service(staff, wanted), done)

    def restart(self) -> None:
        """Restart the app safely (the entry point exits with the restart code; the supervisor starts it again)."""
        code = self.app.services.maintenance.actions.request_restart(self._staff())
        self.app.restart(code)

    def _staff(self) -> str:
        session = self.app.maintenance_session
        return session.staff_id if session else "-"

    def _notice(self, key: str, **values: object) -> None:
        self.notice_text = self.app.tr(key, self.app.lang, **values)

    def _work(self, work: Callable[[], object], done: Callable[[object], None]) -> None:
        def run() -> None:
            try:
                result = work()
            except Exception as exc:  # a printer or disk fault: say it, keep the mode usable
                message = f"{type(exc).__name__}: {exc}"
                Clock.schedule_once(lambda _dt: self._notice("staff.done.failed", error=message), 0)
                return
            Clock.schedule_once(lambda _dt: done(result), 0)

        threading.Thread(target=run, name="maintenance", daemon=True).start()
