"""A card left on the reader after its patron's flow ended: the take-your-card banner, its repeating cue, and
the lock that keeps the next patron from starting while the card is there.

Fed plain events (a flow ended, started, the card is present or absent, the clock ticked, a patron asked to
start a flow) with times from a monotonic clock, so it needs no Kivy and the tests need not wait. It holds
no personal data: only whether a card is on the reader and how often the cue has sounded.

A card put on the reader *before* a flow starts is the new patron's own (a patron may place the card and
then choose the service): only a card that was there when a flow ended, and has stayed since, is left behind.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CueTiming:
    """How the take-your-card cue repeats: every ``every_s`` seconds, at most ``times`` times in a row."""

    every_s: float = 5.0
    times: int = 6
    # The first cue waits this long after the flow ended, so the result's (or the attract screen's) own cue
    # is heard first rather than over it.
    first_after_s: float = 1.0


class CardLeftGuard:
    """Decides when the banner shows, when its cue sounds, and whether a new patron's flow may start."""

    def __init__(self, timing: CueTiming | None = None) -> None:
        self.timing = timing or CueTiming()
        self.card_present = False
        #: The banner is up: the card of a flow that ended is still on the reader.
        self.left = False
        self.cues_sounded = 0
        self._next_cue: float | None = None

    def card(self, present: bool) -> None:
        """The reader reported the card put on (True) or taken off (False)."""
        self.card_present = present
        if not present:
            self._clear()

    def flow_ended(self, now: float) -> None:
        """A flow reached its result or the session ended (done, back, idle wipe): a card still on is left."""
        if self.card_present and not self.left:
            self.left = True
            self._restart_cues(now + self.timing.first_after_s)

    def flow_started(self) -> None:
        """A flow of the same session began (a counter ticket from a result): the card is its business now."""
        self._clear()

    def may_start(self, now: float) -> bool:
        """A patron tapped a service on the attract screen: False while a left card is on the reader (the banner
        is shown again and its cue sounds at once, with a fresh run of repeats)."""
        if not self.left:
            return True
        self._restart_cues(now)
        return False

    def tick(self, now: float) -> bool:
        """Called often by the app's clock: True when the cue should sound now."""
        if not self.left or self._next_cue is None or now < self._next_cue:
            return False
        self.cues_sounded += 1
        self._next_cue = now + self.timing.every_s if self.cues_sounded < self.timing.times else None
        return True

    def _restart_cues(self, first: float) -> None:
        self.cues_sounded = 0
        self._next_cue = first if self.timing.times > 0 else None

    def _clear(self) -> None:
        self.left = False
        self.cues_sounded = 0
        self._next_cue = None
