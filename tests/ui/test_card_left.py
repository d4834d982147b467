"""A card left on the reader when a flow ends, through the real app, the real pcscd and the virtual card:
the take-your-card banner, its cue heard through SDL's disk audio (repeating, then stopping at the limit), and
no new patron's flow while the card stays."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk import i18n
from tests.support.kiosk_app import KioskProcess
from tests.support.server_proc import ServerProcess
from tests.ui.conftest import start_audio_kiosk
from tests.ui.test_migration import enter_pin, start_migration

EVERY_S = 2.0  # the cue's repeat, short for the test (config/kiosk.toml ships 5 s)
TIMES = 3
TITLE = i18n.translate("card_left.title", "ja")
LOUD = 1000


def start(display: str, server: ServerProcess, tmp_path: Path, **settings: str) -> KioskProcess:
    """The audio kiosk with the card-left cue repeating quickly."""
    return start_audio_kiosk(display, server, tmp_path, KIOSK_CARD_LEFT_CUE_EVERY_S=str(EVERY_S),
                             KIOSK_CARD_LEFT_CUE_TIMES=str(TIMES), **settings)


@pytest.fixture
def left_kiosk(display: str, fresh_server: ServerProcess, private_pcscd: object,
               tmp_path: Path) -> Iterator[KioskProcess]:
    with start(display, fresh_server, tmp_path) as app:
        yield app


def banner_up(state: dict) -> bool:
    return state["card_left"] and TITLE in state["texts"] and "Please take your My Number card" in state["texts"]


def test_a_migration_ended_with_the_card_on_the_reader(left_kiosk: KioskProcess, insert_card) -> None:
    kiosk, audio = left_kiosk, left_kiosk.audio  # type: ignore[attr-defined]
    insert_card("normal")
    start_migration(kiosk, "2000000014")
    kiosk.tap("same")
    enter_pin(kiosk, "1234")
    # The result, and over it the banner: the card is still on the reader.
    state = kiosk.wait_for(lambda s: s["screen"] == "migrate_result" and banner_up(s), timeout=30)
    assert "切り替えが完了しました" in state["texts"]
    assert kiosk.overflowing() == [] and kiosk.off_screen() == []
    headline, banner_text = kiosk.call("bounds", id="title")["box"], kiosk.call("bounds", id="card_left_body")["box"]
    assert headline[3] < banner_text[1], "the banner pushes the result down: its headline stays readable"
    kiosk.screenshot("card_left-migrate_result-ja")
    # The cue repeats by itself, every EVERY_S seconds, with nothing touched ...
    kiosk.wait_for(lambda s: s["card_left_cues"] >= 1)
    assert audio.heard(seconds=EVERY_S * 2) > LOUD, "the take-your-card cue sounds again by itself"
    # ... until its limit: then the banner stays, silent.
    kiosk.wait_for(lambda s: s["card_left_cues"] == TIMES, timeout=EVERY_S * TIMES * 3)
    audio.play_on(1)  # the last cue is over
    assert audio.heard(seconds=EVERY_S * 2) == 0, "no more cues after the limit"
    state = kiosk.state()
    assert state["card_left_cues"] == TIMES and banner_up(state)

    # Done: the session ends, its data is wiped, and the attract screen says to take the card instead of starting.
    kiosk.tap("done")
    state = kiosk.wait_for(lambda s: s["screen"] == "attract" and banner_up(s))
    shown = "\n".join(state["texts"])
    assert "2000000014" not in shown and "切り替えが完了しました" not in shown, "nothing of the last patron"
    assert kiosk.overflowing() == [] and kiosk.off_screen() == []
    kiosk.check_and_shoot("card_left-attract-ja")
    # A tap on a service starts nothing: the banner's cue sounds again at once.
    audio.play_on(1)
    assert audio.heard(lambda: kiosk.tap("btn_migrate")) > LOUD, "a tap on a service repeats the banner's cue"
    state = kiosk.state()
    assert state["screen"] == "attract" and state["flow"] is None and banner_up(state)
    assert state["card_left_cues"] == 1

    # The card is taken: the banner goes, and the next patron's flow starts.
    insert_card.remove()
    kiosk.wait_for(lambda s: not s["card_left"] and TITLE not in s["texts"])
    kiosk.tap("btn_migrate")
    kiosk.wait_screen("migrate_intro")


def test_an_idle_wipe_with_the_card_on_the_reader_shows_the_banner(
        display: str, fresh_server: ServerProcess, private_pcscd: object, insert_card, tmp_path: Path) -> None:
    kiosk = start(display, fresh_server, tmp_path, KIOSK_SESSION_IDLE_TIMEOUT_S="10",
                  KIOSK_SESSION_IDLE_WARNING_S="20")
    try:
        insert_card("normal")
        kiosk.wait_screen("attract")
        assert not kiosk.state()["card_left"], "a card placed before choosing a service is the patron's own"
        kiosk.tap("btn_expiry")
        kiosk.wait_screen("expiry_method")
        # The patron walks away: warning after 10 s, wiped 20 s later, and the card is still there.
        state = kiosk.wait_for(lambda s: s["screen"] == "attract" and banner_up(s), timeout=45)
        assert state["flow"] is None
        kiosk.wait_for(lambda s: s["card_left_cues"] >= 1)
        kiosk.tap("btn_expiry")
        state = kiosk.state()
        assert state["screen"] == "attract" and state["flow"] is None and banner_up(state)
        insert_card.remove()
        kiosk.wait_for(lambda s: not s["card_left"])
        kiosk.tap("btn_expiry")
        kiosk.wait_screen("expiry_method")
    finally:
        kiosk.stop()
