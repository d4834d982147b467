"""The kiosk's Kivy App: builds the screens, holds the session's language, routes navigation."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.screenmanager import NoTransition, Screen, ScreenManager

from kiosk import i18n
from kiosk.a11y import design
from kiosk.config import ROOT, KioskSettings, resolve
from kiosk.maintenance.service_mode import ServiceMode
from kiosk.services import KioskServices
from screens import card_events
from screens.a11y import Accessibility, AccessibilityPanel, install_palette
from screens.busy import BusyIndicator  # noqa: F401 - registers the widget class the kv rules use
from screens.card_left import CardLeft
from screens.design import StatusSign, install_tokens  # noqa: F401 - StatusSign: a widget class of the kv rules
from screens.hidden_corner import HiddenCorner  # noqa: F401 - registers the widget class the kv rules use
from screens.idle_watch import IdleWatch
from screens.keypad import KeypadInput
from screens.language_picker import LanguagePicker, attract_languages
from screens.numpad import NumberPad  # noqa: F401 - registers the widget class the kv rules use
from screens.release import release
from screens.side_actions import SideActions
from screens.staff_keyboard import StaffKeyboard  # noqa: F401 - registers the widget class the kv rules use
from screens.step_indicator import StepIndicator  # noqa: F401 - registers the widget class the kv rules use

if TYPE_CHECKING:  # the maintenance core loads after the first frame (kiosk/services.py)
    from kiosk.flows.runner import FlowRunner
    from kiosk.maintenance.session import MaintenanceSession
    from kiosk.maintenance.signin import SignInResult

# The flows, their routing table (screens/routes.py), the session statistics and the 送信した情報 view are
# imported where a flow is started or driven, not here: the flows' hundred-odd state classes take 40-70 ms to
# import, which the attract screen's first frame does not need (the warm-up loads them a second after start).

log = logging.getLogger(__name__)
KV_DIR = Path(__file__).resolve().parent
# Screen classes by name, imported when a screen is first shown: the staff screens pull in the maintenance
# core (requests, argon2), which the first frame does not need.
SCREENS: dict[str, str] = {
    "attract": "screens.attract:AttractScreen",
    "card_number": "screens.card_number:CardNumberScreen",
    "expiry_method": "screens.expiry_method:ExpiryMethodScreen",
    "expiry_result": "screens.expiry_result:ExpiryResultScreen",
    "migrate_intro": "screens.migrate_intro:MigrateIntroScreen",
    "migrate_consent": "screens.migrate_consent:MigrateConsentScreen",
    "migrate_card": "screens.migrate_card:MigrateCardScreen",
    "migrate_same_pin": "screens.migrate_same_pin:MigrateSamePinScreen",
    "pin_pad": "screens.pin_pad:PinPadScreen",
    "last_try": "screens.last_try:LastTryScreen",
    "migrate_working": "screens.migrate_working:MigrateWorkingScreen",
    "migrate_result": "screens.migrate_result:MigrateResultScreen",
    "ticket_service": "screens.ticket_service:TicketServiceScreen",
    "ticket_result": "screens.ticket_result:TicketResultScreen",
    "staff_signin": "screens.staff_signin:StaffSignInScreen",
    "maintenance_home": "screens.maintenance_home:MaintenanceHomeScreen",
    "staff_reprint": "screens.staff_reprint:StaffReprintScreen",
    "checkup_intro": "screens.checkup_intro:CheckupIntroScreen",
    "checkup_result": "screens.checkup_result:CheckupResultScreen",
    "renewal_way": "screens.renewal_way:RenewalWayScreen",
    "renewal_bring": "screens.renewal_bring:RenewalBringScreen",
    "renewal_working": "screens.renewal_working:RenewalWorkingScreen",
    "renewal_review": "screens.renewal_review:RenewalReviewScreen",
    "renewal_result": "screens.renewal_result:RenewalResultScreen",
    "registration_intro": "screens.registration_intro:RegistrationIntroScreen",
    "registration_ids": "screens.registration_ids:RegistrationIdsScreen",
    "registration_working": "screens.registration_working:RegistrationWorkingScreen",
    "registration_review": "screens.registration_review:RegistrationReviewScreen",
    "registration_contact": "screens.registration_contact:RegistrationContactScreen",
    "registration_result": "screens.registration_result:RegistrationResultScreen",
}
SCREENSHOT_INTERVAL_S = 3.0
IDLE_CHECK_INTERVAL_S = 0.5
LARGE_TEXT = design.LARGE_TEXT
ATTRACT_REFRESH_S = 2.0
WARM_UP_AFTER_S = 1.0


def _screen_class(name: str) -> type[Screen]:
    """The class of screen ``name`` (SCREENS), imported now if it was not yet."""
    module, _, cls = SCREENS[name].partition(":")
    return getattr(importlib.import_module(module), cls)


class KioskApp(App):
    """The lobby kiosk."""

    title = "Saga Prefectural Library kiosk"
    #: Language of the current patron session; kv rules re-render when it changes.
    lang = StringProperty("ja")
    #: The attract screen's two languages, which follow ``lang`` (screens/language_picker.attract_languages).
    attract_langs = ListProperty(["ja", "en"])
    #: 1.0, or LARGE_TEXT for the session's large-text mode (type sizes are read when screens are built).
    text_scale = NumericProperty(1.0)
    #: The session's high-contrast theme and audio guidance mode (screens/a11y.py).
    high_contrast = BooleanProperty(False)
    guidance = BooleanProperty(False)
    #: The flow state's step indicator (kiosk/steps.py Indicator; None: no flow, or a state without steps).
    step_view = ObjectProperty(None, allownone=True)
    #: The take-your-card banner is over the current screen (screens/card_left.py): a screen that needs its room
    #: (a result's head, a ticket's number) is laid out tighter while it shows.
    card_left_shown = BooleanProperty(False)

    def __init__(self, settings: KioskSettings, languages: Sequence[str] | None = None, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.settings = settings
        #: The picker's languages: the configured ones the screen font can draw (main.py checks).
        self.languages = list(settings.session.languages if languages is None else languages)
        self.lang = settings.session.default_language
        self._history: list[str] = []
        self._kv_loaded: set[str] = set()
        self.manager: ScreenManager | None = None
        self.services = KioskServices(settings)
        # Read by the attract screen at start: a file read, not the whole maintenance core.
        self.service_mode = ServiceMode(resolve(settings.maintenance.data_dir))
        self.maintenance_session: MaintenanceSession | None = None
        self.exit_code = 0
        self.runner: FlowRunner | None = None
        self.flow_name = ""
        self.idle = IdleWatch(self)
        self.side = SideActions(self)
        self.a11y = Accessibility(self)
        self.card_left = CardLeft(self)
        self.keypad = KeypadInput(self)  # the tactile keypad: operation without sight

    # -- helpers used by the kv rules -------------------------------------------------
    def tr(self, key: str, language: str, **values: object) -> str:
        """Translated text; kv passes ``app.lang`` so the binding refreshes on a language switch."""
        return i18n.translate(key, language, **values)

    def mm(self, millimetres: float) -> float:
        """Pixels for a physical length at the configured screen DPI."""
        return millimetres / 25.4 * self.settings.display.dpi

    def pt(self, points: float) -> float:
        """Pixels for a type size in points at the configured screen DPI (and the session's text size)."""
        return points / 72.0 * self.settings.display.dpi * self.text_scale

    # -- app life cycle ---------------------------------------------------------------
    def build(self) -> ScreenManager:
        install_palette("standard")  # before any kv rule builds a widget
        install_tokens()
        Builder.load_file(str(KV_DIR / "widgets.kv"))
        Builder.load_file(str(KV_DIR / "a11y_panel.kv"))
        Builder.load_file(str(KV_DIR / "numpad.kv"))
        Builder.load_file(str(KV_DIR / "step_indicator.kv"))
        Builder.load_file(str(KV_DIR / "idle_warning.kv"))
        Builder.load_file(str(KV_DIR / "toast.kv"))
        Builder.load_file(str(KV_DIR / "language_picker.kv"))
        self.manager = ScreenManager(transition=NoTransition())
        # Only the attract screen is built now; the others on first use (a faster cold start).
        self._screen("attract")
        self.manager.current = "attract"
        self.manager.bind(current=lambda _m, name: self.a11y.screen_shown(name))
        self.manager.bind(current=lambda *_: self.card_left.screen_changed())  # the take-your-card banner follows
        Clock.schedule_once(lambda _dt: self.a11y.prepare(), WARM_UP_AFTER_S)
        # After the first frames, not before: the warm-up imports would hold the GIL while the window draws.
        Clock.schedule_once(lambda _dt: self.services.warm_up(), WARM_UP_AFTER_S)
        if self.settings.display.screenshot_dir:
            Clock.schedule_interval(self._live_screenshot, SCREENSHOT_INTERVAL_S)
        self.keypad.start()  # bound first: called after the activity watch below, which must see every key
        # Any touch or key (a barcode scan too) keeps a patron session alive.
        Window.bind(on_touch_down=self._on_activity, on_key_down=self._on_activity)
        Clock.schedule_interval(lambda _dt: self.idle.check(), IDLE_CHECK_INTERVAL_S)
        # The attract screen shows what the background learns (e.g. a version the server refuses).
        Clock.schedule_interval(self._refresh_attract, ATTRACT_REFRESH_S)
        # pyscard starts its monitor threads after the first frames too (cards already present are reported then).
        Clock.schedule_once(lambda _dt: card_events.start(self._on_card_event), WARM_UP_AFTER_S)
        return self.manager

    def on_stop(self) -> None:
        card_events.stop()
        self.services.stop()

    # -- navigation -------------------------------------------------------------------
    def _screen(self, name: str) -> Screen:
        """The screen ``name``, built (and its kv rules loaded) the first time it is needed."""
        assert self.manager is not None
        if not self.manager.has_screen(name):
            if name not in self._kv_loaded:  # a kv file loaded twice would apply its rules twice
                Builder.load_file(str(KV_DIR / f"{name}.kv"))
                self._kv_loaded.add(name)
            self.manager.add_widget(_screen_class(name)(name=name))
        return self.manager.get_screen(name)

    def toggle_large_text(self) -> None:
        """Switch the session between standard and large text; the screens are built again at the new size."""
        self._set_text_scale(LARGE_TEXT if self.text_scale == 1.0 else 1.0)

    def a11y_panel(self) -> None:
        """The accessibility panel: large text, high contrast, audio guidance."""
        if self.idle.timer is None:
            self.idle.start()  # opened on the attract screen: a mode chosen there ends with the idle timeout
        AccessibilityPanel().open()

    def _set_text_scale(self, scale: float) -> None:
        if scale == self.text_scale:
            return
        self.text_scale = scale
        self.rebuild_screens()

    def rebuild_screens(self) -> None:
        """Build the screens again (kv rules read type sizes and palette colours when a widget is built)."""
        assert self.manager is not None
        current = self.manager.current
        for screen in list(self.manager.screens):
            if screen.name != current:
                self.manager.remove_widget(screen)
                release(screen)
        old = self.manager.get_screen(current)
        placeholder = Screen(name="~")  # shown for the moment the old screen is swapped for a new one
        self.manager.add_widget(placeholder)
        self.manager.current = "~"
        self.manager.remove_widget(old)
        release(old)
        self._screen(current)
        self.manager.current = current
        self.manager.remove_widget(placeholder)
        release(placeholder)
        if self.runner is not None and current not in ("attract",):
            self._render(self.runner.flow.state)

    def show(self, name: str) -> None:
        """Go to screen ``name``, remembering where we came from for Back."""
        assert self.manager is not None
        self._screen(name)
        if self.manager.current != name:
            self._history.append(self.manager.current)
        self.manager.current = name

    def back(self) -> None:
        """One step back: within a flow the flow decides; from a flow's first step, the attract screen."""
        from kiosk.flows import common
        from screens import routes

        assert self.manager is not None
        if self.runner is not None and not routes.is_first(self.flow_name, self.runner.flow.state):
            before = self.runner.flow.state
            self.send(common.Back())
            if self.runner is not None and self.runner.flow.state is before \
                    and not routes.is_busy(self.flow_name, before):
                self.end_session()  # a result has no step before it: Back means "start again"
            return
        previous = self._history.pop() if self._history else "attract"
        if previous == "attract":
            self.end_session()
        else:
            self._screen(previous)
            self.manager.current = previous

    # -- flows ------------------------------------------------------------------------
    def begin_flow(self, name: str) -> None:
        """Start a fresh flow of ``name`` and show its first state."""
        from kiosk.flows.runner import FlowRunner
        from kiosk.statistics import SessionOutcome
        from screens import routes

        if self.runner is not None:
            self.runner.close()
        self.flow_name = name
        self.step_view = None  # a new flow: no way shown yet
        flow = routes.FLOW_FACTORIES[name](self.settings)
        self.runner = FlowRunner(flow, lambda effect: self.services.performer.perform(effect), self._post,
                                 self._on_flow_state, SessionOutcome(name, self.services.record_outcome))
        self.a11y.flow_started()
        self.card_left.flow_started()
        self._on_flow_state(flow.state)

    def send(self, event: object) -> None:
        """Forward a tap, a scan or a card event to the current flow."""
        if self.runner is not None:
            self.runner.send(event)

    @staticmethod
    def _post(callback: Callable[[], None]) -> None:
        Clock.schedule_once(lambda _dt: callback(), 0)

    def _on_flow_state(self, state: object) -> None:
        """The flow moved: its sound (and spoken prompt), then the screen."""
        self.a11y.flow_state(state)
        self._render(state)
        self.card_left.flow_state(self.flow_name, state)  # a result with the card still on: take-your-card

    def _render(self, state: object) -> None:
        """Show ``state`` on the screen that renders it."""
        from kiosk import steps
        from kiosk.flows import common
        from screens import routes

        assert self.manager is not None
        if isinstance(state, common.Finished):
            self.end_session()
            return
        name, args = routes.route(self.flow_name, state)
        self.step_view = steps.indicator(self.flow_name, state, self.step_view)
        self._screen(name).render(*args)
        if self.manager.current != name:
            self.manager.current = name

    def counter_ticket(self, service: str, reason: str, reference: str | None) -> None:
        """One tap from a result to a queue ticket for the counter, carrying why (and the reference)."""
        from kiosk.flows import ticket

        self.begin_flow("ticket")
        self.send(ticket.Choose(service, reason, reference))

    def request_renewal(self, card_number: str) -> None:
        """From a result that says renewal is open (expiry check, check-up): the renewal request for this card."""
        from kiosk.flows import renewal

        self.begin_flow("renewal")
        self.send(renewal.Begin(card_number))

    def show_disclosures(self) -> None:
        """送信した情報: over the current result, what this session sent to the library's server."""
        from screens import privacy_slip

        sent = self.services.performer.api.disclosures.snapshot()
        state = self.runner.flow.state if self.runner is not None else None
        privacy_slip.show(sent, privacy_slip.reference_of(state, sent.session_reference))

    def _on_card_event(self, inserted: bool) -> None:
        """A card was put on or taken off the reader (called on the Kivy thread)."""
        from kiosk.flows.card_steps import CardInserted, CardRemoved

        self.card_left.card(inserted)
        self.send(CardInserted() if inserted else CardRemoved())

    def start_session(self) -> None:
        """A patron starts using the kiosk."""
        self._history.clear()
        self.idle.start()  # the language stays: it may have been chosen on the attract screen

    def end_session(self) -> None:
        """Forget the session and return to the attract screen."""
        from screens import privacy_slip

        assert self.manager is not None
        self._history.clear()
        if self.runner is not None:
            close = getattr(self.runner.flow, "close", None)
            if close is not None:
                close()  # zero any PIN digits still typed
            self.runner.close()
            self.runner = None  # the flow and every datum it held go with it
        for screen in self.manager.screens:
            screen.wipe()
        privacy_slip.close_all()
        self.services.forget_disclosures()  # the next patron's slip starts empty
        self.idle.stop()
        self.maintenance_session = None
        self.lang = self.settings.session.default_language
        self._screen("attract")  # large text may have had it rebuilt away
        self.manager.current = "attract"
        self._set_text_scale(1.0)  # the next patron starts with standard text
        self.a11y.reset()  # ... standard colours and no audio guidance
        self._screen("attract").on_activate()  # the service mode may have changed
        self.card_left.ended()  # the card still on the reader: the attract screen says to take it

    def _refresh_attract(self, _dt: float) -> None:
        if self.manager is not None and self.manager.current == "attract":
            self._screen("attract").on_activate()

    # -- maintenance mode ---------------------------------------------------------------
    def open_maintenance(self) -> None:
        """The hidden gesture: the staff sign-in pad."""
        self.end_session()
        self.idle.start()
        self.show("staff_signin")

    def enter_maintenance(self, result: SignInResult) -> None:
        """A staff member signed in."""
        self.idle.stop()  # the maintenance session has its own, longer idle exit
        self.maintenance_session = self.services.maintenance.open_session(result)
        self.show("maintenance_home")

    def leave_maintenance(self, *, idle: bool = False) -> None:
        """Sign out (a tap, or idle minutes); audited."""
        session = self.maintenance_session
        if session is not None and self.services.maintenance.actions is not None:
            self.services.maintenance.actions.signed_out(session.staff_id, idle=idle)
        self.end_session()

    def restart(self, code: int) -> None:
        """Stop the app with ``code``; main.py exits with it and the supervisor starts the app again."""
        self.exit_code = code
        self.stop()

    # -- idle timeout -----------------------------------------------------------------
    def _on_activity(self, *_args: object) -> bool:
        self.idle.touched()
        return False  # never swallow the touch or key

    def on_lang(self, _app: object, lang: str) -> None:
        self.attract_langs = list(attract_languages(lang))

    def language_words(self) -> str:
        """The attract screen's language button: the word for "language" in each language offered."""
        return " · ".join(dict.fromkeys(i18n.translate("language.word", code) for code in self.languages))

    def open_language_picker(self) -> None:
        """The footer's language button: the list of languages, each in its own script."""
        LanguagePicker(self.languages, self.set_language).open()

    def set_language(self, code: str) -> None:
        """The whole session in ``code`` until it ends (end_session goes back to the default language)."""
        self.lang = code
        if self.runner is not None:
            self._render(self.runner.flow.state)
        elif self.manager is not None and self.manager.current == "attract":
            self.idle.start()  # chosen on the attract screen: a patron who walks away leaves no language behind

    # -- make run on a virtual display ------------------------------------------------
    def _live_screenshot(self, _dt: float) -> None:
        target = ROOT / self.settings.display.screenshot_dir
        target.mkdir(parents=True, exist_ok=True)
        written = Window.screenshot(name=str(target / "kiosk.png"))
        if written:
            Path(written).replace(target / "kiosk.png")
