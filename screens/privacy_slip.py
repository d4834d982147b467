"""送信した情報 / What was sent: over a card flow's result, the fields this session sent to the library's
server (from the API client's ledger, kiosk/disclosure.py) and what it did not, with a printed slip."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import StringProperty

from kiosk.clock import LIBRARY_TZ
from kiosk.disclosure import Disclosures, label_key
from kiosk.flows import checkup
from screens.release import TransientView

KV = Path(__file__).with_suffix(".kv")
NAME = "privacy_slip"  # its cue and spoken prompt (voice.privacy_slip) are a step's, screens/a11y.py
_open: list[PrivacySlipView] = []
_loaded: set[str] = set()  # a kv file loaded twice would apply its rules twice


def reference_of(state: object, session_reference: str) -> str:
    """The reference the slip carries: the check-up's or a held switch's, else the session's own."""
    if isinstance(state, checkup.Report):
        return state.view.reference
    reference = getattr(state, "reference", None)
    return reference if isinstance(reference, str) and reference else session_reference


class PrivacySlipView(TransientView):
    """The two lists, the date and the reference; a print button and Back to the result."""

    reference_text = StringProperty("")
    sent_text = StringProperty("")
    not_sent_text = StringProperty("")

    def __init__(self, sent: Disclosures, reference: str, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.sent, self.reference, self.at = sent, reference, datetime.now(LIBRARY_TZ)
        self.app = App.get_running_app()
        self.app.bind(lang=self._fill)
        self._fill()

    def _fill(self, *_args: object) -> None:
        tr, lang = self.app.tr, self.app.lang
        self.reference_text = tr("privacy.reference", lang, reference=self.reference,
                                 date=self.at.strftime("%Y-%m-%d %H:%M"))
        sent = [tr(label_key(f), lang, field=f) for f in self.sent.fields] or [tr("privacy.sent.none", lang)]
        self.sent_text = "\n".join("・" + line for line in sent)
        self.not_sent_text = "\n".join("・" + tr(key, lang) for key in self.sent.not_sent())

    def print_slip(self) -> None:
        """The same lists on paper, with a QR a machine can read back."""
        self.app.side.print_disclosures(self.sent, self.reference)

    def back(self) -> None:
        """Back to the result under the view (heard, like any step)."""
        self.dismiss()
        self.app.a11y.view_closed()

    def on_dismiss(self) -> None:
        super().on_dismiss()
        self.app.unbind(lang=self._fill)
        if self in _open:
            _open.remove(self)


def show(sent: Disclosures, reference: str) -> PrivacySlipView:
    """Open the view over the current screen."""
    if KV.name not in _loaded:
        Builder.load_file(str(KV))
        _loaded.add(KV.name)
    view = PrivacySlipView(sent, reference)
    _open.append(view)
    view.open()
    view.app.a11y.view_opened(NAME)
    return view


def close_all() -> None:
    """The session is over: nothing of it stays on screen."""
    for view in list(_open):
        view.dismiss(animation=False)
