"""The step indicator at the top of each patron step: ① 図書館カード ② マイナンバーカード ③ 暗証番号 ④ 結果.

The current step is a filled circle with its number, its name bold and underlined by a bar; the others are
outlined circles (the steps done in the text colour, the ones to come muted), so the step reads by shape as
well as by colour. A line leads from each step to the next. It
draws what kiosk/steps.py says for the flow's state, which the app keeps in ``app.step_view``; a state
without a step leaves it empty and zero high. Each step takes a share of the width as wide as its name needs,
so in a long language or large text the names wrap rather than run off the screen.
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


class StepIndicator(BoxLayout):
    """The flow's steps in a row; ``labels`` and ``current`` say what it shows (the UI tests read them)."""

    view = ObjectProperty(None, allownone=True)  # a kiosk.steps.Indicator, or None
    lang = StringProperty("")
    labels = ListProperty([])
    current = NumericProperty(-1)

    def on_view(self, *_args: object) -> None:
        self._rebuild()

    def on_lang(self, *_args: object) -> None:
        self._rebuild()

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
            name = CoreLabel(text=label, font_size=mark.font_size, bold=True)
            name.refresh()
            mark.natural = name.texture.size[0]
            mark.size_hint_x = mark.diameter + mark.spacing + mark.natural
            mark.bind(height=self._fit)
            self.add_widget(mark)
        self._fit()

    def _fit(self, *_args: object) -> None:
        self.height = max((mark.height for mark in self.children), default=0)
