"""Base class of every kiosk screen."""

from __future__ import annotations

from kivy.app import App
from kivy.properties import BooleanProperty
from kivy.uix.screenmanager import Screen

from screens.button_row import ButtonRow  # noqa: F401 - registers the row class the screens' kv rules use


class KioskScreen(Screen):
    """A screen that only shows state; ``on_activate`` refreshes it each time it is shown."""

    #: Card or server work under way: the screen's BusyIndicator turns (after 300 ms).
    busy = BooleanProperty(False)

    def on_enter(self, *args: object) -> None:
        self.on_activate()

    def on_leave(self, *args: object) -> None:
        self.busy = False

    def on_activate(self) -> None:
        """Refresh what the screen shows from the core; screens override it."""

    def wipe(self) -> None:
        """Forget everything shown for the last patron: every text property back to its default."""
        for name, prop in self.properties().items():
            if name.endswith("_text"):
                setattr(self, name, prop.defaultvalue)

    @property
    def app(self) -> App:
        """The running kiosk app."""
        return App.get_running_app()

    def go(self, name: str) -> None:
        """Switch to another screen (forwarded to the app so navigation stays in one place)."""
        self.app.show(name)
