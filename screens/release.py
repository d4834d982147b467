"""Widgets that leave for good take their kv bindings with them.

A kv rule such as ``text: app.tr("...", app.lang)`` binds the widget to the app, which lives as long as the
kiosk, through a weak proxy. Kivy drops such a binding when the widget is collected, by a weak-reference
callback; but a widget tree is a reference cycle, and Python does not run the callbacks of weak references
that die with their cycle. The binding then stays, and the next change of the app's property (the session
ending in large text, a language switch) raises ``ReferenceError`` on the dead proxy in the middle of a tap.
So every widget tree the kiosk throws away (a rebuilt screen, a closed dialog) is released here first.
"""

from __future__ import annotations

from kivy.clock import Clock
from kivy.lang import Builder
from kivy.uix.modalview import ModalView
from kivy.uix.widget import Widget


def release(widget: Widget) -> None:
    """Unbind the kv rules of ``widget`` and of everything in it (it is not shown again)."""
    for w in widget.walk(restrict=True):
        Builder.unbind_widget(w.uid)


class TransientView(ModalView):
    """A dialog built for one opening: once dismissed, its bindings are released."""

    #: Dismissed and fading out: no longer what a patron answers (screens/keypad.py reads it).
    closing = False

    def on_pre_dismiss(self) -> None:
        self.closing = True

    def on_dismiss(self) -> None:
        # After the closing animation: the dismissal's own handlers and the fade still run on it.
        Clock.schedule_once(lambda _dt: release(self), self._anim_duration + 0.05)
