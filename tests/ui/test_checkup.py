"""カードの点検 and 送信した情報 through the real app, the real pcscd with the virtual card, and the real server:
one card, one screen; a counter ticket carrying the reason and the reference; the privacy slip printed to
the file backend and read back."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import requests
import zxingcpp
from PIL import Image

from kiosk.disclosure import parse_machine_readable
from tests.support.kiosk_app import KioskProcess, kiosk_env
from tests.support.server_proc import ServerProcess
from tests.ui.conftest import server_env

ROOT = Path(__file__).resolve().parents[2]


def check_up(kiosk: KioskProcess, insert_card, card_server, persona: str, pin: str | None,  # type: ignore[no-untyped-def]
             shot: str | None = None, start_button: bool = False) -> dict:
    """Attract → check-up → the card is placed (that alone starts it) → PIN → the report (or where the card stops).

    With ``start_button`` the patron taps "my card is on the reader" first, before any card is there."""
    kiosk.wait_screen("attract")
    if card_server.inserted:
        insert_card.remove()
    kiosk.tap("btn_checkup")
    state = kiosk.wait_screen("checkup_intro")
    assert any("個人番号" in t for t in state["texts"]), "the intro says the 個人番号 is never read"
    if shot:
        kiosk.check_and_shoot(f"checkup_intro-{shot}")
    if start_button:
        kiosk.tap("start")
        kiosk.wait_for(lambda s: s["screen"] == "migrate_card" and not s["spinning"], timeout=20)
    insert_card(persona, physical=True)
    if pin is None:
        return kiosk.wait_for(lambda s: s["screen"] not in ("checkup_intro", "migrate_card"), timeout=20)
    state = kiosk.wait_screen("pin_pad", timeout=20)
    assert "利用者証明用電子証明書の暗証番号（4桁）" in state["texts"]
    for digit in pin:
        kiosk.tap(f"key_{digit}")
    kiosk.tap("submit")
    return kiosk.wait_for(lambda s: s["screen"] == "checkup_result" and not s["spinning"]
                          and "確認しています…" not in s["texts"], timeout=30)


def text(state: dict) -> str:
    return "\n".join(state["texts"])


def sent_lines(state: dict) -> list[str]:
    """The lines under 送信したもの on the privacy view."""
    texts = state["texts"]
    return texts[texts.index("送信したもの") + 1].split("\n")


def read_back(slip: Path) -> dict[str, str]:
    """The printed slip's QR, decoded from the PNG the file backend wrote."""
    (code,) = zxingcpp.read_barcodes(Image.open(slip).convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)
    return parse_machine_readable(code.text)


def counter_tickets(server: ServerProcess) -> list[dict]:
    token = requests.post(server.base_url + "/v1/staff/sessions",
                          json={"staff_id": server.staff_id, "pin": server.staff_pin}, timeout=10).json()["token"]
    return requests.get(server.base_url + "/v1/counter/tickets", headers={"Authorization": f"Bearer {token}"},
                        timeout=10).json()


def test_old_link_report_what_was_sent_slip_read_back_and_one_tap_to_the_switch(card_kiosk: KioskProcess,
                                                                                 insert_card, card_server) -> None:
    kiosk = card_kiosk
    state = check_up(kiosk, insert_card, card_server, "normal", "1234", shot="ja")
    body = text(state)
    assert "マイナンバーカード連携：旧方式" in body
    assert "利用者カード（******0014）：有効" in body, "only the last four digits of the library card"
    assert "利用者証明用電子証明書の有効期限：令和" in body
    assert "ここで新方式（マイキーID）に切り替えられます" in body
    kiosk.check_and_shoot("checkup_result-old-ja")
    kiosk.tap("what_was_sent")
    state = kiosk.wait_for(lambda s: "図書館のサーバーに送信した情報" in s["texts"])
    sent = text(state)
    assert "・利用者証明用電子証明書（氏名・住所は含まれません）" in sent
    assert "・カードの電子署名（この確認1回だけに使います）" in sent
    assert "利用者カード番号" not in sent and "生年月日" not in sent, "a check-up sends neither"
    assert "・マイナンバー（個人番号）：読み取りもしていません" in sent and "・住所" in sent
    reference = next(t for t in state["texts"] if t.startswith("参照番号："))
    assert "C-" in reference, "the slip carries the check-up's reference"
    kiosk.check_and_shoot("privacy_slip-checkup-ja")
    kiosk.choose_language("en")
    state = kiosk.wait_for(lambda s: "What was sent to the library's server" in s["texts"])
    kiosk.check_and_shoot("privacy_slip-checkup-en")
    kiosk.choose_language("ja")
    kiosk.wait_for(lambda s: "図書館のサーバーに送信した情報" in s["texts"])
    kiosk.tap("print_slip")
    kiosk.wait_for(lambda s: "控えを印刷しました。お取りください。" in s["texts"], timeout=20)
    (slip,) = kiosk.printed.glob("*sent*.png")
    record = read_back(slip)
    assert record["ref"] == reference.split("：")[1].split()[0]
    assert record["sent"].split(",") == ["challenge_id", "certificate", "signature"]
    assert set(record["not_sent"].split(",")) == {"my_number", "pin", "name", "address", "sex"}
    kiosk.wait_for(lambda s: "控えを印刷しました。お取りください。" not in s["texts"])  # the toast goes by itself
    kiosk.tap("close")
    state = kiosk.wait_for(lambda s: "図書館のサーバーに送信した情報" not in s["texts"])
    assert state["screen"] == "checkup_result"
    kiosk.tap("migrate")  # the switch for the card found: the notice, then no number to type again
    kiosk.wait_screen("migrate_consent")
    kiosk.tap("agree")
    state = kiosk.wait_screen("migrate_same_pin", timeout=20)
    assert "暗証番号の残り回数　利用者証明用：3回　券面事項入力補助：3回" in state["texts"]


def test_not_linked_sends_the_patron_to_the_counter_with_reason_and_reference(card_kiosk: KioskProcess,
                                                                              insert_card, card_server) -> None:
    kiosk = card_kiosk
    state = check_up(kiosk, insert_card, card_server, "no_old_link", "4444", start_button=True)
    body = text(state)
    assert "マイナンバーカード連携：ありません" in body
    assert "初めての連携は2階総合カウンターで行います。利用者カードをお持ちください。" in body
    assert "利用者カード（" not in body, "no library card is named for a card that links to none"
    kiosk.check_and_shoot("checkup_result-not-linked-ja")
    kiosk.tap("counter_ticket")
    kiosk.wait_for(lambda s: "整理券をお取りください" in s["texts"], timeout=20)
    assert len(list(kiosk.printed.glob("*M-001*.png"))) == 1
    kiosk.tap("what_was_sent")  # the ticket request joins the check-up's in the list
    state = kiosk.wait_for(lambda s: "図書館のサーバーに送信した情報" in s["texts"])
    assert sent_lines(state)[-3:] == ["・整理券の窓口", "・ご用件の種類", "・受付番号"]
    assert "利用者カード番号" not in "\n".join(sent_lines(state))
    kiosk.tap("close")
    (ticket,) = [t for t in counter_tickets(kiosk.server) if t["number"] == "M-001"]
    assert ticket["reason"] == "checkup_first_linkage" and ticket["reference"].startswith("C-")
    audit = subprocess.run([sys.executable, "-m", "server", "admin", "audit-export"], cwd=ROOT, env=kiosk.server.env,
                           capture_output=True, text=True, timeout=60).stdout
    assert any(ticket["reference"] in line and "checkup.card" in line for line in audit.splitlines()), \
        "the counter finds the check-up's findings under the ticket's reference"


def test_expired_library_card_offers_the_renewal_request_and_a_counter_ticket(card_kiosk: KioskProcess,
                                                                               insert_card, card_server) -> None:
    kiosk = card_kiosk
    # The demo data set has this card expired (the renewal demo).
    state = check_up(kiosk, insert_card, card_server, "different_pins", "1234")
    body = text(state)
    assert "有効期限切れ" in body and "利用者カードの更新手続きができます" in body
    kiosk.check_and_shoot("checkup_result-expired-ja")
    kiosk.choose_language("en")
    kiosk.check_and_shoot("checkup_result-expired-en")
    kiosk.tap("request_renewal")
    kiosk.wait_for(lambda s: s["screen"].startswith("renewal_"), timeout=20)


def test_expired_certificate_stops_before_any_pin_and_nothing_was_sent(card_kiosk: KioskProcess,
                                                                       insert_card, card_server) -> None:
    kiosk = card_kiosk
    state = check_up(kiosk, insert_card, card_server, "expired_cert", None)
    assert state["screen"] == "migrate_result" and "電子証明書の有効期限が切れています" in state["texts"]
    kiosk.tap("what_was_sent")
    state = kiosk.wait_for(lambda s: "図書館のサーバーに送信した情報" in s["texts"])
    assert sent_lines(state) == ["・まだ何も送信していません"]
    assert any(t.startswith("参照番号：S-") for t in state["texts"]), "a session reference when the server gave none"


def test_the_next_session_starts_with_nothing_sent(kiosk: KioskProcess) -> None:
    """Expiry by number sends the number; after Done, the next patron's list is empty again."""
    kiosk.check_expiry_by_number("2000000105")
    kiosk.wait_for(lambda s: "この利用者カードは有効です" in s["texts"], timeout=20)
    kiosk.tap("what_was_sent")
    state = kiosk.wait_for(lambda s: "図書館のサーバーに送信した情報" in s["texts"])
    assert sent_lines(state) == ["・利用者カード番号"]
    kiosk.check_and_shoot("privacy_slip-expiry-ja")
    kiosk.tap("close")
    kiosk.tap("done")
    kiosk.wait_screen("attract")
    kiosk.tap("btn_ticket")
    kiosk.wait_screen("ticket_service")
    kiosk.tap("back")
    kiosk.wait_screen("attract")
    kiosk.check_expiry_by_number("2000000154")  # no such patron: the number is still sent, and listed
    kiosk.wait_for(lambda s: "この番号の利用者カードは見つかりませんでした" in s["texts"], timeout=20)
    kiosk.tap("what_was_sent")
    state = kiosk.wait_for(lambda s: "図書館のサーバーに送信した情報" in s["texts"])
    assert sent_lines(state) == ["・利用者カード番号"]  # once; statistics are not personal


def test_the_idle_wipe_closes_the_privacy_view_and_forgets_what_was_sent(display: str, ui_server: ServerProcess,
                                                                         tmp_path: Path) -> None:
    env = kiosk_env(display, tmp_path / "kivy", **server_env(ui_server),
                    KIOSK_SESSION_IDLE_TIMEOUT_S="10", KIOSK_SESSION_IDLE_WARNING_S="20")
    kiosk = KioskProcess(env, tmp_path / "kiosk.log")
    try:
        kiosk.check_expiry_by_number("2000000105")
        kiosk.wait_for(lambda s: "この利用者カードは有効です" in s["texts"], timeout=20)
        kiosk.tap("what_was_sent")
        state = kiosk.wait_for(lambda s: "図書館のサーバーに送信した情報" in s["texts"])
        first = next(t for t in state["texts"] if t.startswith("参照番号："))
        state = kiosk.wait_for(lambda s: s["screen"] == "attract" and "まだご利用中ですか？" not in s["texts"],
                               timeout=45)
        assert "図書館のサーバーに送信した情報" not in state["texts"], "nothing of the session stays on screen"
        kiosk.check_expiry_by_number("2000000113")
        kiosk.wait_for(lambda s: "更新の手続きができます" in s["texts"], timeout=20)
        kiosk.tap("what_was_sent")
        state = kiosk.wait_for(lambda s: "図書館のサーバーに送信した情報" in s["texts"])
        second = next(t for t in state["texts"] if t.startswith("参照番号："))
        assert first.startswith("参照番号：S-") and second.startswith("参照番号：S-")
        assert second.split()[0] != first.split()[0], "the ledger was cleared: a new session, a new reference"
    finally:
        kiosk.stop()
