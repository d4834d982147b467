"""Reprint one of today's tickets (the kiosk keeps their numbers and waiting figures, no personal data)."""

from __future__ import annotations

import threading

from kivy.clock import Clock
from kivy.factory import Factory
from kivy.properties import StringProperty

from screens.base import KioskScreen
from screens.release import release


class StaffReprintScreen(KioskScreen):
    """One large button per ticket printed today, newest first."""

    notice_text = StringProperty("")

    def on_activate(self) -> None:
        grid = self.ids.tickets
        for old in list(grid.children):
            grid.remove_widget(old)
            release(old)
        tickets = list(reversed(self.app.services.maintenance.tickets.today()))
        self.notice_text = "" if tickets else self.app.tr("staff.reprint.none", self.app.lang)
        for ticket in tickets:
            button = Factory.KioskButton(text=ticket.number)
            button.bind(on_release=lambda _b, number=ticket.number: self.reprint(number))
            grid.add_widget(button)
            self.ids[f"reprint_{ticket.number}"] = button

    def reprint(self, number: str) -> None:
        """Print the ticket again."""
        session = self.app.maintenance_session
        staff = session.staff_id if session else "-"
        actions = self.app.services.maintenance.actions

        def run() -> None:
            try:
                actions.reprint(staff, number)
                text = self.app.tr("staff.done.reprint", self.app.lang, number=number)
            except Exception as exc:  # unknown ticket, printer fault: say so
                text = self.app.tr("staff.done.failed", self.app.lang, error=f"{type(exc).__name__}: {exc}")
            Clock.schedule_once(lambda _dt: setattr(self, "notice_text", text), 0)

        threading.Thread(target=run, name="reprint", daemon=True).start()
