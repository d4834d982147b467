"""Outbox: requests written to a local SQLite file first, then delivered in order by a background thread."""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from kiosk.outbox.backoff import retry_delay
from kiosk.outbox.store import DEAD, Item, OutboxStore

log = logging.getLogger(__name__)

Sender = Callable[[Item], object]  # delivers one item, raising on failure


class UnknownKindError(LookupError):
    """No sender is registered for this kind: put() refuses it (a wiring mistake), and an item of it already
    on disk (put by an older version of the app) is moved aside."""


class Outbox:
    """Durable queue of requests the kiosk may finish later (never a migration: the patron must know the outcome).

    It knows no kind of item itself: whoever composes the app registers each kind with its sender
    (`senders`, or `register()` before `start()`). A sender delivers one item, raising on failure;
    `permanent(exc)` says a failure can never succeed, which moves the item aside (kept, logged, listed by
    `dead()`), as does an item of a kind with no sender; any other failure is retried after a capped,
    jittered exponential delay, and later items wait behind it so the order holds.
    """

    def __init__(self, path: Path | str, senders: Mapping[str, Sender] | None = None,
                 clock: Callable[[], float] = time.time, *,
                 permanent: Callable[[Exception], bool] = lambda _exc: False, retry_base_s: float = 1.0,
                 retry_max_s: float = 300.0, idle_s: float = 60.0, rng: random.Random | None = None) -> None:
        self.path = Path(path)
        self._store = OutboxStore(self.path)
        self._senders: dict[str, Sender] = dict(senders or {})
        self._clock = clock
        self._permanent = permanent
        self._retry_base_s = retry_base_s
        self._retry_max_s = retry_max_s
        self._idle_s = idle_s
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not a secret
        self.failures = 0  # retryable failures in a row
        self.next_attempt_at = 0.0  # clock time before which flush() sends nothing
        self.last_error: str | None = None
        self._flushing = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def register(self, kind: str, sender: Sender) -> None:
        """Deliver items of `kind` with `sender` from now on."""
        self._senders[kind] = sender

    def put(self, kind: str, payload: dict[str, Any], idempotency_key: str, *, coalesce: bool = False) -> Item:
        """Write the request down (durably) and wake the sender; the same key twice is stored once.

        :raises UnknownKindError: no sender is registered for `kind` (a wiring mistake, caught at once)."""
        if kind not in self._senders:
            raise UnknownKindError(f"no sender registered for outbox kind {kind!r}")
        item = self._store.add(kind, payload, idempotency_key, self._clock(), coalesce=coalesce)
        self._wake.set()
        return item

    def pending(self, kind: str | None = None) -> list[Item]:
        """Items still to deliver, oldest first."""
        return self._store.items(kind=kind)

    def dead(self) -> list[Item]:
        """Items the server refused for good, oldest first (kept for staff to see)."""
        return self._store.items(DEAD)

    def count(self, kind: str | None = None) -> int:
        """How many items of this kind (or all) still wait."""
        return self._store.count(kind=kind)

    def __len__(self) -> int:
        return self._store.count()

    def flush(self) -> int:
        """Deliver due items in order until one fails for now; returns how many were delivered."""
        delivered = 0
        with self._flushing:  # one sender at a time keeps the order
            while not self._stop.is_set() and self._clock() >= self.next_attempt_at:
                item = self._store.first()
                if item is None:
                    break
                try:
                    sender = self._senders.get(item.kind)
                    if sender is None:
                        raise UnknownKindError(f"no sender for outbox kind {item.kind!r}")
                    sender(item)
                except Exception as exc:  # the network, the server or a bug: decide per failure
                    error = f"{type(exc).__name__}: {exc}"[:500]
                    if isinstance(exc, UnknownKindError) or self._permanent(exc):
                        log.error("outbox: %s %s refused for good, moved aside: %s", item.kind,
                                  item.idempotency_key, error)
                        self._store.failed(item.id, error, dead=True)
                        continue
                    self._store.failed(item.id, error, dead=False)
                    self.failures += 1
                    self.last_error = error
                    delay = retry_delay(self.failures, base_s=self._retry_base_s, max_s=self._retry_max_s,
                                        rng=self._rng)
                    self.next_attempt_at = self._clock() + delay
                    log.warning("outbox: %s not delivered (%d waiting), retry in %.1f s: %s", item.kind,
                                len(self), delay, error)
                    break
                self._store.delivered(item.id)
                delivered += 1
                self.failures = 0
                self.last_error = None
        return delivered

    def start(self) -> None:
        """Deliver from a background thread: at once after each put, and after each retry delay (idempotent)."""
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="outbox", daemon=True)
            self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the thread (an attempt in flight ends first, bounded by the client's timeout); items stay stored."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def close(self) -> None:
        """Stop and close the file."""
        self.stop()
        self._store.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.flush()
            except Exception:  # the file itself failing must not end delivery for good
                log.exception("outbox: delivery pass failed")
            wait = self._idle_s
            if self._store.count():
                wait = min(wait, max(self.next_attempt_at - self._clock(), 0.05))
            self._wake.wait(wait)
            self._wake.clear()
