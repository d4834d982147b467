"""The language picker: every language of the kiosk listed in its own script, big enough to touch.

The footer's language button opens it over any step, and the attract screen's (labelled with the word for
"language" in each script) before a service is chosen. The choice lasts for the session (the app resets
it when the session ends).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from kivy.factory import Factory

from screens.release import TransientView


def choice_id(code: str) -> str:
    """The id of a language's button (test driver and kv), e.g. ``lang_ja_easy``."""
    return "lang_" + code.replace("-", "_")


def attract_languages(lang: str) -> tuple[str, str]:
    """The two languages of the attract screen: the chosen one first (Japanese by default), English second."""
    return ("ja" if lang in ("ja", "en") else lang), "en"


class LanguagePicker(TransientView):
    """A list of the configured languages; a tap chooses one and closes the picker."""

    def __init__(self, languages: Sequence[str], on_choose: Callable[[str], None], **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._on_choose = on_choose
        for code in languages:
            button = Factory.LanguageChoice()  # a kv dynamic class (language_picker.kv): built, then given its code
            button.code = code
            button.size_hint_x = 1
            button.bind(on_release=lambda _b, code=code: self.choose(code))
            self.ids.choices.add_widget(button)
            self.ids[choice_id(code)] = button  # the test driver taps by id

    def choose(self, code: str) -> None:
        self.dismiss()
        self._on_choose(code)
