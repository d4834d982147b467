"""Accessibility on screen: cue sounds, the audio guidance mode, the high-contrast theme, and the
accessibility panel (large text, high contrast, guidance) opened from the footer or the attract screen.

The decisions are the core's (kiosk/a11y): which cue and which prompt belong to a state, the tones,
the synthesis, the palettes. This plays the sounds with Kivy's SoundLoader (SDL2 audio) and switches
the palette. Every mode is per session: end_session resets it for the next patron.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kivy.app import App
from kivy.clock import Clock
from kivy.lang import global_idmap

from kiosk.a11y import cues, palette, speech, tones
from kiosk.config import ROOT
from screens.release import TransientView

# Not imported before the first frame: the routing table (and with it the flows' state classes) loads with the
# first flow, Kivy's audio providers with the first sound (prepare, a second after start).
if TYPE_CHECKING:
    from kivy.core.audio import Sound

log = logging.getLogger(__name__)
SPEECH_AFTER_CUE_S = 0.35  # the prompt starts once the cue is heard
SPOKEN_KEPT = 500  # prompt keys kept for the test driver: a session's worth, numbered choices included


def install_palette(name: str) -> None:
    """Put palette ``name``'s colours where the kv rules look them up (read when a widget is built)."""
    global_idmap.update(palette.PALETTES[name])


class Accessibility:
    """Bound to the app as ``app.a11y``; kv reads ``app.high_contrast`` and ``app.guidance``."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.settings = app.settings.accessibility
        self._sounds: dict[str, Sound | None] = {}
        self._cue_paths: dict[cues.Cue, Path] = {}
        self._last_state: object = None
        self._announced = ""
        self._view: str | None = None  # a view open over the screen (view_opened), whose prompt is current
        self._speech: Sound | None = None
        self._speech_generation = 0
        self._cue_ends = 0.0
        self.synthesiser = speech.Synthesiser(self.settings.voices(), ROOT / self.settings.voice_cache_dir,
                                              self.settings.speech_speed)
        self._warm_up: threading.Thread | None = None
        # A language switch in guidance mode says the current prompt again in the new language.
        app.bind(lang=lambda *_: self.repeat())
        #: Prompt keys spoken this session, newest last (keys only: never a value); the test driver reads it.
        self.spoken: list[str] = []
        #: The guidance was started from the tactile keypad (screens/keypad.py): every prompt is followed by the
        #: screen's numbered choices.
        self.keypad_mode = False
        self._deferred = 0  # prompts waiting for the next frame (keypad mode): only the newest is said

    @property
    def warming(self) -> bool:
        """The prompts are still being synthesised ahead (the process grows until that ends: Open JTalk loads)."""
        return self._warm_up is not None and self._warm_up.is_alive()

    def prepare(self) -> None:
        """Write the cue files if missing and load them, and start synthesising the spoken prompts that are
        not cached yet (after the first frame: it takes a moment)."""
        if self._warm_up is None:
            self._warm_up = self.synthesiser.warm_in_background(self.app.languages)
        if self.settings.sounds:
            self._cue_paths = tones.ensure(ROOT / self.settings.sounds_dir)
            for path in self._cue_paths.values():
                self._load(path)

    # -- state changes ---------------------------------------------------------------
    def flow_started(self) -> None:
        """A new flow: its first state is a new step whatever the last flow showed."""
        self._last_state = None

    def flow_state(self, state: object) -> None:
        """The flow handled an event and reached ``state``: its cue, and its prompt in guidance mode."""
        from kiosk.flows.common import Finished
        from screens import routes

        cue = cues.cue_for(self._last_state, state)
        self._last_state = state
        if isinstance(state, Finished):
            return  # the attract screen announces itself
        screen, _args = routes.route(self.app.flow_name, state)
        self._announced = screen
        self._signal(screen, state, cue)

    def screen_shown(self, screen: str) -> None:
        """A screen outside the flows came up (the attract screen, staff screens)."""
        if screen in ("~", self._announced):  # "~": the placeholder of a rebuild
            return
        self._announced = screen
        self._last_state = None
        self._signal(screen, None, cues.Cue.NEXT)

    def view_opened(self, view: str) -> None:
        """A view came up over the screen (送信した情報): a new step's cue, and in guidance its prompt
        (``voice.<view>``), which is also the one said again while it stays open."""
        self._view = view
        self._signal(view, None, cues.Cue.NEXT)

    def view_closed(self) -> None:
        """The patron went back from the view to the screen under it: the cue, and that screen's prompt again."""
        self._view = None
        self.play_cue(cues.Cue.NEXT)
        self.repeat()

    def alert(self, key: str) -> None:
        """A dialog that needs attention (the idle warning): the warning cue and its prompt."""
        self._signal(key, None, cues.Cue.WARNING)

    def _signal(self, screen: str, state: object, cue: cues.Cue | None) -> None:
        if cue is None:
            return
        self.play_cue(cue)
        if self.app.guidance:
            keys = cues.prompt_keys(screen, state, cue)
            if keys and self.keypad_mode:
                # The choices are those the screen shows once it has rendered the state (next frame).
                self._deferred += 1
                values, deferred = cues.spoken_values(state), self._deferred

                def say(_dt: float) -> None:
                    if deferred == self._deferred:  # not a step already left, nor a session ended (reset)
                        self.speak(*keys, *self._menu(), values=values)

                Clock.schedule_once(say, 0)
            elif keys:
                self.speak(*keys, values=cues.spoken_values(state))

    # -- sound ---------------------------------------------------------------------
    def _load(self, path: Path) -> Sound | None:
        from kivy.core.audio import SoundLoader

        key = str(path)
        if key not in self._sounds:
            sound = SoundLoader.load(key)
            if sound is None:
                log.warning("sound %s could not be loaded (no audio provider?)", path.name)
            else:
                sound.volume = self.settings.volume
            self._sounds[key] = sound
        return self._sounds[key]

    def play_cue(self, cue: cues.Cue) -> None:
        """Play one cue sound now."""
        if not self.settings.sounds:
            return
        if not self._cue_paths:
            self.prepare()
        sound = self._load(self._cue_paths[cue])
        if sound is not None:
            sound.stop()
            sound.play()
            self._cue_ends = time.monotonic() + (sound.length or 0.3)

    def speak(self, *keys: str, values: dict[str, str] | None = None) -> None:
        """Say the prompts ``keys`` in the session's language (synthesised off the UI thread, then played)."""
        self.spoken.extend(keys)
        del self.spoken[:-SPOKEN_KEPT]
        self._speech_generation += 1
        generation, language = self._speech_generation, self.app.lang
        texts = [cues.spoken_text(key, language, values) for key in keys]
        self.stop_speech()

        def synthesise() -> None:
            path = self.synthesiser.wav(texts, language)  # from the cache (synthesised ahead), or made now
            if path is not None:
                Clock.schedule_once(lambda _dt: self._play_speech(path, generation),
                                    max(0.0, self._cue_ends - time.monotonic()))

        threading.Thread(target=synthesise, name="speech", daemon=True).start()

    def _play_speech(self, path: Path, generation: int) -> None:
        if generation != self._speech_generation or not self.app.guidance:
            return  # a newer prompt replaced it, or guidance was turned off meanwhile
        from kivy.core.audio import SoundLoader

        sound = SoundLoader.load(str(path))  # not cached: a prompt file is played once per showing
        if sound is not None:
            sound.volume = 1.0
            self._speech = sound
            sound.play()

    def stop_speech(self) -> None:
        if self._speech is not None:
            self._speech.stop()
            self._speech.unload()
            self._speech = None

    # -- modes ---------------------------------------------------------------------
    def toggle_guidance(self) -> None:
        """Audio guidance on or off; turned on, it says so and then what the current screen asks."""
        app = self.app
        app.guidance = not app.guidance
        if app.guidance:
            self.play_cue(cues.Cue.OK)
            keys, values = self.current_prompt()
            self.speak("voice.guidance_on", *keys, values=values)
        else:
            self.keypad_mode = False
            self._speech_generation += 1
            self.stop_speech()

    def start_keypad(self) -> None:
        """A key of the tactile keypad started the guidance: say so, how the keypad works, where the patron is
        and the choices, numbered."""
        self.keypad_mode = True
        self.app.guidance = True
        self.play_cue(cues.Cue.OK)
        keys, values = self.current_prompt()
        self.speak("voice.keypad.on", *keys, *self._menu(), values=values)

    def _menu(self) -> list[str]:
        """The screen's numbered choices, in keypad mode."""
        return self.app.keypad.menu_keys() if self.keypad_mode else []

    def current_prompt(self) -> tuple[list[str], dict[str, str]]:
        """The prompts (and the value they may say) of what the screen shows now."""
        app = self.app
        if self._view is not None:
            return cues.prompt_keys(self._view, None, cues.Cue.NEXT), {}
        if app.runner is not None and app.manager.current != "attract":
            from screens import routes

            state = app.runner.flow.state
            screen, _ = routes.route(app.flow_name, state)
            return cues.prompt_keys(screen, state, cues.kind(state)), cues.spoken_values(state)
        return cues.prompt_keys(app.manager.current, None, cues.Cue.NEXT), {}

    def announce(self, key: str) -> None:
        """In audio guidance, say the outcome of something done beside the flow (staff called, or not): the
        screen stays as it was, Help says it again."""
        if self.app.guidance:
            self.speak(key)

    def repeat(self, before: tuple[str, ...] = ()) -> None:
        """Say the current screen's prompt again (the panel's repeat button, a language switch, the keypad's
        Help key), and in keypad mode its choices; ``before``: a prompt to say first."""
        if self.app.guidance:
            keys, values = self.current_prompt()
            self.speak(*before, *keys, *self._menu(), values=values)

    def toggle_high_contrast(self) -> None:
        """White and yellow on black, or the standard palette; the screens are built again in it."""
        self.app.high_contrast = not self.app.high_contrast
        install_palette("high_contrast" if self.app.high_contrast else "standard")
        self.app.rebuild_screens()

    def reset(self) -> None:
        """The session ended: standard palette, no guidance, nothing left to say."""
        app = self.app
        app.guidance = False
        self.keypad_mode = False
        self._deferred += 1
        self._speech_generation += 1
        self.stop_speech()
        self.spoken.clear()
        self._last_state = None
        self._view = None
        if app.high_contrast:
            app.high_contrast = False
            install_palette("standard")
            app.rebuild_screens()


class AccessibilityPanel(TransientView):
    """Large text, high contrast, audio guidance (and, with guidance on, say it again): each button switches
    one and closes the panel."""

    def choose(self, what: str) -> None:
        app = App.get_running_app()
        self.dismiss()
        if what == "large_text":
            app.a11y.play_cue(cues.Cue.OK)
            app.toggle_large_text()
        elif what == "high_contrast":
            app.a11y.play_cue(cues.Cue.OK)
            app.a11y.toggle_high_contrast()
        elif what == "guidance":
            app.a11y.toggle_guidance()
        elif what == "repeat":
            app.a11y.repeat()
