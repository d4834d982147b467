"""The flow runner: effects run off the calling thread, answers come back through ``post``, late answers
from a finished session are dropped."""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from datetime import date

from kiosk.flows import expiry as f
from kiosk.flows.runner import FlowRunner

VIEW = f.ExpiryView(date(2027, 12, 1), date(2027, 11, 1), 400, f.CardStatus.VALID)


class UiThread:
    """Stands in for Kivy's Clock: callbacks queue up and run when the test pumps them."""

    def __init__(self) -> None:
        self.callbacks: queue.Queue[Callable[[], None]] = queue.Queue()

    def post(self, callback: Callable[[], None]) -> None:
        self.callbacks.put(callback)

    def pump_one(self, timeout: float = 5.0) -> None:
        self.callbacks.get(timeout=timeout)()


def test_effect_runs_on_a_worker_and_answer_returns_through_post() -> None:
    ui = UiThread()
    threads: list[str] = []
    states: list[object] = []

    def perform(effect: object) -> object:
        threads.append(threading.current_thread().name)
        assert effect == f.LookupExpiry("2000000014")
        return f.Answered(VIEW)

    runner = FlowRunner(f.ExpiryFlow(r"^(\d{10})$"), perform, ui.post, states.append)
    runner.send(f.ByNumber())
    runner.send(f.Scanned("2000000014"))
    assert states[-1] == f.LookingUp("2000000014")
    ui.pump_one()
    assert states[-1] == f.Shown("2000000014", VIEW)
    assert threads and threads[0] != threading.current_thread().name
    runner.close()


def test_answer_arriving_after_reset_is_dropped() -> None:
    ui = UiThread()
    release = threading.Event()
    states: list[object] = []

    def perform(effect: object) -> object:
        release.wait(5)
        return f.Answered(VIEW)

    runner = FlowRunner(f.ExpiryFlow(r"^(\d{10})$"), perform, ui.post, states.append)
    runner.send(f.ByNumber())
    runner.send(f.Scanned("2000000014"))
    fresh = f.ExpiryFlow(r"^(\d{10})$")
    runner.reset(fresh)  # the patron walked away; the next one starts
    release.set()
    ui.pump_one()
    assert fresh.state == f.ChooseMethod()
    assert not any(isinstance(s, f.Shown) for s in states)
    runner.close()


def test_an_effect_that_raises_leaves_no_flow_waiting() -> None:
    ui = UiThread()
    states: list[object] = []

    def perform(effect: object) -> object:
        raise KeyError("a bug, not the patron's doing")

    runner = FlowRunner(f.ExpiryFlow(r"^(\d{10})$"), perform, ui.post, states.append)
    runner.send(f.ByNumber())
    runner.send(f.Scanned("2000000014"))
    ui.pump_one()
    assert states[-1] == f.Failed("2000000014", f.Failure.SERVER_ERROR)
    runner.close()
