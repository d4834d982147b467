"""Remote control of the running kiosk for UI tests: a loopback socket that taps, types, presses keys, reads and
screenshots.

It is started only when KIOSK_TEST_DRIVER_PORT is set (the tests set it; a real kiosk never does).
Each request is one JSON line; it runs on the Kivy thread and answers one JSON line. Taps go through
Kivy's real input dispatch and hit-testing (a synthetic touch at the widget's window position), so a
button that is hidden, covered or disabled does not react, just as for a patron. A tap with ``ready``
set lands only once a patron's tap would reach the widget (and otherwise says why not, for the test to
ask again); every tap says which widgets took the touch.
"""

from __future__ import annotations

import gc
import json
import logging
import queue
import socket
import threading
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.base import EventLoop
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.tests.common import UnitTestTouch
from kivy.uix.button import Button
from kivy.uix.label import Label
from kivy.uix.widget import Widget

log = logging.getLogger(__name__)


def _roots() -> list[Widget]:
    """What a patron can see: open modal views first, then the current screen."""
    app = App.get_running_app()
    modal = [w for w in Window.children if w is not app.root]
    return [*modal, app.root.current_screen]


def _find(widget_id: str) -> Widget:
    for root in _roots():
        for w in root.walk(restrict=True):
            if w.ids.get(widget_id) is not None:
                return w.ids[widget_id]
    raise LookupError(f"no widget with id {widget_id!r} on screen")


def _texts() -> list[str]:
    return [w.text for root in _roots() for w in root.walk(restrict=True) if isinstance(w, Label) and w.text]


def _overflowing() -> list[dict[str, Any]]:
    """Labels whose rendered text is larger than their box (clipped text for a patron)."""
    out = []
    for root in _roots():
        for w in root.walk(restrict=True):
            if isinstance(w, Label) and w.text and w.opacity > 0:
                w.texture_update()
                tw, th = w.texture_size
                if tw > w.width + 1 or th > w.height + 1:
                    out.append({"text": w.text, "texture": [tw, th], "box": [w.width, w.height]})
    return out


def _scrolls(widget: Widget) -> bool:
    """The widget is inside a ScrollView (text longer than the screen is scrolled to, not cut off)."""
    from kivy.uix.scrollview import ScrollView

    parent = widget.parent
    while parent is not None and parent is not parent.parent:
        if isinstance(parent, ScrollView):
            return True
        parent = parent.parent
    return False


def _off_screen() -> list[dict[str, Any]]:
    """Visible labels and buttons that reach past the window's edge (cut off for a patron), e.g. a footer whose
    buttons are wider than the screen in a long language and large text, or a title pushed up past the top."""
    out = []
    for root in _roots():
        for w in root.walk(restrict=True):
            if isinstance(w, Label) and w.text and w.opacity > 0:
                x0, y0 = w.to_window(w.x, w.y)
                x1, y1 = w.to_window(w.right, w.top)
                beyond_y = (y0 < -0.5 or y1 > Window.height + 0.5) and not _scrolls(w)
                if x0 < -0.5 or x1 > Window.width + 0.5 or beyond_y:
                    out.append({"text": w.text, "box": [x0, y0, x1, y1]})
    return out


def _small_targets() -> list[dict[str, Any]]:
    """Visible, enabled buttons smaller than 15 mm either way at the configured DPI."""
    app = App.get_running_app()
    least = app.mm(15) - 0.5
    return [
        {"text": w.text, "size": [w.width, w.height]}
        for root in _roots() for w in root.walk(restrict=True)
        if isinstance(w, Button) and w.opacity > 0 and not w.disabled and (w.width < least or w.height < least)
    ]


def _out_of_reach() -> list[dict[str, Any]]:
    """Visible, enabled buttons whose top edge is above the configured reach (a seated patron's)."""
    app = App.get_running_app()
    limit = Window.height * app.settings.accessibility.reach_fraction + 0.5
    out = []
    for root in _roots():
        for w in root.walk(restrict=True):
            if isinstance(w, Button) and w.opacity > 0 and not w.disabled:
                top = w.to_window(w.x, w.top)[1]
                if top > limit:
                    out.append({"text": w.text, "top": top, "limit": limit})
    return out


def _stray_bindings() -> list[dict[str, Any]]:
    """kv bindings still held for widgets that are no longer part of the app (see screens/release.py).

    Only the cycle collector would drop them, at a moment of its own choosing, which may be the middle of
    the dispatch that calls them; with the collector paused, what the kiosk leaves behind shows every time."""
    from kivy.lang.builder import _handlers
    from kivy.uix.widget import _widget_destructors

    app = App.get_running_app()
    trees = [*Window.children, *app.manager.screens]
    live = {w.uid for tree in trees for w in tree.walk(restrict=True)}

    def kind(uid: int) -> str:
        try:
            return type(_widget_destructors[uid][1].__ref__()).__name__
        except (KeyError, ReferenceError, AttributeError):
            return "?"

    return [{"uid": uid, "kind": kind(uid), "properties": sorted(props)}
            for uid, props in _handlers.items() if uid not in live]


def _spinning() -> bool:
    from screens.busy import BusyIndicator

    return any(isinstance(w, BusyIndicator) and w.shown for root in _roots() for w in root.walk(restrict=True))


def _steps() -> dict[str, Any] | None:
    """What the current screen's step indicator shows (None: the screen has none, or it shows no steps)."""
    from screens.step_indicator import StepIndicator

    app = App.get_running_app()
    for w in app.root.current_screen.walk(restrict=True):
        if isinstance(w, StepIndicator) and w.labels:
            return {"labels": list(w.labels), "current": w.current}
    return None


def _step_indicator() -> dict[str, Any]:
    """Whether the flow's state has a step (``app.step_view``), and where the current screen's indicator is
    ([left, bottom, right, top] on the window, None: the screen has none) and whether a patron sees it."""
    from screens.step_indicator import StepIndicator

    app = App.get_running_app()
    found = next((w for w in app.root.current_screen.walk(restrict=True) if isinstance(w, StepIndicator)), None)
    seen = found is not None and found.height > 0
    w: Any = found
    while seen and isinstance(w, Widget):
        seen = w.opacity > 0
        w = w.parent
    box = [*found.to_window(found.x, found.y), *found.to_window(found.right, found.top)] if found else None
    stepped = app.runner is not None and app.step_view is not None  # the attract screen keeps the last one
    return {"stepped": stepped, "labels": list(found.labels) if found else [], "box": box,
            "visible": seen, "window": [Window.width, Window.height], "outside": _outside(found) if found else None}


def _outside(widget: Widget) -> str | None:
    """The first of the widget's layouts (up to its screen) that it reaches out of, by its class (None: none).
    A layout with more than its height places its first children above its top: where the take-your-card banner
    pushes the screen's content down, that is under the banner, on the window but not seen."""
    x0, y0 = widget.to_window(widget.x, widget.y)
    x1, y1 = widget.to_window(widget.right, widget.top)
    parent = widget.parent
    while isinstance(parent, Widget) and parent is not App.get_running_app().root:
        px0, py0 = parent.to_window(parent.x, parent.y)
        px1, py1 = parent.to_window(parent.right, parent.top)
        if x0 < px0 - 0.5 or y0 < py0 - 0.5 or x1 > px1 + 0.5 or y1 > py1 + 0.5:
            return type(parent).__name__
        parent = parent.parent
    return None


def _seen_box(widget: Widget) -> list[float] | None:
    """The part of the widget a patron sees ([left, bottom, right, top] on the window): its box cut to the
    ScrollViews it is in (they clip), None where nothing of it shows (hidden, no size, scrolled out of view)."""
    from kivy.uix.scrollview import ScrollView

    if widget.width < 1 or widget.height < 1:
        return None
    x0, y0 = widget.to_window(widget.x, widget.y)
    x1, y1 = widget.to_window(widget.right, widget.top)
    w: Any = widget
    while isinstance(w, Widget):
        if w.opacity <= 0:
            return None
        if isinstance(w, ScrollView) and w is not widget:
            sx0, sy0 = w.to_window(w.x, w.y)
            sx1, sy1 = w.to_window(w.right, w.top)
            x0, y0, x1, y1 = max(x0, sx0), max(y0, sy0), min(x1, sx1), min(y1, sy1)
        w = w.parent
    return [x0, y0, x1, y1] if x1 - x0 > 0.5 and y1 - y0 > 0.5 else None


def _under_banner() -> list[dict[str, Any]]:
    """Visible labels and buttons of the current screen that lie (partly) under the take-your-card banner: the
    banner pushes the screen's content down, and what its layout has no room for is placed above its top."""
    from kivy.uix.image import Image

    from screens.card_left import CardLeftBanner
    from screens.design import StatusSign

    app = App.get_running_app()
    screen = app.root.current_screen
    banner = next((w for w in screen.children if isinstance(w, CardLeftBanner)), None)
    if banner is None:
        return []
    bottom = banner.to_window(banner.x, banner.y)[1]
    mine = {w.uid for w in banner.walk(restrict=True)}
    out = []
    for w in screen.walk(restrict=True):
        if w.uid in mine or not isinstance(w, Label | Image | StatusSign) or (isinstance(w, Label) and not w.text):
            continue
        box = _seen_box(w)
        if box is not None and box[3] > bottom + 0.5:
            out.append({"widget": _name_of(w), "box": box, "banner_bottom": bottom})
    return out


def _state() -> dict[str, Any]:
    app = App.get_running_app()
    flow = type(app.runner.flow.state).__name__ if app.runner is not None else None
    return {"screen": app.root.current, "flow": flow, "changing": app.root.transition.is_active,
            "language": app.lang, "texts": _texts(), "spinning": _spinning(), "steps": _steps(),
            "text_scale": app.text_scale, "high_contrast": app.high_contrast, "guidance": app.guidance,
            "spoken": list(app.a11y.spoken), "modals": [type(w).__name__ for w in _roots()[:-1]],
            "card_left": app.card_left.shown, "card_left_cues": len(app.card_left.cues),
            "warming": app.a11y.warming}


def _bounds(widget_id: str) -> dict[str, Any]:
    """Where a widget is on the window ([left, bottom, right, top]), whether a patron sees it, and what of it they
    see (``seen``: its box cut to the ScrollViews it is in, None: nothing; screens/driver._seen_box)."""
    w = _find(widget_id)
    return {"box": [*w.to_window(w.x, w.y), *w.to_window(w.right, w.top)], "visible": w.opacity > 0,
            "seen": _seen_box(w)}


def _unreachable(widget: Widget) -> str | None:
    """Why a patron's tap would not reach ``widget`` now (None: it would). Kivy's ScreenManager drops every
    touch while a screen change is under way, a dialog over the screen (a toast too) takes the touch, and a
    hidden or disabled button ignores it."""
    app = App.get_running_app()
    if app.root.transition.is_active:
        return "the screen is changing"
    top = _roots()[0]
    if widget not in top.walk(restrict=True):
        return f"{type(top).__name__} is over it"
    if widget.disabled:
        return "disabled"
    w: Any = widget
    while isinstance(w, Widget):
        if w.opacity <= 0:
            return "hidden"
        w = w.parent
    if widget.width < 1 or widget.height < 1:
        return "no size"
    return None


def _tap_widget(widget: Widget, name: str, ready: bool) -> dict[str, Any]:
    if ready and (why := _unreachable(widget)):
        return {"tapped": None, "waiting": why}
    x, y = widget.to_window(*widget.center)
    return {"tapped": name, **_tap_at(x, y)}


def _tap(widget_id: str, ready: bool) -> dict[str, Any]:
    try:
        widget = _find(widget_id)
    except LookupError as missing:
        if ready:
            return {"tapped": None, "waiting": str(missing)}
        raise
    return _tap_widget(widget, widget_id, ready)


def _tap_text(text: str, ready: bool) -> dict[str, Any]:
    """Tap the visible, enabled button labelled ``text`` (keyboard keys have no kv id)."""
    for root in _roots():
        for w in root.walk(restrict=True):
            if isinstance(w, Button) and w.text == text and w.opacity > 0 and not w.disabled:
                return _tap_widget(w, text, ready)
    if ready:
        return {"tapped": None, "waiting": f"no button labelled {text!r} on screen"}
    raise LookupError(f"no button labelled {text!r} on screen")


def _name_of(widget: Widget) -> str:
    """A widget's kv id where it has one, else its class and text."""
    parent = widget.parent
    while isinstance(parent, Widget):
        for key, value in parent.ids.items():
            if value is widget:
                return key
        parent = parent.parent
    return f"{type(widget).__name__}:{getattr(widget, 'text', '')}"


def _long_press(widget_id: str, seconds: float) -> dict[str, Any]:
    """Hold a touch on the widget for ``seconds`` (released later by the clock; the command returns now)."""
    widget = _find(widget_id)
    x, y = widget.to_window(*widget.center)
    touch = UnitTestTouch(x, y)
    touch.touch_down()
    Clock.schedule_once(lambda _dt: touch.touch_up(), seconds)
    return {"pressed": widget_id, "for": seconds}


def _tap_at(x: float, y: float) -> dict[str, Any]:
    """A touch at window coordinates, on whatever is there now (a double tap's second touch); says which
    widgets took it (a button grabs the touch it reacts to)."""
    touch = UnitTestTouch(x, y)
    touch.touch_down()
    taken = [_name_of(ref()) for ref in touch.grab_list if ref() is not None]
    touch.touch_up()
    return {"at": [x, y], "taken_by": taken}


def _screenshot(path: str) -> dict[str, Any]:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    written = Window.screenshot(name=str(target))
    Path(written).replace(target)
    return {"path": str(target)}


def _type(text: str) -> dict[str, Any]:
    """Type like a keyboard-wedge barcode scanner: one key event per character, Enter as a newline."""
    for ch in text:
        if ch == "\n":
            Window.dispatch("on_key_down", 13, 40, None, [])
            Window.dispatch("on_key_up", 13, 40)
        else:
            Window.dispatch("on_key_down", ord(ch), 0, ch, [])
            Window.dispatch("on_textinput", ch)
            Window.dispatch("on_key_up", ord(ch), 0)
    return {"typed": len(text)}


def _signs() -> list[dict[str, Any]]:
    """The status signs a patron sees: their kind (done, attention, failed) and where they are."""
    from screens.design import StatusSign

    return [{"kind": w.kind, "box": [*w.to_window(w.x, w.y), *w.to_window(w.right, w.top)]}
            for root in _roots() for w in root.walk(restrict=True)
            if isinstance(w, StatusSign) and w.kind and w.width > 0 and w.opacity > 0]


def _animating() -> list[str]:
    """The classes of the widgets an animation is moving now, on any screen (a screen that left must have
    stopped its own)."""
    from kivy.animation import Animation

    # A sequence registers itself too, with a flag per widget; its steps carry the widgets.
    return sorted({type(entry["widget"]).__name__ for anim in Animation._instances
                   for entry in anim._widgets.values() if isinstance(entry, dict)})


# What a keypad key types with Num Lock on (SDL sends it as text after the key itself).
_KEYPAD_TEXT = {**{f"numpad{d}": str(d) for d in range(10)}, "numpaddecimal": ".", "numpaddivide": "/",
                "numpadmul": "*", "numpadsubstract": "-", "numpadadd": "+"}


def _key(name: str, repeats: int = 0) -> dict[str, Any]:
    """Press and release one key by Kivy's name (a key of the tactile keypad: ``numpad7``, ``numpadenter``), as
    SDL delivers it: the key, the character it types if any, the key's release; ``repeats``: held down that many
    of SDL's key repeats long."""
    from kivy.core.window import Keyboard

    code = Keyboard.keycodes[name]
    text = _KEYPAD_TEXT.get(name)
    for _ in range(1 + repeats):
        Window.dispatch("on_key_down", code, 0, text, [])
        if text:
            Window.dispatch("on_textinput", text)
    Window.dispatch("on_key_up", code, 0)
    return {"key": name}


def _font() -> dict[str, Any]:
    from kivy.core.text import DEFAULT_FONT, LabelBase

    return {"path": LabelBase._fonts[DEFAULT_FONT][0]}


COMMANDS = {
    "state": lambda req: _state(),
    "font": lambda req: _font(),
    "signs": lambda req: {"signs": _signs()},
    "animating": lambda req: {"widgets": _animating()},
    "mm": lambda req: {"px": App.get_running_app().mm(1)},
    "overflowing": lambda req: {"labels": _overflowing()},
    "small_targets": lambda req: {"buttons": _small_targets()},
    "off_screen": lambda req: {"widgets": _off_screen()},
    "out_of_reach": lambda req: {"buttons": _out_of_reach()},
    "bounds": lambda req: _bounds(req["id"]),
    "step_indicator": lambda req: _step_indicator(),
    "under_banner": lambda req: {"widgets": _under_banner()},
    "tap": lambda req: _tap(req["id"], bool(req.get("ready"))),
    "tap_at": lambda req: _tap_at(*req["at"]),
    "tap_text": lambda req: _tap_text(req["text"], bool(req.get("ready"))),
    "long_press": lambda req: _long_press(req["id"], float(req["seconds"])),
    "screenshot": lambda req: _screenshot(req["path"]),
    "type": lambda req: _type(req["text"]),
    "key": lambda req: _key(req["name"], int(req.get("repeats", 0))),
    "pause_collector": lambda req: gc.disable() or {"paused": True},
    "stray_bindings": lambda req: {"bindings": _stray_bindings()},
}


def _run_on_kivy_thread(request: dict[str, Any]) -> dict[str, Any]:
    answer: queue.Queue[dict[str, Any]] = queue.Queue(maxsize=1)

    def run(_dt: float) -> None:
        try:
            answer.put({"ok": True, **COMMANDS[request["cmd"]](request)})
        except Exception as exc:
            log.exception("test driver command %s failed", request.get("cmd"))
            answer.put({"ok": False, "error": f"{type(exc).__name__}: {exc}"})

    Clock.schedule_once(run, 0)
    return answer.get(timeout=30)


def _serve(server: socket.socket) -> None:
    while True:
        conn, _ = server.accept()
        with conn, conn.makefile("rwb") as stream:
            for line in stream:
                reply = _run_on_kivy_thread(json.loads(line))
                stream.write(json.dumps(reply, ensure_ascii=False).encode() + b"\n")
                stream.flush()


def start(port: int) -> None:
    """Listen on 127.0.0.1:``port`` once the first frame is drawn."""
    server = socket.create_server(("127.0.0.1", port))
    EventLoop.ensure_window()
    threading.Thread(target=_serve, args=(server,), name="test-driver", daemon=True).start()
    log.info("test driver listening on 127.0.0.1:%d", port)
