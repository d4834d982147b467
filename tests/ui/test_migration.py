"""マイナンバーカード連携の切り替え through the real app, the real pcscd with the virtual card, and the real server."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

from kiosk.card.pcsc import wait_for_card
from tests.support.kiosk_app import KioskProcess, kiosk_env
from tests.support.server_proc import ServerProcess, start_server
from tests.support.waiting import WAIT_S
from tests.ui.conftest import ALWAYS_OPEN, TODAY, server_env
from virtualcard.card import VirtualCard
from virtualcard.pcscd import READER_NAME

ROOT = Path(__file__).resolve().parents[2]


def texts(state: dict) -> str:
    return "\n".join(state["texts"])


def start_migration(kiosk: KioskProcess, card_number: str, shot: str | None = None) -> dict:
    """Attract → intro → consent → card number → the card is read; returns the state after the read."""
    kiosk.wait_screen("attract")
    kiosk.tap("btn_migrate")
    kiosk.wait_screen("migrate_intro")
    if shot:
        kiosk.screenshot(f"migrate_intro-{shot}")
    kiosk.tap("next")
    state = kiosk.wait_screen("migrate_consent")
    assert any("個人番号" in t for t in state["texts"]), "the notice says the 個人番号 is never read"
    if shot:
        kiosk.screenshot(f"migrate_consent-{shot}")
    kiosk.tap("agree")
    kiosk.wait_screen("card_number")
    for digit in card_number:
        kiosk.tap(f"key_{digit}")
    kiosk.tap("submit")
    return kiosk.wait_for(lambda s: s["screen"] not in ("card_number", "migrate_card")
                          or any("カードが離れました" in t or "マイナンバーカードではない" in t for t in s["texts"]),
                          timeout=20)


def enter_pin(kiosk: KioskProcess, pin: str) -> None:
    kiosk.wait_screen("pin_pad")
    for digit in pin:
        kiosk.tap(f"key_{digit}")
    kiosk.tap("submit")


def linkage_history(server: ServerProcess, card_number: str) -> str:
    result = subprocess.run([sys.executable, "-m", "server", "admin", "history", card_number], cwd=ROOT,
                            env=server.env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_normal_card_with_the_same_pin_switches_to_mykey(card_kiosk: KioskProcess, insert_card) -> None:
    insert_card("normal")
    state = start_migration(card_kiosk, "2000000014", shot="ja")
    assert state["screen"] == "migrate_same_pin"
    assert "暗証番号の残り回数　利用者証明用：3回　券面事項入力補助：3回" in state["texts"]
    assert any(t.startswith("利用者証明用電子証明書の有効期限：") for t in state["texts"])
    assert card_kiosk.overflowing() == []
    card_kiosk.screenshot("migrate_same_pin-ja")
    card_kiosk.tap("same")
    state = card_kiosk.wait_screen("pin_pad")
    assert "暗証番号（4桁）" in state["texts"]
    for digit in "12":
        card_kiosk.tap(f"key_{digit}")
    state = card_kiosk.wait_for(lambda s: "● ● ○ ○" in s["texts"])
    assert not any("12" in t for t in state["texts"]), "typed digits are never shown"
    card_kiosk.screenshot("pin_pad-ja")
    for digit in "34":
        card_kiosk.tap(f"key_{digit}")
    card_kiosk.tap("submit")
    state = card_kiosk.wait_for(lambda s: s["screen"] == "migrate_result", timeout=30)
    assert "切り替えが完了しました" in state["texts"]
    assert card_kiosk.overflowing() == []
    card_kiosk.screenshot("migrate_result-completed-ja")
    history = linkage_history(card_kiosk.server, "2000000014")
    assert "mykey" in history.lower()
    card_kiosk.tap("receipt")
    card_kiosk.wait_for(lambda s: "控えを印刷しました。お取りください。" in s["texts"], timeout=20)
    (slip,) = card_kiosk.printed.glob("*receipt*.png")
    assert slip.stat().st_size > 5_000


def test_wrong_pin_then_right_shows_tries_left(card_kiosk: KioskProcess, insert_card) -> None:
    insert_card("wrong_then_right")
    start_migration(card_kiosk, "2000000022")
    card_kiosk.tap("different")
    enter_pin(card_kiosk, "2468")  # 入力補助 PIN, right
    card_kiosk.wait_for(lambda s: "利用者証明用電子証明書の暗証番号（4桁）" in s["texts"], timeout=20)
    enter_pin(card_kiosk, "1111")  # wrong
    state = card_kiosk.wait_for(lambda s: "暗証番号が違います。残り2回です。" in s["texts"], timeout=20)
    card_kiosk.screenshot("pin_pad-wrong-ja")
    enter_pin(card_kiosk, "2468")
    state = card_kiosk.wait_for(lambda s: s["screen"] == "migrate_result", timeout=30)
    assert "切り替えが完了しました" in state["texts"]


def test_one_try_left_needs_the_full_screen_warning(card_kiosk: KioskProcess, insert_card) -> None:
    insert_card("one_try_left")
    state = start_migration(card_kiosk, "2000000030")
    assert "暗証番号の残り回数　利用者証明用：1回　券面事項入力補助：3回" in state["texts"]
    card_kiosk.tap("same")
    enter_pin(card_kiosk, "1357")
    state = card_kiosk.wait_screen("last_try")
    assert any("市区町村の窓口" in t for t in state["texts"])
    assert card_kiosk.overflowing() == []
    card_kiosk.screenshot("last_try-ja")
    card_kiosk.tap("confirm")
    state = card_kiosk.wait_for(lambda s: s["screen"] == "migrate_result", timeout=30)
    assert "切り替えが完了しました" in state["texts"]


# How each catalogue names the two ways to reset the 利用者証明用 PIN (city office; Seven-Eleven with the app).
RESET_ROUTES = {"ja": ("市区町村の窓口", "セブン‐イレブン"), "en": ("city or town office", "Seven-Eleven"),
                "zh": ("市区町村政府窗口", "7-Eleven"), "ko": ("시구정촌 창구", "세븐일레븐"),
                "ja-easy": ("やくしょ", "セブン‐イレブン")}


def test_blocked_pin_stops_before_any_pin_is_asked(card_kiosk: KioskProcess, insert_card) -> None:
    insert_card("blocked")
    state = start_migration(card_kiosk, "2000000048")
    assert state["screen"] == "migrate_result"
    assert "暗証番号がロックされています" in state["texts"]
    card_kiosk.screenshot("migrate_result-blocked-ja")
    # The 利用者証明用 PIN is blocked: both of today's reset routes, in every language, and nothing clipped.
    for language, (city_office, seven_eleven) in RESET_ROUTES.items():
        if language != "ja":
            card_kiosk.choose_language(language)
        state = card_kiosk.wait_for(lambda s, c=city_office, e=seven_eleven: s["screen"] == "migrate_result"
                                    and c in texts(s) and e in texts(s) and "JPKI暗証番号リセット" in texts(s))
        card_kiosk.check_and_shoot(f"migrate_result-blocked-{language}")


def unusable_card_goes_to_the_counter(kiosk: KioskProcess, insert_card, persona: str, title: str,
                                      reason: str) -> None:
    """The card is read, the clear message shows, and one tap prints a counter ticket carrying the reason."""
    from tests.ui.test_checkup import counter_tickets

    card = insert_card(persona)
    state = start_migration(kiosk, "2000000014")
    assert state["screen"] == "migrate_result" and title in state["texts"]
    assert "2階総合カウンター" in texts(state)
    assert not any(apdu[1] == 0x20 and len(apdu) > 4 for apdu in card.history), "no PIN was sent"
    kiosk.check_and_shoot(f"migrate_result-{persona}-ja")
    kiosk.tap("counter_ticket")
    kiosk.wait_for(lambda s: "整理券をお取りください" in s["texts"], timeout=20)
    assert [t["reason"] for t in counter_tickets(kiosk.server)] == [reason]


def test_a_newer_card_generation_is_sent_to_the_counter(card_kiosk: KioskProcess, insert_card) -> None:
    unusable_card_goes_to_the_counter(card_kiosk, insert_card, "next_generation",
                                      "このカードは、まだこの端末では使えません", "card_newer_card")


def test_a_face_authentication_card_is_sent_to_the_counter(card_kiosk: KioskProcess, insert_card) -> None:
    unusable_card_goes_to_the_counter(card_kiosk, insert_card, "face_auth",
                                      "顔認証マイナンバーカードは、この端末では使えません", "card_face_auth_only")


def test_expired_certificate_stops_before_any_pin(card_kiosk: KioskProcess, insert_card) -> None:
    insert_card("expired_cert")
    state = start_migration(card_kiosk, "2000000055")
    assert state["screen"] == "migrate_result"
    assert "電子証明書の有効期限が切れています" in state["texts"]
    assert any("回数は減っていません" in t for t in state["texts"])
    card_kiosk.screenshot("migrate_result-cert-expired-ja")


def test_revoked_certificate_is_refused_by_the_server(card_kiosk: KioskProcess, insert_card) -> None:
    insert_card("revoked_cert")
    start_migration(card_kiosk, "2000000063")
    card_kiosk.tap("same")
    enter_pin(card_kiosk, "2222")
    state = card_kiosk.wait_for(lambda s: s["screen"] == "migrate_result", timeout=30)
    assert "この電子証明書は使えません" in state["texts"]
    assert "mykey" not in linkage_history(card_kiosk.server, "2000000063").lower()


def test_different_pins_are_asked_one_after_the_other(card_kiosk: KioskProcess, insert_card) -> None:
    insert_card("different_pins")
    start_migration(card_kiosk, "2000000071")
    card_kiosk.tap("different")
    state = card_kiosk.wait_screen("pin_pad")
    assert "券面事項入力補助の暗証番号（4桁）" in state["texts"]
    enter_pin(card_kiosk, "5678")
    card_kiosk.wait_for(lambda s: "利用者証明用電子証明書の暗証番号（4桁）" in s["texts"], timeout=20)
    enter_pin(card_kiosk, "1234")
    state = card_kiosk.wait_for(lambda s: s["screen"] == "migrate_result", timeout=30)
    assert "切り替えが完了しました" in state["texts"]


def test_card_pulled_out_mid_read_says_so_and_a_second_placing_works(card_kiosk: KioskProcess,
                                                                   insert_card, test_pki) -> None:
    insert_card("pulled_out", physical=True)
    state = start_migration(card_kiosk, "2000000089")
    assert state["screen"] == "migrate_card"
    assert any("カードが離れました" in t for t in state["texts"])
    card_kiosk.screenshot("migrate_card-removed-ja")
    # pcscd must have seen the reader empty, or it takes the next card for the same one.
    assert wait_for_card(READER_NAME, present=False, timeout=WAIT_S)
    steady = dataclasses.replace(test_pki.personas["pulled_out"], pull_out_after_chunks=None)
    insert_card(VirtualCard.for_persona(steady), physical=True)
    state = card_kiosk.wait_screen("migrate_same_pin", timeout=20)


def test_no_old_link_sends_the_patron_to_the_counter(card_kiosk: KioskProcess, insert_card) -> None:
    insert_card("no_old_link")
    start_migration(card_kiosk, "2000000097")
    card_kiosk.tap("same")
    enter_pin(card_kiosk, "4444")
    state = card_kiosk.wait_for(lambda s: s["screen"] == "migrate_result", timeout=30)
    assert "旧方式の連携が見つかりません" in state["texts"]
    assert any("2階総合カウンター" in t for t in state["texts"])
    card_kiosk.screenshot("migrate_result-no-old-link-ja")
    card_kiosk.tap("counter_ticket")  # one tap to a ticket that says why the patron comes
    state = card_kiosk.wait_for(lambda s: "整理券をお取りください" in s["texts"], timeout=20)
    assert "M-001" in state["texts"]
    assert len(list(card_kiosk.printed.glob("*M-001*.png"))) == 1


def test_a_card_that_is_not_a_my_number_card(card_kiosk: KioskProcess, insert_card) -> None:
    insert_card("not_mynumber", physical=True)
    state = start_migration(card_kiosk, "2000000014")
    assert state["screen"] == "migrate_card"
    assert any("マイナンバーカードではない" in t for t in state["texts"])


def check_expiry_by_card(kiosk: KioskProcess, pin: str) -> dict:
    kiosk.wait_screen("attract")
    kiosk.tap("btn_expiry")
    kiosk.wait_screen("expiry_method")
    kiosk.tap("by_card")
    state = kiosk.wait_screen("pin_pad", timeout=20)
    assert "利用者証明用電子証明書の暗証番号（4桁）" in state["texts"]
    enter_pin(kiosk, pin)
    return kiosk.wait_for(lambda s: s["screen"] == "expiry_result" and "確認しています…" not in s["texts"],
                          timeout=30)


def test_expiry_by_my_number_card_after_the_switch(card_kiosk: KioskProcess, insert_card) -> None:
    insert_card("normal")
    start_migration(card_kiosk, "2000000014")
    card_kiosk.tap("same")
    enter_pin(card_kiosk, "1234")
    card_kiosk.wait_for(lambda s: "切り替えが完了しました" in s["texts"], timeout=30)
    card_kiosk.tap("done")
    # The card stayed on the reader: no service starts until it is taken, then placed again for the check.
    card_kiosk.wait_for(lambda s: s["screen"] == "attract" and s["card_left"])
    insert_card.remove()
    card_kiosk.wait_for(lambda s: not s["card_left"])
    insert_card("normal", physical=True)
    state = check_expiry_by_card(card_kiosk, "1234")
    assert any(t.startswith("有効期限：") for t in state["texts"]), state
    assert card_kiosk.overflowing() == []
    card_kiosk.screenshot("expiry_result-by-card-ja")


def test_expiry_by_card_without_a_link_says_so(card_kiosk: KioskProcess, insert_card) -> None:
    insert_card("no_old_link")
    state = check_expiry_by_card(card_kiosk, "4444")
    assert "このマイナンバーカードは新方式で連携されていません" in state["texts"]


def test_held_for_staff_confirmation_prints_a_counter_ticket_with_the_reference(
        display: str, private_pcscd: object, insert_card, tmp_path: Path) -> None:
    """Where the library confirms each link at the counter: a reference code, and a ticket that carries it."""
    server = start_server(database_url=f"sqlite:///{tmp_path / 'staff-policy.db'}",
                          settings={"SERVER_TODAY": TODAY.isoformat(), "SERVER_MIGRATION_POLICY": "staff",
                                    **ALWAYS_OPEN})
    kiosk = KioskProcess(kiosk_env(display, tmp_path / "kivy", **server_env(server),
                                   KIOSK_PRINTER_DIRECTORY=str(tmp_path / "printed")), tmp_path / "kiosk.log")
    try:
        insert_card("normal")
        start_migration(kiosk, "2000000014")
        kiosk.tap("same")
        enter_pin(kiosk, "1234")
        state = kiosk.wait_for(lambda s: "受付けました" in s["texts"] or "受け付けました" in s["texts"], timeout=30)
        body = next(t for t in state["texts"] if "受付番号：" in t)
        reference = body.split("受付番号：")[1].split()[0]
        kiosk.screenshot("migrate_result-pending-ja")
        kiosk.tap("counter_ticket")
        kiosk.wait_for(lambda s: "整理券をお取りください" in s["texts"], timeout=20)
        assert len(list((tmp_path / "printed").glob("*M-001*.png"))) == 1
        history = linkage_history(server, "2000000014")
        assert "mykey" not in history.lower(), "held for staff: the old link stays until the counter confirms"
        assert reference.isalnum() and len(reference) >= 4
    finally:
        kiosk.stop()
        server.stop()
