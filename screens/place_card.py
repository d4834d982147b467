"""The "place your card" illustration: the reader, and the card moving down onto it, again and again, until the
screen leaves (the screen calls stop: an animation left running would keep redrawing a screen nobody sees)."""

from __future__ import annotations

from kivy.animation import Animation
from kivy.properties import BooleanProperty, NumericProperty
from kivy.uix.relativelayout import RelativeLayout

DOWN_S = 1.2  # the card's way down onto the reader
REST_S = 1.6  # lying on it, before it starts again


class PlaceCard(RelativeLayout):
    """reader.png with card.png over it (scripts/draw_assets.py draws both on one canvas size)."""

    #: 1: the card held above the reader; 0: lying on it (where card.png draws it).
    lift = NumericProperty(0.0)
    #: The motion is under way (the UI tests read it).
    moving = BooleanProperty(False)

    def start(self) -> None:
        """Show the card coming down onto the reader, over and over."""
        self.stop()
        self.lift = 1.0
        motion = Animation(lift=0.0, duration=DOWN_S, transition="out_cubic") + Animation(duration=REST_S) \
            + Animation(lift=1.0, duration=0)
        motion.repeat = True
        motion.start(self)
        self.moving = True

    def stop(self) -> None:
        """Stop, with the card lying on the reader."""
        Animation.cancel_all(self, "lift")
        self.lift = 0.0
        self.moving = False
