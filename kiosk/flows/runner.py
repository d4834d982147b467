"""Runs a flow's effects on a worker thread and feeds the answers back on the UI thread."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

from kiosk.flows.common import EffectFailed

log = logging.getLogger(__name__)


class Flow(Protocol):
    """What the runner needs of a flow."""

    state: Any

    def handle(self, event: object) -> list[object]:
        """Apply an event; return the effects to perform."""
        ...


class Observer(Protocol):
    """Watches a flow run without taking part (kiosk/statistics.py's SessionOutcome)."""

    def seen(self, state: object) -> None:
        """The flow is in `state` now."""
        ...

    def closed(self) -> None:
        """The flow run is over."""
        ...


class FlowRunner:
    """Owns one flow for one patron session.

    ``perform(effect)`` does the slow work (card, network) on a worker thread and returns the event
    that answers it; ``post(callback)`` runs a callback on the UI thread (Kivy's Clock in the app, a
    direct call in tests). Answers that arrive after ``reset`` belong to a finished session and are
    dropped, so a late server reply can never show one patron's data to the next.
    """

    def __init__(
        self,
        flow: Flow,
        perform: Callable[[object], object],
        post: Callable[[Callable[[], None]], None],
        on_state: Callable[[Any], None],
        observer: Observer | None = None,
    ) -> None:
        self.flow = flow
        self._observer = observer
        self._perform = perform
        self._post = post
        self._on_state = on_state
        self._generation = 0
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="flow")
        self._observe(flow.state)

    def send(self, event: object) -> None:
        """Apply an event on the UI thread and start any effects it asks for."""
        effects = self.flow.handle(event)
        self._on_state(self.flow.state)
        self._observe(self.flow.state)
        generation = self._generation
        for effect in effects:
            self._pool.submit(self._run, effect, generation)

    def reset(self, flow: Flow) -> None:
        """Start over with a fresh flow; effects still running are forgotten."""
        with self._lock:
            self._generation += 1
        self.flow = flow
        self._on_state(flow.state)
        self._observe(flow.state)

    def _observe(self, state: object) -> None:
        if self._observer is not None:
            self._observer.seen(state)

    def _run(self, effect: object, generation: int) -> None:
        try:
            answer = self._perform(effect)
        except Exception as exc:  # whatever went wrong, the patron must not be left waiting
            log.exception("effect %s failed", type(effect).__name__)
            answer = EffectFailed(type(exc).__name__)

        def deliver() -> None:
            with self._lock:
                current = generation == self._generation
            if current:
                self.send(answer)
            else:
                log.debug("dropped a late answer from a finished session")

        self._post(deliver)

    def close(self) -> None:
        """Stop the worker thread; the observer learns the run is over."""
        self._pool.shutdown(wait=False, cancel_futures=True)
        if self._observer is not None:
            self._observer.closed()
