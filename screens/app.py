"""The kiosk's Kivy App: builds the screens, holds the session's language, routes navigation."""

from __future__ import annotations

import logging
from pathlib import Path

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.properties import StringProperty
from kivy.uix.screenmanager import NoTransition, ScreenManager

from kiosk import i18n
from kiosk.config import ROOT, KioskSettings
from screens.attract import AttractScreen
from screens.expiry_entry import ExpiryEntryScreen
from screens.migrate_intro import MigrateIntroScreen
from screens.ticket_service import TicketServiceScreen

log = logging.getLogger(__name__)
KV_DIR = Path(__file__).resolve().parent
SCREENS = {
    "attract": AttractScreen,
    "migrate_intro": MigrateIntroScreen,
    "expiry_entry": ExpiryEntryScreen,
    "ticket_service": TicketServiceScreen,
}
SCREENSHOT_INTERVAL_S = 3.0


class KioskApp(App):
    """The lobby kiosk."""

    title = "Saga Prefectural Library kiosk"
    #: Language of the current patron session; kv rules re-render when it changes.
    lang = StringProperty("ja")

    def __init__(self, settings: KioskSettings, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.settings = settings
        self.lang = settings.session.default_language
        self._history: list[str] = []
        self.manager: ScreenManager | None = None

    # -- helpers used by the kv rules -------------------------------------------------
    def tr(self, key: str, language: str) -> str:
        """Translated text; kv passes ``app.lang`` so the binding refreshes on a language switch."""
        return i18n.translate(key, language)

    def mm(self, millimetres: float) -> float:
        """Pixels for a physical length at the configured screen DPI."""
        return millimetres / 25.4 * self.settings.display.dpi

    def pt(self, points: float) -> float:
        """Pixels for a type size in points at the configured screen DPI."""
        return points / 72.0 * self.settings.display.dpi

    # -- app life cycle ---------------------------------------------------------------
    def build(self) -> ScreenManager:
        Builder.load_file(str(KV_DIR / "widgets.kv"))
        for name in SCREENS:
            Builder.load_file(str(KV_DIR / f"{name}.kv"))
        self.manager = ScreenManager(transition=NoTransition())
        for name, cls in SCREENS.items():
            self.manager.add_widget(cls(name=name))
        self.manager.current = "attract"
        if self.settings.display.screenshot_dir:
            Clock.schedule_interval(self._live_screenshot, SCREENSHOT_INTERVAL_S)
        return self.manager

    # -- navigation -------------------------------------------------------------------
    def show(self, name: str) -> None:
        """Go to screen ``name``, remembering where we came from for Back."""
        assert self.manager is not None
        if self.manager.current != name:
            self._history.append(self.manager.current)
        self.manager.current = name

    def back(self) -> None:
        """One step back; from the first step of a service, back to the attract screen."""
        assert self.manager is not None
        previous = self._history.pop() if self._history else "attract"
        if previous == "attract":
            self.end_session()
        else:
            self.manager.current = previous

    def start_session(self) -> None:
        """A patron starts using the kiosk."""
        self._history.clear()
        self.lang = self.settings.session.default_language

    def end_session(self) -> None:
        """Forget the session and return to the attract screen."""
        assert self.manager is not None
        self._history.clear()
        self.lang = self.settings.session.default_language
        self.manager.current = "attract"

    def toggle_language(self) -> None:
        """Switch the whole session between Japanese and English."""
        self.lang = "en" if self.lang == "ja" else "ja"

    # -- make run on a virtual display ------------------------------------------------
    def _live_screenshot(self, _dt: float) -> None:
        target = ROOT / self.settings.display.screenshot_dir
        target.mkdir(parents=True, exist_ok=True)
        written = Window.screenshot(name=str(target / "kiosk.png"))
        if written:
            Path(written).replace(target / "kiosk.png")
