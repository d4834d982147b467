"""Reader and card events reach subscribers as plain callbacks, from pyscard's monitors over real pcscd."""

from __future__ import annotations

import threading

from kiosk.card.monitor import CardEvent, CardEventMonitor, EventKind
from tests.support.pcsc import SECOND_READER
from virtualcard.pcscd import READER_NAME


class Recorder:
    """Collects events; the reader and card monitors run on different threads, so order between them varies."""

    def __init__(self) -> None:
        self.events: list[CardEvent] = []
        self._cond = threading.Condition()

    def __call__(self, event: CardEvent) -> None:
        with self._cond:
            self.events.append(event)
            self._cond.notify_all()

    def wait(self, kind: EventKind, reader: str, since: int = 0, timeout: float = 5.0) -> tuple[CardEvent, int]:
        """The first matching event at index >= since, and the index after it."""
        def find() -> int | None:
            for i in range(since, len(self.events)):
                if self.events[i].kind is kind and self.events[i].reader == reader:
                    return i
            return None

        with self._cond:
            assert self._cond.wait_for(lambda: find() is not None, timeout), f"no {kind} on {reader}: {self.events}"
            i = find()
            assert i is not None
            return self.events[i], i + 1


def test_readers_and_card_insert_remove_are_reported(insert_card):
    recorder = Recorder()
    monitor = CardEventMonitor(reader_period=0.2)
    monitor.subscribe(recorder)
    card = insert_card("normal", physical=True)
    with monitor:
        # Current state is reported first: both vpcd readers, and the card already in.
        recorder.wait(EventKind.READER_ADDED, READER_NAME)
        recorder.wait(EventKind.READER_ADDED, SECOND_READER)
        inserted, after = recorder.wait(EventKind.CARD_INSERTED, READER_NAME)
        assert inserted.atr == card.atr
        insert_card.remove()
        _, after = recorder.wait(EventKind.CARD_REMOVED, READER_NAME, since=after)
        insert_card("not_mynumber", physical=True)
        other, _ = recorder.wait(EventKind.CARD_INSERTED, READER_NAME, since=after)
        assert other.atr != card.atr


def test_a_failing_subscriber_does_not_stop_others(insert_card):
    recorder = Recorder()

    def broken(event: CardEvent) -> None:
        raise RuntimeError("subscriber bug")

    monitor = CardEventMonitor(reader_period=0.2)
    monitor.subscribe(broken)
    monitor.subscribe(recorder)
    insert_card("normal", physical=True)
    with monitor:
        _, after = recorder.wait(EventKind.CARD_INSERTED, READER_NAME)
        insert_card.remove()
        recorder.wait(EventKind.CARD_REMOVED, READER_NAME, since=after)
    assert len(recorder.events) >= 2


def test_no_events_after_unsubscribe(insert_card):
    recorder, late = Recorder(), Recorder()
    monitor = CardEventMonitor(reader_period=0.2)
    monitor.subscribe(recorder)
    monitor.subscribe(late)
    insert_card("normal", physical=True)
    with monitor:
        _, after = recorder.wait(EventKind.CARD_INSERTED, READER_NAME)
        late.wait(EventKind.CARD_INSERTED, READER_NAME)
        monitor.unsubscribe(late)
        count = len(late.events)
        insert_card.remove()
        recorder.wait(EventKind.CARD_REMOVED, READER_NAME, since=after)
    assert len(late.events) == count
