"""The renewal request through the real app: from the expiry check, with the real card (virtual card, vpcd,
the private pcscd) and the real server: both PINs (the card signs the server's challenge before any compare);
a card that cannot sign goes to the counter; and without the card, what to bring and a renewal ticket."""

from __future__ import annotations

from tests.support.kiosk_app import KioskProcess
from tests.ui.test_every_screen import both_languages

MOVED_CARD = "2000000071"  # different_pins: expired, the library still holds the address before the move


def check_expiry(kiosk: KioskProcess, number: str) -> dict:
    state = kiosk.check_expiry_by_number(number)
    assert any(t.startswith("有効期限：") for t in state["texts"]), state["texts"]  # an answer, not a failure
    return state


def type_pin(kiosk: KioskProcess, digits: str) -> None:
    for digit in digits:
        kiosk.tap(f"key_{digit}")
    kiosk.tap("submit")


def printed_tickets(kiosk: KioskProcess) -> list:
    return sorted(kiosk.printed.glob("*.png"))  # type: ignore[attr-defined]


def test_renewal_request_with_the_card_marks_the_moved_address(card_kiosk: KioskProcess, insert_card,
                                                               test_pki) -> None:  # type: ignore[no-untyped-def]
    from server.seed import MOVED_FROM

    persona = test_pki.personas["different_pins"]
    insert_card("different_pins")
    kiosk = card_kiosk
    state = check_expiry(kiosk, MOVED_CARD)
    assert kiosk.overflowing() == []
    kiosk.screenshot("renewal/expiry_result-expired-ja")
    kiosk.tap("request_renewal")
    state = kiosk.wait_screen("renewal_way", timeout=20)
    assert any("有効期限が切れています" in t for t in state["texts"])
    assert any("個人番号" in t for t in state["texts"]), "the screen says the 個人番号 is never read"
    both_languages(kiosk, "renewal/renewal_way")
    kiosk.tap("with_card")
    kiosk.wait_screen("migrate_same_pin", timeout=20)  # the migration's question: are the two PINs the same?
    both_languages(kiosk, "renewal/renewal_same_pin")
    kiosk.tap("different")
    state = kiosk.wait_screen("pin_pad", timeout=20)
    assert "券面事項入力補助の暗証番号（4桁）" in state["texts"] and "残り3回" in "\n".join(state["texts"])
    type_pin(kiosk, persona.text_pin)
    # Then the 利用者証明用 PIN: the card signs the server's challenge, without which nothing is compared.
    state = kiosk.wait_for(lambda s: s["screen"] == "pin_pad"
                           and "利用者証明用電子証明書の暗証番号（4桁）" in s["texts"], timeout=30)
    both_languages(kiosk, "renewal/pin_pad-auth")
    type_pin(kiosk, persona.auth_pin)
    state = kiosk.wait_screen("renewal_review", timeout=30)
    text = "\n".join(state["texts"])
    assert f"氏名：{persona.name}" in text and f"住所：{persona.address}" in text
    assert "［登録と異なります］" in text and "［登録と同じ］" in text
    assert MOVED_FROM not in text, "the library's stored address is never shown"
    both_languages(kiosk, "renewal/renewal_review")
    kiosk.tap("a11y")
    kiosk.tap("large_text")
    kiosk.wait_for(lambda s: s["text_scale"] > 1 and s["screen"] == "renewal_review")
    kiosk.check_and_shoot("renewal/large-renewal_review-ja")
    kiosk.choose_language("en")  # the longest text, its note at body size too
    kiosk.check_and_shoot("renewal/large-renewal_review-en")
    kiosk.choose_language("ja")
    kiosk.tap("send")
    state = kiosk.wait_for(lambda s: s["screen"] == "renewal_result" and "更新の申し込みを受け付けました" in s["texts"],
                           timeout=30)
    text = "\n".join(state["texts"])
    reference = next(t for t in text.split() if t.startswith("R") and len(t) == 6)
    assert "マイナンバーカードの記載に変更されます" in text
    both_languages(kiosk, "renewal/renewal_result-sent")
    before = printed_tickets(kiosk)
    kiosk.tap("counter_ticket")
    kiosk.wait_for(lambda s: "整理券をお取りください" in s["texts"], timeout=30)
    assert len(printed_tickets(kiosk)) == len(before) + 1
    both_languages(kiosk, "renewal/large-ticket_result-renewal_request")  # still in large text
    kiosk.tap("done")
    kiosk.wait_screen("attract")
    # The request waits at the counter under its reference (completed there: tests/web/test_pages.py).
    import requests

    from tests.server.test_api_migrations import staff_session

    server = kiosk.server  # type: ignore[attr-defined]
    listed = staff_session(server).get(server.base_url + "/v1/staff/renewals", timeout=10).json()
    assert [(r["reference_code"], r["new_address"]) for r in listed] == [(reference, persona.address)]
    assert requests.get(server.base_url + "/health", timeout=5).ok


def test_without_the_card_lists_what_to_bring_and_prints_a_renewal_ticket(kiosk: KioskProcess) -> None:
    check_expiry(kiosk, "2000000113")  # renewal open, no persona card
    kiosk.tap("request_renewal")
    kiosk.wait_screen("renewal_way", timeout=20)
    kiosk.tap("without_card")
    state = kiosk.wait_screen("renewal_bring")
    text = "\n".join(state["texts"])
    assert "運転免許証" in text and "「通知カード」は証明書として使えません" in text
    both_languages(kiosk, "renewal/renewal_bring")
    kiosk.tap("a11y")
    kiosk.tap("large_text")
    kiosk.wait_for(lambda s: s["text_scale"] > 1 and s["screen"] == "renewal_bring")
    kiosk.check_and_shoot("renewal/large-renewal_bring-ja")
    before = printed_tickets(kiosk)
    kiosk.tap("counter_ticket")
    kiosk.wait_for(lambda s: "整理券をお取りください" in s["texts"], timeout=30)
    assert len(printed_tickets(kiosk)) == len(before) + 1
    kiosk.tap("done")
    kiosk.wait_screen("attract")


def test_a_card_still_valid_is_not_offered_a_renewal(kiosk: KioskProcess) -> None:
    kiosk.check_expiry_by_number("2000000105")
    kiosk.wait_for(lambda s: s["screen"] == "expiry_result" and "この利用者カードは有効です" in s["texts"])
    for large_text in (False, True):  # and again once large text has built the screen anew
        if large_text:
            kiosk.tap("a11y")
            kiosk.tap("large_text")
            kiosk.wait_for(lambda s: s["text_scale"] > 1 and not s["modals"]
                           and "この利用者カードは有効です" in s["texts"])
        # The hidden buttons take no room: the two shown ones share the whole row, edge to edge with the text.
        for hidden in ("retry", "counter_ticket", "request_renewal"):
            bounds = kiosk.call("bounds", id=hidden)
            assert not bounds["visible"] and bounds["box"][0] == bounds["box"][2], (hidden, bounds)
        # (The text's full width: the headline starts after the status sign, the date below spans the page.)
        sent, done, text = (kiosk.call("bounds", id=name)["box"] for name in ("what_was_sent", "done", "valid_until"))
        assert sent[0] == text[0] and done[2] == text[2], (sent, done, text)
        assert abs((sent[2] - sent[0]) - (done[2] - done[0])) < 1
        # Hidden and disabled: nothing takes the tap (nor does its neighbour), so nothing follows from it.
        assert kiosk.tap_now("request_renewal") == []
        state = kiosk.state()
        assert state["screen"] == "expiry_result" and state["modals"] == []
        kiosk.check_and_shoot(f"renewal/expiry_result-valid{'-large' if large_text else ''}-ja")


def test_a_blocked_text_pin_and_someone_elses_record_end_in_clear_messages(card_kiosk: KioskProcess, insert_card,
                                                                           test_pki) -> None:  # type: ignore[no-untyped-def]
    from virtualcard.card import AID_TEXT

    kiosk = card_kiosk
    blocked = insert_card("different_pins")
    blocked.files[(AID_TEXT, 0x0011)].tries = 0
    check_expiry(kiosk, MOVED_CARD)
    kiosk.tap("request_renewal")
    kiosk.wait_screen("renewal_way", timeout=20)
    kiosk.tap("with_card")
    kiosk.wait_screen("migrate_same_pin", timeout=20)
    kiosk.tap("different")
    state = kiosk.wait_for(lambda s: s["screen"] == "renewal_result", timeout=20)
    text = "\n".join(state["texts"])
    assert "暗証番号がロックされています" in text and "本人確認書類を持って2階総合カウンターでできます" in text
    assert not any(apdu[1] == 0x20 and len(apdu) == 5 for apdu in blocked.history), "no PIN was tried"
    kiosk.check_and_shoot("renewal/renewal_result-blocked-ja")
    kiosk.tap("done")
    kiosk.wait_screen("attract")

    # A real card, but not the record of the number typed; put on anew (the blocked one is taken first, as a
    # card left on the reader starts no new service).
    insert_card("normal", physical=True)
    check_expiry(kiosk, "2000000121")
    kiosk.tap("request_renewal")
    kiosk.wait_screen("renewal_way", timeout=20)
    kiosk.tap("with_card")
    kiosk.wait_screen("migrate_same_pin", timeout=20)
    kiosk.tap("same")
    state = kiosk.wait_screen("pin_pad", timeout=20)
    assert "暗証番号（4桁）" in state["texts"]  # one PIN for both: the card reads and signs in one go
    type_pin(kiosk, test_pki.personas["normal"].text_pin)
    state = kiosk.wait_for(lambda s: s["screen"] == "renewal_result", timeout=30)
    text = "\n".join(state["texts"])
    assert "照合できませんでした" in text and test_pki.personas["normal"].name not in text
    both_languages(kiosk, "renewal/renewal_result-unmatched")
    before = printed_tickets(kiosk)
    kiosk.tap("counter_ticket")
    kiosk.wait_for(lambda s: "整理券をお取りください" in s["texts"], timeout=30)
    assert len(printed_tickets(kiosk)) == len(before) + 1


def test_a_card_that_cannot_sign_is_sent_to_the_counter_with_the_renewal_ticket(card_kiosk: KioskProcess,
                                                                               insert_card) -> None:  # type: ignore[no-untyped-def]
    """Without the card's signature the server compares nothing: a blocked 利用者証明用 PIN or an expired
    certificate ends at once (no PIN asked) with the renewal ticket; the counter renews with an ID."""
    kiosk = card_kiosk
    for persona, title, name in (("blocked", "暗証番号がロックされています", "auth-blocked"),
                                 ("expired_cert", "電子証明書の有効期限が切れています", "cert-expired")):
        card = insert_card(persona, physical=True)  # the last one taken first: a card left starts no service
        check_expiry(kiosk, MOVED_CARD)
        kiosk.tap("request_renewal")
        kiosk.wait_screen("renewal_way", timeout=20)
        kiosk.tap("with_card")
        state = kiosk.wait_for(lambda s: s["screen"] == "renewal_result", timeout=20)
        text = "\n".join(state["texts"])
        assert title in text and "本人確認書類を持って2階総合カウンターでできます" in text, text
        assert "カウンターの整理券を発行" in state["texts"]
        assert not any(apdu[1] == 0x20 and len(apdu) == 5 for apdu in card.history), "no PIN was tried"
        both_languages(kiosk, f"renewal/renewal_result-{name}")
        before = printed_tickets(kiosk)
        kiosk.tap("counter_ticket")
        kiosk.wait_for(lambda s: "整理券をお取りください" in s["texts"], timeout=30)
        assert len(printed_tickets(kiosk)) == len(before) + 1
        kiosk.tap("done")
        kiosk.wait_screen("attract")
