"""One thread per card connection that makes its PC/SC calls, so a card or reader that never answers
cannot hold the caller (the flow's only worker) for longer than a deadline.

pyscard's SCardTransmit blocks until the reader driver returns, and nothing another thread can call ends
it early: pcsc-lite's SCardCancel only ends SCardGetStatusChange, and SCardDisconnect waits on the same
context lock as the stuck transmit (tried on pcsc-lite 1.9.9 with vpcd, where the call returns only when
the card is taken out). So the caller waits at most the deadline and then gives the connection up: the
thread finishes the call whenever the driver lets go, runs what was queued after it (the disconnect with
reset), and ends. A late answer lands in the abandoned call's own slot, which no one reads, and the
abandoned connection refuses every later command, so it can never pass for another command's answer.
A call given up on before the thread started it is never made.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar, cast

from kiosk.card.errors import CardTimeoutError

T = TypeVar("T")


class _Call(Generic[T]):
    def __init__(self, fn: Callable[[], T]) -> None:
        self.fn = fn
        self.done = threading.Event()
        self.started = False
        self.cancelled = False
        self.result: T | None = None
        self.error: BaseException | None = None


class CardThread:
    """Runs calls one after another on a daemon thread; `call` waits for one at most `timeout_s`."""

    def __init__(self, name: str) -> None:
        self._queue: queue.SimpleQueue[_Call[Any] | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self.given_up = False
        # A daemon: a call stuck in the driver must not keep the kiosk from exiting.
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    @property
    def alive(self) -> bool:
        """True until the thread has finished everything queued and stopped."""
        return self._thread.is_alive()

    def wait_ended(self, timeout_s: float) -> bool:
        """Wait up to `timeout_s` for the thread to stop; True when it has."""
        self._thread.join(timeout_s)
        return not self._thread.is_alive()

    def call(self, fn: Callable[[], T], timeout_s: float) -> T:
        """fn()'s result or exception; CardTimeoutError (and the thread given up) after `timeout_s`."""
        if self.given_up:
            raise CardTimeoutError("an earlier command on this connection never answered", sent=False)
        job: _Call[T] = _Call(fn)
        self._queue.put(job)
        if not job.done.wait(timeout_s):
            with self._lock:
                sent = job.started
                job.cancelled = not sent
                self.given_up = True
            raise CardTimeoutError(f"no answer within {timeout_s:g} s", sent=sent)
        if job.error is not None:
            raise job.error
        return cast(T, job.result)  # no error: the thread set the result (which may itself be None)

    def later(self, fn: Callable[[], object]) -> None:
        """Queue fn after whatever is running, without waiting for it (clean-up of a given-up connection)."""
        self._queue.put(_Call(fn))

    def stop(self) -> None:
        """End the thread once everything queued so far has run."""
        self._queue.put(None)

    def _run(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            with self._lock:
                if job.cancelled:
                    continue
                job.started = True
            try:
                job.result = job.fn()
            except BaseException as exc:  # handed to the caller, who raises it on its own thread
                job.error = exc
            finally:
                job.done.set()
