"""The idle warning dialog; the app decides when it shows and what happens after."""

from __future__ import annotations

from kivy.properties import NumericProperty
from kivy.uix.modalview import ModalView


class IdleWarning(ModalView):
    """Counts down the seconds left; any tap on it (or elsewhere) keeps the session."""

    seconds_left = NumericProperty(0)
