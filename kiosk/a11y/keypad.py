"""Operation without sight: what a key of the tactile numeric keypad means on the current screen.

The kiosk has a USB numeric keypad beside the screen and a headset socket (or its speaker). A patron who
cannot see the screen presses any key: audio guidance starts and says where they are and what they can do,
as numbered choices (kiosk/a11y/menus.py). From then on every flow is done on the keypad alone:

- on a screen of choices, digit N presses choice N; Enter presses the only choice of a one-button screen;
- on a pad (the card number, the PIN: a state whose row has a ``typed`` column) the digits go in one by one,
  each a tick and never its digit spoken; Clear empties the pad, Back removes the last digit (on an empty pad
  it goes back a step), Enter uses what was typed;
- Back goes back a step (the footer's もどる), Help says the current screen and its choices again;
- Staff ("*") presses the footer's 職員を呼ぶ, on a pad too: like もどる, the footer's buttons are fixed keys,
  the screen's own buttons numbered choices. Digits could not do it on a pad (they are the PIN), and a patron
  stuck at a PIN is who needs staff most. The spoken menu of every step with the button ends with it
  (menus.STAFF_KEYS).

This module only decides; screens/keypad.py forwards the window's key events here and does what it says,
pressing the same buttons a tap would. Which physical key is which is configuration ([keypad] in
config/kiosk.toml: Kivy's key names, e.g. ``numpad7``, ``numpadenter``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from kiosk.a11y import menus


class Role(StrEnum):
    """What a physical key is for."""

    DIGIT = "digit"
    ENTER = "enter"
    CLEAR = "clear"
    BACK = "back"
    HELP = "help"  # say it again
    STAFF = "staff"  # call staff (the footer's 職員を呼ぶ)


@dataclass(frozen=True)
class Press:
    """One key pressed on the keypad."""

    role: Role
    digit: str = ""  # for Role.DIGIT: "0".."9"


class KeypadKeys(Protocol):
    """The [keypad] settings: Kivy key names for each role (kiosk/config.py KeypadSettings)."""

    @property
    def enabled(self) -> bool: ...
    @property
    def digits(self) -> tuple[str, ...]: ...
    @property
    def enter(self) -> tuple[str, ...]: ...
    @property
    def clear(self) -> tuple[str, ...]: ...
    @property
    def back(self) -> tuple[str, ...]: ...
    @property
    def help(self) -> tuple[str, ...]: ...
    @property
    def staff(self) -> tuple[str, ...]: ...


class KeyMap:
    """Key names to keypad presses, from the settings; a key in two roles is a configuration error."""

    def __init__(self, keys: KeypadKeys) -> None:
        if len(keys.digits) != 10:
            raise ValueError(f"keypad.digits: ten key names, 0 to 9, in order (got {len(keys.digits)})")
        self._presses: dict[str, Press] = {}
        named = [(name, Press(Role.DIGIT, str(d))) for d, name in enumerate(keys.digits)]
        for role in (Role.ENTER, Role.CLEAR, Role.BACK, Role.HELP, Role.STAFF):
            named += [(name, Press(role)) for name in getattr(keys, role.value)]
        for name, press in named:
            if name in self._presses:
                raise ValueError(f"keypad: key {name!r} is given two meanings")
            self._presses[name] = press
        self.enabled = keys.enabled

    def press(self, key_name: str) -> Press | None:
        """What ``key_name`` (Kivy's name for the key) does on the keypad; None: not a keypad key."""
        return self._presses.get(key_name) if self.enabled else None

    def names(self) -> frozenset[str]:
        return frozenset(self._presses) if self.enabled else frozenset()


class Do(StrEnum):
    START = "start"  # audio guidance on: say where the patron is and the choices
    PRESS = "press"  # press a button on screen (a choice, a pad key, the pad's submit)
    BACK = "back"  # a step back, as the footer's もどる
    REPEAT = "repeat"  # say the screen and its choices again
    INVALID = "invalid"  # no such choice here: the error cue, then the choices again
    NOTHING = "nothing"


@dataclass(frozen=True)
class Action:
    do: Do
    widget: str = ""  # for Do.PRESS: the kv id of the button (or menus.OTHER_LANGUAGE)


# The number pad's buttons (screens/numpad.kv) and the pad screens' submit button.
SUBMIT = "submit"
CLEAR = "key_clear"
BACKSPACE = "key_backspace"


def digit_key(digit: str) -> str:
    return f"key_{digit}"


def action(press: Press, *, started: bool, typed: int | None, choices: Sequence[str],
           first_screen: bool = False) -> Action:
    """What ``press`` does now.

    ``started``: audio guidance is on (the first key of a session only starts it, so a patron feeling for the
    keys chooses nothing by it). ``typed``: the digits on the current pad, None when the screen has no pad.
    ``choices``: the kv ids of the buttons numbered 1, 2, … on the screen now (menus.MENUS, those a tap
    would reach). ``first_screen``: the attract screen, where Back has nowhere to go.
    """
    if not started:
        return Action(Do.START)
    if press.role is Role.HELP:
        return Action(Do.REPEAT)
    if press.role is Role.STAFF:
        return Action(Do.PRESS, menus.STAFF.widget)  # where the screen has the button (else it is said again)
    if typed is not None:
        return _on_pad(press, typed)
    if press.role is Role.DIGIT:
        n = int(press.digit)
        if not choices:
            return Action(Do.REPEAT)  # a working screen: nothing to choose, say what is going on
        if 1 <= n <= min(len(choices), menus.MAX_CHOICES):
            return Action(Do.PRESS, choices[n - 1])
        return Action(Do.INVALID)
    if press.role is Role.ENTER:
        return Action(Do.PRESS, choices[0]) if len(choices) == 1 else Action(Do.REPEAT)
    if press.role is Role.BACK:
        return Action(Do.NOTHING) if first_screen else Action(Do.BACK)
    return Action(Do.REPEAT)  # Clear on a screen of choices: nothing to clear, say the choices


def _on_pad(press: Press, typed: int) -> Action:
    if press.role is Role.DIGIT:
        return Action(Do.PRESS, digit_key(press.digit))
    if press.role is Role.ENTER:
        return Action(Do.PRESS, SUBMIT)
    if press.role is Role.CLEAR:
        return Action(Do.PRESS, CLEAR)
    # Back: the last digit first (訂正), a step back once the pad is empty.
    return Action(Do.PRESS, BACKSPACE) if typed else Action(Do.BACK)
