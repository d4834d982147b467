"""A row of buttons in which a hidden button takes no room (widgets.kv's OptionalButton: ``shown: root.can_x``)."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout


class ButtonRow(BoxLayout):
    """A horizontal BoxLayout that lays out only the children whose ``shown`` is not False, and (with no
    vertical size hint) is as tall as the tallest of them, each of them as tall as the row.

    A hidden child takes neither width nor one of the row's gaps, so the shown buttons share the whole row.
    It stays a child rather than being taken out of the row: the screen's ids, the release of its kv bindings
    when the screen is rebuilt (screens/release.py) and the test driver still reach it. It is parked with no
    width in the middle of the gap before the next shown button, where a tap meets no button.
    """

    def on_kv_post(self, base_widget: Any) -> None:
        # Bound here, not in add_widget: kv adds a child before its rule creates the ``shown`` property.
        for child in self.children:
            if hasattr(child, "shown"):
                child.fbind("shown", self._trigger_layout)

    def do_layout(self, *_args: object) -> None:
        shown = [c for c in self.children if getattr(c, "shown", True)]
        left, top, _right, bottom = self.padding
        if self.size_hint_y is None:  # as tall as the tallest shown button (their height follows their text)
            tallest = max((getattr(c, "natural_height", c.height) for c in shown if c.size_hint_y is None),
                          default=0)
            self.height = tallest + top + bottom
            for c in shown:  # one height for the row: a one-line label beside a two-line one is not shorter
                if c.size_hint_y is None and hasattr(c, "natural_height"):
                    c.height = tallest
        sizes = [(c.size, c.size_hint, c.pos_hint, c.size_hint_min, c.size_hint_max) for c in shown]
        for i, x, y, w, h in self._iterate_layout(sizes):  # BoxLayout's own arithmetic, over the shown ones
            child = shown[i]
            child.pos = x, y
            hint_x, hint_y = child.size_hint
            if hint_x is not None:
                child.width = w
            if hint_y is not None:
                child.height = h
        edge = self.x + left - self.spacing  # where the gap before the next shown child starts
        for child in reversed(self.children):  # left to right
            if child in shown:
                edge = child.right
            else:
                child.width = 0
                child.pos = edge + self.spacing / 2, self.y + bottom
