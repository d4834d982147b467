"""The step indicator at the top of each patron step: ① 図書館カード ② マイナンバーカード ③ 暗証番号 ④ 結果.

The current step is a filled circle with its number, its name bold and underlined by a bar; the others are
outlined circles (the steps done in the text colour, the ones to come muted), so the step reads by shape as
well as by colour. A line leads from each step to the next. It draws what kiosk/steps.py says for the flow's
state, which the app keeps in ``app.step_view``; a state without a step leaves it empty and zero high.

Each step takes a share of the width as wide as its name needs; where the names do not all fit on one line
(a long language, large text) they wrap between words, never inside one, and where even the words do not
fit, only the current step keeps its name.
"""

from __future__ import annotations

from kivy.core.text import Label as CoreLabel
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from screens.release import release


class StepMark(BoxLayout):
    """One step: its number in a circle, and its name."""

    number = StringProperty("")
    text = StringProperty("")
    current = BooleanProperty(False)
    done = BooleanProperty(False)
    last = BooleanProperty(False)
    font_size = NumericProperty(0)  # a hint's type size (screens/step_indicator.kv)
    diameter = NumericProperty(0)
    natural = NumericProperty(0)  # the name's width on one line: the line to the next step starts after it


def text_width(text: str, font_size: float) -> float:
    """How wide ``text`` is on one line (bold: the current step's name must fit as well)."""
    if not text:
        return 0.0
    label = CoreLabel(text=text, font_size=font_size, bold=True)
    label.refresh()
    return float(label.texture.size[0]) + 2  # a pixel either side: a word that just fits must not wrap


def shares(whole: list[float], least: list[float], room: float) -> list[float] | None:
    """Each step's width: its whole name's where all fit (the room left spread in proportion), else at least
    its longest word's with what is left shared by how much more each needs; None if the words do not fit."""
    if sum(whole) <= room:
        return [room * w / sum(whole) for w in whole]
    if sum(least) > room:
        return None
    more = [w - m for w, m in zip(whole, least, strict=True)]
    return [m + (room - sum(least)) * x / sum(more) for m, x in zip(least, more, strict=True)]


class StepIndicator(BoxLayout):
    """The flow's steps in a row; ``labels`` and ``current`` say what it shows (the UI tests read them).

    Where even the steps' longest words do not fit (six steps in large text), only the current step keeps
    its name; the others are their numbered circles."""

    view = ObjectProperty(None, allownone=True)  # a kiosk.steps.Indicator, or None
    lang = StringProperty("")
    labels = ListProperty([])
    current = NumericProperty(-1)

    def on_view(self, *_args: object) -> None:
        self._rebuild()

    def on_lang(self, *_args: object) -> None:
        self._rebuild()

    def on_width(self, *_args: object) -> None:
        self._share()

    def _rebuild(self) -> None:
        for mark in list(self.children):
            self.remove_widget(mark)
            release(mark)  # its kv bindings to the app go with it
        view = self.view
        self.labels = view.labels(self.lang) if view is not None and self.lang else []
        self.current = view.current if view is not None else -1
        for index, label in enumerate(self.labels):
            mark = StepMark(number=str(index + 1), text=label, current=index == self.current,
                            done=index < self.current, last=index == len(self.labels) - 1)
            mark.bind(height=self._fit)
            self.add_widget(mark)
        self._share()
        self._fit()

    def _share(self) -> None:
        marks = list(reversed(self.children))  # in step order
        if not marks or len(marks) != len(self.labels):
            return
        room = self.width - self.spacing * (len(marks) - 1)
        size = marks[0].font_size
        circle = [mark.diameter + mark.spacing for mark in marks]
        whole = [c + text_width(label, size) for c, label in zip(circle, self.labels, strict=True)]
        least = [c + max(text_width(word, size) for word in label.split()) if label.split() else c
                 for c, label in zip(circle, self.labels, strict=True)]
        widths = shares(whole, least, room)
        compact = widths is None  # only the current step is named
        if widths is None:
            whole = [w if i == self.current else c for i, (w, c) in enumerate(zip(whole, circle, strict=True))]
            widths = shares(whole, whole, room) or whole
        for mark, label, width in zip(marks, self.labels, widths, strict=True):
            named = mark.current or not compact
            mark.text = label if named else ""
            mark.natural = text_width(label, size) if named else 0
            mark.size_hint_x = width

    def _fit(self, *_args: object) -> None:
        self.height = max((mark.height for mark in self.children), default=0)
