"""Idle timeout: active, then a warning of at least 20 s, then wiped; a touch starts over."""

from __future__ import annotations

import pytest

from kiosk.idle import IdlePhase, IdleTimer


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_phases_follow_the_idle_time() -> None:
    clock = Clock()
    timer = IdleTimer(90, 30, clock)
    assert timer.phase() is IdlePhase.ACTIVE
    clock.now += 89.9
    assert timer.phase() is IdlePhase.ACTIVE
    clock.now += 0.1
    assert timer.phase() is IdlePhase.WARNING
    assert timer.seconds_left() == 30
    clock.now += 29.5
    assert timer.phase() is IdlePhase.WARNING
    assert timer.seconds_left() == 1
    clock.now += 0.5
    assert timer.phase() is IdlePhase.EXPIRED
    assert timer.seconds_left() == 0


def test_one_touch_during_the_warning_extends_the_session() -> None:
    clock = Clock()
    timer = IdleTimer(90, 30, clock)
    clock.now += 100
    assert timer.phase() is IdlePhase.WARNING
    timer.touched()
    assert timer.phase() is IdlePhase.ACTIVE
    clock.now += 89
    assert timer.phase() is IdlePhase.ACTIVE


def test_a_warning_shorter_than_twenty_seconds_is_refused() -> None:
    with pytest.raises(ValueError, match="20 seconds"):
        IdleTimer(90, 10)
