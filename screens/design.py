"""The design system on screen: installs kiosk/a11y/design.py's tokens where the kv rules look them up, and draws
the status sign a result leads with (its shape, mark and colour are the design system's; which sign, the
core's: kiosk/result_sign.py)."""

from __future__ import annotations

from kivy.graphics import Color, Ellipse, Line, Mesh
from kivy.lang import global_idmap
from kivy.properties import StringProperty
from kivy.uix.widget import Widget

from kiosk.a11y import design


def install_tokens() -> None:
    """Put the type, spacing and size tokens (T_*, S_*, Z_*) where the kv rules read them."""
    global_idmap.update(design.tokens())
    global_idmap["DETAIL_LARGE"] = design.DETAIL_LARGE


class StatusSign(Widget):
    """A circle with a check, a triangle with !, or an octagon with x; nothing while ``kind`` is empty.

    Drawn with canvas instructions from the design system's points (no emoji font, no image), in the palette's
    colours read when the sign is drawn: a high-contrast switch rebuilds the screens, and with them this.
    """

    kind = StringProperty("")

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.bind(kind=self._draw, pos=self._draw, size=self._draw)

    def _draw(self, *_args: object) -> None:
        self.canvas.clear()
        if self.kind not in design.SIGNS:
            return
        colour = global_idmap[design.SIGNS[self.kind][2]]
        mark = global_idmap["C_ON_SIGN"]
        r = min(self.width, self.height) / 2
        cx, cy = self.center
        outline = design.sign_outline(self.kind, cx, cy, r)
        strokes, dots = design.sign_mark(self.kind, cx, cy, r)
        width = design.stroke_width(r)
        with self.canvas:
            Color(*colour)
            vertices: list[float] = [cx, cy, 0, 0]
            for x, y in [*outline, outline[0]]:
                vertices += [x, y, 0, 0]
            Mesh(vertices=vertices, indices=list(range(len(vertices) // 4)), mode="triangle_fan")
            Line(points=[c for p in outline for c in p], close=True, width=1.1)  # smooths the fan's edge
            Color(*mark)
            for stroke in strokes:
                Line(points=[c for p in stroke for c in p], width=width, cap="round", joint="round")
            for x, y in dots:
                Ellipse(pos=(x - width * 1.1, y - width * 1.1), size=(width * 2.2, width * 2.2))
