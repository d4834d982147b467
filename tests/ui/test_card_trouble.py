"""A card that answers nonsense and then a card that never answers, in the real app with the real pcscd and
the real server: each says what to do in its own words, and the next card placed works."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.cards import INS_READ_BINARY, TrickCard
from tests.faults.test_card_stall import garbage_certificate
from tests.support.kiosk_app import KioskProcess, kiosk_env
from tests.support.server_proc import ServerProcess
from tests.ui.conftest import server_env
from virtualcard.card import VirtualCard

UNEXPECTED = "このカードから、マイナンバーカードにはない応答がありました。"
NO_ANSWER = "カードを読み取れませんでした。カードを読み取り機からいったん取り出して、もう一度置いてください。"


@pytest.fixture
def quick_kiosk(display: str, fresh_server: ServerProcess, private_pcscd: object,
                tmp_path: Path) -> Iterator[KioskProcess]:
    """The card kiosk with a 2-second card command limit."""
    env = kiosk_env(display, tmp_path / "kivy", **server_env(fresh_server),
                    KIOSK_PRINTER_DIRECTORY=str(tmp_path / "printed"), KIOSK_CARD_COMMAND_TIMEOUT_S="2")
    app = KioskProcess(env, tmp_path / "kiosk.log")
    try:
        yield app
    finally:
        app.stop()


def shows(kiosk: KioskProcess, text: str) -> dict:
    return kiosk.wait_for(lambda s: s["screen"] == "migrate_card" and any(text in t for t in s["texts"]),
                          timeout=30)


@pytest.mark.timeout(240)
def test_an_unexpected_answer_and_no_answer_are_told_apart_and_the_next_card_works(
        quick_kiosk: KioskProcess, insert_card, test_pki) -> None:
    hostile = TrickCard.for_persona(test_pki.personas["normal"])
    hostile.answer = garbage_certificate
    insert_card(hostile, physical=True)
    quick_kiosk.wait_screen("attract", timeout=30)
    quick_kiosk.tap("btn_migrate")
    quick_kiosk.wait_screen("migrate_intro")
    quick_kiosk.tap("next")
    quick_kiosk.wait_screen("migrate_consent")
    quick_kiosk.tap("agree")
    quick_kiosk.wait_screen("card_number")
    for digit in "2000000014":
        quick_kiosk.tap(f"key_{digit}")
    quick_kiosk.tap("submit")
    state = shows(quick_kiosk, UNEXPECTED)
    assert any("2階総合カウンター" in t for t in state["texts"])
    quick_kiosk.screenshot("migrate_card-unexpected-answer-ja")

    mute = VirtualCard.for_persona(test_pki.personas["normal"])
    mute.stall_on_ins = INS_READ_BINARY  # never answers from its first READ BINARY on
    insert_card(mute, physical=True)
    shows(quick_kiosk, NO_ANSWER)
    quick_kiosk.screenshot("migrate_card-no-answer-ja")

    insert_card("normal", physical=True)  # taking the mute card out ends its stuck command
    quick_kiosk.wait_screen("migrate_same_pin", timeout=30)
