"""The card-left guard: banner, repeating cue with a limit, and the lock on a new patron's flow."""

from __future__ import annotations

from kiosk.card_left import CardLeftGuard, CueTiming

TIMING = CueTiming(every_s=5.0, times=3, first_after_s=1.0)


def cue_times(guard: CardLeftGuard, until: float, step: float = 0.5, start: float = 0.0) -> list[float]:
    """The clock's ticks (every ``step`` s) at which the guard asked for the cue."""
    out, now = [], start
    while now <= until:
        if guard.tick(now):
            out.append(now)
        now += step
    return out


def test_a_flow_that_ends_with_the_card_on_shows_the_banner_and_repeats_the_cue_up_to_the_limit() -> None:
    guard = CardLeftGuard(TIMING)
    guard.card(True)
    guard.flow_ended(0.0)
    assert guard.left
    assert cue_times(guard, 60.0) == [1.0, 6.0, 11.0]  # the first after first_after_s, then every 5 s, 3 times
    assert guard.left, "the banner stays after the cue has stopped"
    assert not guard.may_start(60.0)


def test_no_banner_when_the_card_was_taken_before_the_flow_ended() -> None:
    guard = CardLeftGuard(TIMING)
    guard.card(True)
    guard.card(False)
    guard.flow_ended(0.0)
    assert not guard.left
    assert cue_times(guard, 30.0) == []
    assert guard.may_start(1.0)


def test_taking_the_card_clears_the_banner_stops_the_cue_and_lets_the_next_patron_start() -> None:
    guard = CardLeftGuard(TIMING)
    guard.card(True)
    guard.flow_ended(0.0)
    assert guard.tick(1.0)
    guard.card(False)
    assert not guard.left
    assert cue_times(guard, 30.0, start=1.5) == []
    assert guard.may_start(2.0)


def test_a_tap_on_a_service_while_the_card_is_left_sounds_at_once_and_restarts_the_repeats() -> None:
    guard = CardLeftGuard(TIMING)
    guard.card(True)
    guard.flow_ended(0.0)
    assert cue_times(guard, 40.0) == [1.0, 6.0, 11.0]
    assert not guard.may_start(50.0)
    assert cue_times(guard, 80.0, start=50.0) == [50.0, 55.0, 60.0]
    assert guard.left


def test_a_card_placed_before_choosing_a_service_is_the_new_patrons_own() -> None:
    guard = CardLeftGuard(TIMING)
    guard.card(True)  # placed on the attract screen, no flow has ended
    assert not guard.left
    assert guard.may_start(0.0)


def test_a_flow_begun_from_a_result_takes_the_card_over_and_its_end_shows_the_banner_again() -> None:
    guard = CardLeftGuard(TIMING)
    guard.card(True)
    guard.flow_ended(0.0)
    guard.flow_started()  # a counter ticket tapped on the result
    assert not guard.left
    assert cue_times(guard, 20.0) == []
    guard.flow_ended(30.0)
    assert guard.left
    assert cue_times(guard, 32.0, start=30.0) == [31.0]


def test_ending_again_while_the_banner_is_up_does_not_restart_the_count() -> None:
    guard = CardLeftGuard(TIMING)
    guard.card(True)
    guard.flow_ended(0.0)  # the result
    assert cue_times(guard, 12.0) == [1.0, 6.0, 11.0]
    guard.flow_ended(20.0)  # then the session ends (done, idle)
    assert cue_times(guard, 60.0, start=20.0) == []


def test_zero_repeats_shows_the_banner_silently() -> None:
    guard = CardLeftGuard(CueTiming(every_s=5.0, times=0))
    guard.card(True)
    guard.flow_ended(0.0)
    assert guard.left
    assert cue_times(guard, 30.0) == []
