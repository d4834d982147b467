"""Stop an app right after its first frame is on screen (used to time a cold start)."""

from __future__ import annotations

from kivy.app import App
from kivy.clock import Clock


def exit_after_first_frame(app: App) -> None:
    """on_start runs before the first frame; two frames later the window has been drawn and swapped."""
    Clock.schedule_once(lambda _dt: Clock.schedule_once(lambda _dt2: app.stop(), 0), 0)
