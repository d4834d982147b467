"""The baseline of the kiosk's start benchmark: a bare Kivy window with one label, started the same way
(same Kivy settings, same font registration) and stopped after its first frame."""

from __future__ import annotations

import os

os.environ.setdefault("KIVY_NO_ARGS", "1")

from kivy.app import App  # imported after KIVY_NO_ARGS is set: Kivy reads it at import
from kivy.core.text import DEFAULT_FONT, LabelBase
from kivy.uix.label import Label

from screens.first_frame import exit_after_first_frame

FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"


class Bare(App):
    """One label."""

    def build(self) -> Label:
        return Label(text="佐賀県立図書館")


if __name__ == "__main__":
    LabelBase.register(DEFAULT_FONT, FONT)
    app = Bare()
    app.bind(on_start=lambda *_: exit_after_first_frame(app))
    app.run()
