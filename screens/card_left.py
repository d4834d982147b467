"""A card left on the reader, on screen: the take-your-card banner over the current screen and its repeating cue.

The decisions are the core's (kiosk/card_left.py): when the banner shows, when the cue sounds, whether a new
patron's flow may start. This puts the banner on top of whatever screen is shown (it follows screen changes
and rebuilds), plays the warning cue (and, in audio guidance, says the prompt) when the core says so, and
keeps a log of the cues for the test driver.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.lang import Builder
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from kiosk.card_left import CardLeftGuard, CueTiming
from kiosk.states import Cue
from screens.release import release

log = logging.getLogger(__name__)
KV = Path(__file__).resolve().parent / "card_left.kv"
TICK_S = 0.25
PROMPT = "voice.card_left"


class CardLeftBanner(BoxLayout):
    """Full width across the top of a screen, whose content it pushes down rather than hide: a result stays
    readable under it. Touches go on to what is under it (the staff's hidden corner of the attract screen)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._pushed: list[tuple[Widget, Any]] = []

    def push_down(self, screen: Widget) -> None:
        """Make the screen's content (its children that fill its height) end where the banner ends."""
        for child in list(screen.children):
            if child is self or child.size_hint_y is None:
                continue
            self._pushed.append((child, child.size_hint_y))
            child.size_hint_y = None
            self._fit(child, screen)
        if self._pushed:
            screen.bind(height=self._refit)
            self.bind(height=self._refit)

    def give_back(self, screen: Widget) -> None:
        """The banner leaves: the content fills the screen again."""
        screen.unbind(height=self._refit)
        self.unbind(height=self._refit)
        for child, size_hint_y in self._pushed:
            child.size_hint_y = size_hint_y
        self._pushed.clear()

    def _refit(self, *_args: object) -> None:
        if self.parent is not None:
            for child, _hint in self._pushed:
                self._fit(child, self.parent)

    def _fit(self, child: Widget, screen: Widget) -> None:
        child.y = 0
        child.height = max(0, screen.height - self.height)


class CardLeft:
    """Bound to the app as ``app.card_left``; the app tells it of card events, flow results and session ends."""

    def __init__(self, app: Any) -> None:
        self.app = app
        card = app.settings.card
        self.guard = CardLeftGuard(CueTiming(every_s=card.left_cue_every_s, times=card.left_cue_times))
        self._banner: CardLeftBanner | None = None
        self._kv_loaded = False
        self._ticking = False
        #: Times (monotonic) the cue sounded since the banner last came up; the test driver reads how many.
        self.cues: list[float] = []

    # -- what the app tells it ---------------------------------------------------------
    def card(self, present: bool) -> None:
        """The reader reported the card put on or taken off."""
        self.guard.card(present)
        self._sync()

    def flow_state(self, flow: str, state: object) -> None:
        """The flow reached ``state``: a result (its table's outcome) means the flow needs the card no more; a step
        of a flow after one (Back from 持ち物 to the card way, a retry) means the card is its business again."""
        from kiosk.flows import tables

        row = tables.info(flow, state)
        if row is None:
            return
        if row.outcome_of(state) is not None:
            self.ended()
        elif row.step and self.guard.left:
            self.flow_started()

    def ended(self) -> None:
        """A flow reached its result, or the session ended (done, back, idle wipe)."""
        was_left = self.guard.left
        self.guard.flow_ended(time.monotonic())
        if self.guard.left and not was_left:
            log.info("card left on the reader after the flow ended")
            self.cues.clear()
        self._sync()

    def flow_started(self) -> None:
        """A flow began (from a result: a counter ticket, a renewal request)."""
        self.guard.flow_started()
        self._sync()

    def may_start(self) -> bool:
        """A tap on a service of the attract screen: False (and the banner's cue again) while a card is left."""
        allowed = self.guard.may_start(time.monotonic())
        if not allowed:
            self.cues.clear()  # the banner shown again: its cues count afresh
            self._tick(0)  # the cue at once, not at the next tick
        return allowed

    def screen_changed(self) -> None:
        """Another screen came to the front (or the current one was rebuilt): the banner moves onto it."""
        if self._banner is not None:
            self._drop_banner()
        self._sync()

    # -- on screen -----------------------------------------------------------------------
    def _sync(self) -> None:
        if not self.guard.left:
            if self._banner is not None:
                self._drop_banner()
            return
        manager = self.app.manager
        # By name, not current_screen: called from the binding on ``current``, before the manager's own handler.
        screen = manager.get_screen(manager.current) if manager is not None and manager.has_screen(manager.current) \
            else None
        if screen is not None and (self._banner is None or self._banner.parent is not screen):
            if self._banner is not None:
                self._drop_banner()
            if not self._kv_loaded:
                Builder.load_file(str(KV))
                self._kv_loaded = True
            self._banner = CardLeftBanner()  # built anew each time: at the session's text size and palette
            screen.add_widget(self._banner)
            self._banner.push_down(screen)
            self.app.card_left_shown = True
        if not self._ticking:
            self._ticking = True
            Clock.schedule_interval(self._tick, TICK_S)

    def _drop_banner(self) -> None:
        banner, self._banner = self._banner, None
        if banner is None:
            return
        self.app.card_left_shown = False
        if banner.parent is not None:
            banner.give_back(banner.parent)
            banner.parent.remove_widget(banner)
        release(banner)

    def _tick(self, _dt: float) -> bool:
        if self.guard.tick(time.monotonic()):
            self.cues.append(time.monotonic())
            a11y = self.app.a11y
            a11y.play_cue(Cue.WARNING)
            if self.app.guidance:
                a11y.speak(PROMPT)
        if not self.guard.left:
            self._ticking = False
            return False  # unscheduled until a card is left again
        return True

    @property
    def shown(self) -> bool:
        """The banner is on the current screen."""
        return self._banner is not None and self._banner.parent is not None
