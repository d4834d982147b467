"""The idle warning dialog; the app decides when it shows and what happens after."""

from __future__ import annotations

from kivy.properties import NumericProperty

from screens.release import TransientView


class IdleWarning(TransientView):
    """Counts down the seconds left; any tap on it (or elsewhere) keeps the session."""

    seconds_left = NumericProperty(0)
