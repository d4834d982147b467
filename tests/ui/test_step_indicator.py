"""The step indicator through the real app: the migration's steps (図書館カード → マイナンバーカード → 暗証番号 →
結果) with the current one moving as the patron goes, through the real pcscd with the virtual card and the
real server, in the patron's language."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.support.kiosk_app import KioskProcess

JA = ["図書館カード", "マイナンバーカード", "暗証番号", "結果"]
EN = ["Library card", "My Number card", "PIN", "Result"]


def on_step(screen: str, current: int, labels: list[str] = JA) -> Callable[[dict], bool]:
    """The screen shows ``labels`` with step ``current`` (0-based) as the patron's."""
    return lambda s: s["screen"] == screen and s["steps"] == {"labels": labels, "current": current}


def test_the_migration_indicator_moves_from_the_card_to_the_pin_to_the_result(card_kiosk: KioskProcess,
                                                                              insert_card) -> None:
    insert_card("normal")
    insert_card.remove()  # the reader empty: the "place your card" step stays until the card comes
    kiosk = card_kiosk
    kiosk.wait_screen("attract")
    kiosk.tap("btn_migrate")
    assert kiosk.wait_screen("migrate_intro")["steps"] is None  # the intro comes before the steps
    kiosk.tap("next")
    assert kiosk.wait_screen("migrate_consent")["steps"] is None
    kiosk.tap("agree")
    kiosk.wait_for(on_step("card_number", 0))
    for digit in "2000000014":
        kiosk.tap(f"key_{digit}")
    kiosk.tap("submit")
    kiosk.wait_for(on_step("migrate_card", 1), timeout=20)
    assert kiosk.overflowing() == [] and kiosk.off_screen() == []
    kiosk.screenshot("steps/migrate_card-ja")

    insert_card("normal", physical=True)
    kiosk.wait_for(on_step("migrate_same_pin", 2), timeout=20)
    kiosk.tap("same")
    kiosk.wait_for(on_step("pin_pad", 2))
    kiosk.choose_language("en")
    kiosk.wait_for(on_step("pin_pad", 2, EN))
    kiosk.screenshot("steps/pin_pad-en")
    kiosk.choose_language("ja")
    kiosk.wait_for(on_step("pin_pad", 2))
    for digit in "1234":
        kiosk.tap(f"key_{digit}")
    kiosk.tap("submit")
    state = kiosk.wait_for(on_step("migrate_result", 3), timeout=30)
    assert "切り替えが完了しました" in state["texts"]
    kiosk.screenshot("steps/migrate_result-ja")
    kiosk.tap("done")
    assert kiosk.wait_screen("attract")["steps"] is None


def test_the_steps_share_the_width_without_breaking_a_word() -> None:
    from screens.step_indicator import shares

    # All names fit on one line: the room left is spread in proportion.
    assert shares([100, 200], [60, 80], 600) == [200, 400]
    # They do not: each keeps at least its longest word, the rest goes by how much more each needs.
    assert shares([300, 300], [100, 200], 400) == pytest.approx([100 + 200 / 3, 200 + 100 / 3])
    assert shares([300, 200], [100, 200], 400) == [200, 200]
    # Not even the words fit: None (the indicator then names the current step only).
    assert shares([300, 300], [250, 200], 400) is None
