"""The registration application through the real app: with the real card (virtual card, vpcd, the private pcscd)
of a person without a library card and the real server, the card's facts read and signed, a phone number and
an e-mail typed on the kiosk's own keys, the application sent, the ticket printed with its reference; then
the counter console in real Chromium lists it and marks it when that ticket is called. Without the card: the
IDs the library accepts (the 通知カード as not accepted) and a registration ticket. A card whose PIN is blocked
stops at once. Every result leads with its status sign, headline and next step; every screen in every language."""

from __future__ import annotations

from selenium.webdriver.common.by import By

from kiosk import i18n
from tests.support.browser import click, shown
from tests.support.kiosk_app import KioskProcess
from tests.ui.test_every_screen import OTHERS, every_language
from tests.web.conftest import new_browser
from tests.web.test_pages import log_in

PHONE = "0952242900"
EMAIL = "sakura@example.jp"


def type_pin(kiosk: KioskProcess, digits: str) -> None:
    for digit in digits:
        kiosk.tap(f"key_{digit}")
    kiosk.tap("submit")


def printed_tickets(kiosk: KioskProcess) -> list:
    return sorted(kiosk.printed.glob("*.png"))  # type: ignore[attr-defined]


def texts(state: dict) -> str:
    return "\n".join(state["texts"])


def sign_kinds(kiosk: KioskProcess) -> list[str]:
    """The status signs the patron sees (drawn, with a size), by kind: done, attention or failed."""
    return [sign["kind"] for sign in kiosk.call("signs")["signs"]]


def box(kiosk: KioskProcess, widget_id: str) -> list[float]:
    return kiosk.call("bounds", id=widget_id)["box"]


def assert_leads_with_its_sign(kiosk: KioskProcess, kind: str) -> None:
    """The sign, beside the headline; the next step on its own line under them; the details below, smaller; and
    all of it below the take-your-card banner while the card is on the reader (it pushes the screen down)."""
    assert sign_kinds(kiosk) == [kind]
    (sign,) = kiosk.call("signs")["signs"]
    title, next_step, body = box(kiosk, "title"), box(kiosk, "next_step"), box(kiosk, "body")
    assert sign["box"][3] >= title[1] and sign["box"][1] <= title[3], "the sign is beside the headline"
    assert title[1] >= next_step[3] - 1 and next_step[1] >= body[3] - 1, "headline, next step, then details"
    state = kiosk.state()
    if state["card_left"] and state["text_scale"] == 1:  # (large text under the banner: not yet laid out)
        banner = box(kiosk, "card_left_body")
        assert max(sign["box"][3], title[3]) < banner[1], "the banner hides no part of the result's head"


def result_in_every_language(kiosk: KioskProcess, name: str, kind: str) -> None:
    """As every_language (tests/ui/test_every_screen.py), the result's head checked in each language too."""
    for code in ["ja", *OTHERS]:
        if code != "ja":
            kiosk.choose_language(code)
        assert_leads_with_its_sign(kiosk, kind)
        kiosk.check_and_shoot(f"every/{name}-{code}")
    kiosk.choose_language("ja")


def test_an_application_with_the_card_reaches_the_counter_console(card_kiosk: KioskProcess, insert_card,
                                                                  test_pki) -> None:  # type: ignore[no-untyped-def]
    persona = test_pki.personas["no_old_link"]  # a My Number card linked to no library card
    insert_card("no_old_link")
    kiosk = card_kiosk
    kiosk.wait_screen("attract")
    kiosk.check_and_shoot("registration/attract")
    kiosk.tap("btn_registration")
    state = kiosk.wait_screen("registration_intro", timeout=20)
    assert "利用者カードの登録申請" in state["texts"] and "個人番号" in texts(state)
    every_language(kiosk, "registration/registration_intro")
    kiosk.tap("with_card")
    kiosk.wait_screen("migrate_same_pin", timeout=20)
    kiosk.tap("different")
    state = kiosk.wait_screen("pin_pad", timeout=20)
    assert "券面事項入力補助の暗証番号（4桁）" in state["texts"]
    type_pin(kiosk, persona.text_pin)
    kiosk.wait_for(lambda s: s["screen"] == "pin_pad" and "利用者証明用電子証明書の暗証番号（4桁）" in s["texts"],
                   timeout=30)
    type_pin(kiosk, persona.auth_pin)
    state = kiosk.wait_screen("registration_review", timeout=30)
    text = texts(state)
    assert f"氏名：{persona.name}" in text and f"住所：{persona.address}" in text and "性別：女性" in text
    assert persona.fake_my_number not in text.replace("-", "").replace(" ", "")
    every_language(kiosk, "registration/registration_review")

    # Nothing to reach the patron by: the kiosk asks for it before sending.
    kiosk.tap("send")
    state = kiosk.wait_for(lambda s: "電話番号かメールアドレスのどちらかを入力してください。" in s["texts"])
    assert state["screen"] == "registration_review"
    kiosk.check_and_shoot("registration/registration_review-contact_required-ja")

    kiosk.tap("edit_phone")
    kiosk.wait_screen("registration_contact")
    for digit in PHONE:
        kiosk.tap(f"key_{digit}")
    kiosk.wait_for(lambda s: PHONE in s["texts"])
    every_language(kiosk, "registration/registration_contact-phone")
    kiosk.tap("submit")
    kiosk.wait_for(lambda s: f"電話番号：{PHONE}" in s["texts"])
    kiosk.tap("edit_email")
    kiosk.wait_for(lambda s: s["screen"] == "registration_contact" and "メールアドレス" in s["texts"])
    for char in EMAIL:  # the on-screen keyboard's keys have no kv id: tapped by their label
        kiosk.tap_text(char)
    kiosk.wait_for(lambda s: EMAIL in s["texts"])
    every_language(kiosk, "registration/registration_contact-email")
    kiosk.tap("submit")
    state = kiosk.wait_for(lambda s: f"メール：{EMAIL}" in s["texts"])
    assert f"電話番号：{PHONE}" in state["texts"]
    kiosk.tap("a11y")
    kiosk.tap("large_text")
    kiosk.wait_for(lambda s: s["text_scale"] > 1 and not s["modals"] and s["screen"] == "registration_review")
    kiosk.check_and_shoot("registration/large-registration_review-ja")
    kiosk.tap("a11y")
    kiosk.tap("large_text")
    kiosk.wait_for(lambda s: s["text_scale"] == 1 and not s["modals"])

    kiosk.tap("send")
    state = kiosk.wait_for(lambda s: s["screen"] == "registration_result"
                           and "登録の申請を受け付けました" in s["texts"], timeout=30)
    reference = next(t for t in state["texts"] if t.startswith("N") and len(t) == 6)
    # Done: the sign, the headline, and what to do next on its own line (the counter, with an ID).
    assert i18n.translate("registration.result.sent.next", "ja") in state["texts"]
    assert "2階総合カウンター" in i18n.translate("registration.result.sent.next", "ja")
    assert_leads_with_its_sign(kiosk, "done")
    number, body = box(kiosk, "reference"), box(kiosk, "body")
    assert box(kiosk, "next_step")[1] >= max(number[3], body[3]) - 1, "the reference and the details below"
    assert number[2] <= body[0], "the reference, large, beside the details"
    result_in_every_language(kiosk, "registration/registration_result-sent", "done")
    kiosk.tap("a11y")
    kiosk.tap("large_text")
    kiosk.wait_for(lambda s: s["text_scale"] > 1 and not s["modals"] and s["screen"] == "registration_result")
    assert_leads_with_its_sign(kiosk, "done")
    kiosk.check_and_shoot("registration/large-registration_result-sent-ja")
    kiosk.tap("a11y")
    kiosk.tap("large_text")
    kiosk.wait_for(lambda s: s["text_scale"] == 1 and not s["modals"])
    before = printed_tickets(kiosk)
    kiosk.tap("counter_ticket")
    kiosk.wait_for(lambda s: "整理券をお取りください" in s["texts"], timeout=30)
    assert sign_kinds(kiosk) == ["done"]  # the ticket's own result
    assert len(printed_tickets(kiosk)) == len(before) + 1
    kiosk.tap("done")
    kiosk.wait_screen("attract")

    # The counter console lists the application; calling the ticket just printed marks its row.
    server = kiosk.server  # type: ignore[attr-defined]
    row = f'#applications li[data-reference="{reference}"]'
    console = new_browser(1400, 900)
    try:
        console.get(server.base_url + "/counter")
        log_in(console, server, server.staff_pin)
        shown(console, row)
        listed = console.find_element(By.CSS_SELECTOR, row).text
        for fact in (persona.name, persona.address, persona.birth_date.isoformat(), PHONE, EMAIL, "女"):
            assert fact in listed, fact
        click(console, '.queue-card[data-service="registration"] button.call-next')
        shown(console, row + ".serving")  # the kiosk's ticket carries the application's reference
        console.save_screenshot(str(kiosk.screenshot("registration/attract-after").parent
                                    / "counter-registration-from-kiosk.png"))
    finally:
        console.quit()  # before the server stops: an open event stream would hold its shutdown


def test_without_the_card_lists_the_accepted_ids_and_prints_a_registration_ticket(kiosk: KioskProcess) -> None:
    kiosk.wait_screen("attract")
    kiosk.tap("btn_registration")
    kiosk.wait_screen("registration_intro", timeout=20)
    kiosk.tap("without_card")
    state = kiosk.wait_screen("registration_ids", timeout=20)
    text = texts(state)
    assert "・運転免許証" in text and "・在留カード" in text
    assert "「マイナンバーの通知カード」は証明書として使えません。" in state["texts"]
    assert "公共料金" in text
    every_language(kiosk, "registration/registration_ids")
    kiosk.tap("a11y")
    kiosk.tap("large_text")
    kiosk.wait_for(lambda s: s["text_scale"] > 1 and not s["modals"] and s["screen"] == "registration_ids")
    kiosk.check_and_shoot("registration/large-registration_ids-ja")
    assert sign_kinds(kiosk) == []  # a list of what to bring, not a result
    before = printed_tickets(kiosk)
    kiosk.tap("counter_ticket")
    state = kiosk.wait_for(lambda s: "整理券をお取りください" in s["texts"], timeout=30)
    assert len(printed_tickets(kiosk)) == len(before) + 1
    assert sign_kinds(kiosk) == ["done"]  # the printed ticket's result leads with its sign
    kiosk.tap("done")
    kiosk.wait_screen("attract")


def test_a_blocked_pin_stops_at_once_with_the_failed_sign_and_the_way_to_the_counter(
        card_kiosk: KioskProcess, insert_card) -> None:  # type: ignore[no-untyped-def]
    """Without the card's signature the server stores nothing: a blocked 利用者証明用 PIN ends at once (no PIN
    asked) with the failed sign, the headline, the counter as the next step, and the registration ticket."""
    kiosk = card_kiosk
    card = insert_card("blocked")
    kiosk.wait_screen("attract")
    kiosk.tap("btn_registration")
    kiosk.wait_screen("registration_intro", timeout=20)
    kiosk.tap("with_card")
    state = kiosk.wait_for(lambda s: s["screen"] == "registration_result", timeout=20)
    assert "暗証番号がロックされています" in state["texts"]
    assert i18n.translate("registration.result.blocked.next", "ja") in state["texts"]
    assert not any(apdu[1] == 0x20 and len(apdu) == 5 for apdu in card.history), "no PIN was tried"
    result_in_every_language(kiosk, "registration/registration_result-blocked", "failed")
    before = printed_tickets(kiosk)
    kiosk.tap("counter_ticket")
    kiosk.wait_for(lambda s: "整理券をお取りください" in s["texts"], timeout=30)
    assert len(printed_tickets(kiosk)) == len(before) + 1
    kiosk.tap("done")
    kiosk.wait_screen("attract")
