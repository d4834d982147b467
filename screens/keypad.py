"""The tactile numeric keypad on screen: forwards its keys to the core (kiosk/a11y/keypad.py) and does what it
says, pressing the same buttons a patron's tap would (Button.trigger_action: a hidden or disabled button is
never pressed, it is not among the choices).

The choices of a screen are kiosk/a11y/menus.py's, kept to the buttons shown and enabled now and numbered
1, 2, 3…; Accessibility speaks them after each prompt once the keypad has started the guidance, and then the
Staff key where 職員を呼ぶ is shown (it presses that button, like a tap: a step without it says itself again).
"""

from __future__ import annotations

from typing import Any

from kivy.core.window import Keyboard, Window
from kivy.uix.widget import Widget

from kiosk.a11y import keypad, menus
from kiosk.a11y.cues import Cue

# Dialogs a keypad patron must answer, by the name their prompt is spoken under (screens/idle_watch.py).
DIALOGS = {"IdleWarning": "idle", "PrivacySlipView": "privacy_slip"}
# Screens the keypad leaves alone: the staff's (a staff member uses the touch screen), and a rebuild's placeholder.
NOT_FOR_PATRONS = ("staff_", "maintenance_", "~")


def _shown(widget: Widget) -> bool:
    """A patron could tap it now: shown (itself and every parent), enabled, and of some size."""
    if widget.disabled or widget.width < 1 or widget.height < 1:
        return False
    w: Any = widget
    while isinstance(w, Widget):
        if w.opacity <= 0:
            return False
        w = w.parent
    return True


def _find(root: Widget, widget_id: str) -> Widget | None:
    for w in root.walk(restrict=True):
        found = w.ids.get(widget_id)
        if found is not None:
            return found
    return None


class KeypadInput:
    """Bound to the app as ``app.keypad``."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.keys = keypad.KeyMap(app.settings.keypad)
        self._names = {code: name for name, code in Keyboard.keycodes.items()}
        self._held: set[int] = set()  # keys down now: a held key's repeats are not presses (EN 301 549 5.7)

    def start(self) -> None:
        Window.bind(on_key_down=self._on_key_down, on_key_up=self._on_key_up)

    def owns(self, keycode: int) -> bool:
        """The key is the keypad's (a screen that reads typed text leaves it alone, e.g. the card number's scanner)."""
        return self.keys.press(self._names.get(keycode, "")) is not None

    # -- what is on screen ---------------------------------------------------------------
    def _dialog(self) -> Widget | None:
        """An open dialog over the screen (a toast, which goes by itself, is not one)."""
        app = self.app
        return next((w for w in Window.children if w is not app.root and type(w).__name__ != "Toast"
                     and not getattr(w, "closing", False)), None)

    def _root(self) -> tuple[Widget | None, str]:
        """Where the choices are and whose they are: the open dialog, or the current screen."""
        dialog = self._dialog()
        if dialog is not None:
            return dialog, DIALOGS.get(type(dialog).__name__, "")
        return self.app.root.current_screen, self.app.root.current

    def _row(self) -> Any:
        app = self.app
        if app.runner is None or app.root.current == "attract":
            return None
        from kiosk.flows import tables

        return tables.info(app.flow_name, app.runner.flow.state)

    def choices(self) -> list[menus.Choice]:
        """The numbered choices a patron has now, 1 first."""
        root, name = self._root()
        row = self._row() if root is self.app.root.current_screen else None
        if root is None or (row is not None and row.busy):
            return []  # card or server work: nothing to choose until it answers
        out = []
        for choice in menus.MENUS.get(name, ()):
            if choice.widget == menus.OTHER_LANGUAGE:
                if menus.other_language(self.app.lang) in self.app.languages:
                    out.append(choice)
            elif (widget := _find(root, choice.widget)) is not None and _shown(widget):
                out.append(choice)
        return out[: menus.MAX_CHOICES]

    def menu_keys(self) -> list[str]:
        """The prompt keys that say the choices: 「1 番、…。2 番、…」, what the keypad cannot do here, and the Staff
        key where the screen (or the view over it) shows 職員を呼ぶ: on a pad and a working step too."""
        keys = menus.spoken([choice.label for choice in self.choices()])
        root, name = self._root()
        if root is None:
            return keys
        keys += menus.NOTES.get(name, ())
        staff = _find(root, menus.STAFF.widget)
        return keys + list(menus.STAFF_KEYS) if staff is not None and _shown(staff) else keys

    # -- a key ---------------------------------------------------------------------
    def _on_key_down(self, _window: object, keycode: int, *_args: object) -> bool:
        press = self.keys.press(self._names.get(keycode, ""))
        app = self.app
        if press is None or app.root is None or app.root.current.startswith(NOT_FOR_PATRONS):
            return False
        if keycode in self._held:
            return True  # the key is held down: SDL repeats it, a patron pressed it once
        self._held.add(keycode)
        dialog = self._dialog()
        row = self._row() if dialog is None else None
        typed = row.typed_of(app.runner.flow.state) if row is not None else None
        choices = [choice.widget for choice in self.choices()]
        on_attract = dialog is None and app.root.current == "attract"
        action = keypad.action(press, started=app.guidance and app.a11y.keypad_mode, typed=typed, choices=choices,
                               first_screen=on_attract)
        self._do(action, dialog)
        return True

    def _on_key_up(self, _window: object, keycode: int, *_args: object) -> bool:
        self._held.discard(keycode)
        return False

    def _do(self, action: keypad.Action, dialog: Widget | None) -> None:
        app, a11y = self.app, self.app.a11y
        if action.do is keypad.Do.START:
            if app.idle.timer is None:
                app.idle.start()  # started on the attract screen: the guidance ends with the idle timeout
            a11y.start_keypad()
        elif action.do is keypad.Do.PRESS:
            self._press(action.widget, dialog)
        elif action.do is keypad.Do.BACK:
            if dialog is not None:  # closed as its own Back button does (the 送信した情報 view says so), or dismissed
                getattr(dialog, "back", dialog.dismiss)()
            else:
                app.back()
        elif action.do is keypad.Do.REPEAT:
            a11y.repeat()
        elif action.do is keypad.Do.INVALID:
            a11y.play_cue(Cue.ERROR)
            a11y.repeat(before=("voice.keypad.no_choice",))

    def _press(self, widget_id: str, dialog: Widget | None) -> None:
        app = self.app
        if widget_id == menus.OTHER_LANGUAGE:
            app.set_language(menus.other_language(app.lang))  # said again in it (Accessibility binds lang)
            return
        root = dialog if dialog is not None else app.root.current_screen
        widget = _find(root, widget_id)
        if widget is None and widget_id == keypad.BACKSPACE and hasattr(root, "key"):
            root.key("backspace")  # a pad without its own 訂正 button (the PIN pad): the flow's own event
            return
        if widget is None or not _shown(widget):
            app.a11y.repeat()  # not there (any more): say what is
            return
        widget.trigger_action(duration=0)
