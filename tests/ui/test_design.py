"""The design system on the real app (issue 18, screens): every result leads with its status sign, distinct in
shape and colour, its headline and its next step; the PIN pad is the main object of its screen; the "place your
card" steps show the card coming onto the reader, stop moving when the screen leaves, and say what to do if
nothing happens. Through the real pcscd with the virtual card and the real server."""

from __future__ import annotations

from PIL import Image

from kiosk import i18n
from kiosk.a11y import palette
from tests.support.kiosk_app import KioskProcess
from tests.ui.test_every_screen import every_language
from tests.ui.test_migration import start_migration


def box(kiosk: KioskProcess, widget_id: str) -> list[float]:
    return kiosk.call("bounds", id=widget_id)["box"]


def centre_x(b: list[float]) -> float:
    return (b[0] + b[2]) / 2


def signs(kiosk: KioskProcess) -> list[dict]:
    return kiosk.call("signs")["signs"]


def pixel_in_sign(shot, sign: dict, height: int) -> tuple[int, ...]:  # type: ignore[no-untyped-def]
    """A pixel inside the sign's shape and off its mark (left of centre), from a screenshot (y downwards)."""
    left, bottom, right, top = sign["box"]
    x, y = left + (right - left) * 0.12, (bottom + top) / 2
    return Image.open(shot).convert("RGB").getpixel((round(x), round(height - y)))


def rgb(colour: palette.Colour) -> tuple[int, int, int]:
    return tuple(round(c * 255) for c in colour[:3])  # type: ignore[return-value]


def near(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    return all(abs(x - y) <= 6 for x, y in zip(a, b, strict=True))


def switch(kiosk: KioskProcess, mode: str, until) -> None:  # type: ignore[no-untyped-def]
    """Large text or high contrast on or off, from the accessibility panel."""
    kiosk.tap("a11y")
    kiosk.tap(mode)
    kiosk.wait_for(lambda s: until(s) and s["screen"] == "pin_pad" and not s["modals"])


def test_the_pin_pad_is_the_main_object_and_one_try_left_is_unmissable(card_kiosk: KioskProcess,
                                                                      insert_card) -> None:
    kiosk = card_kiosk
    insert_card("one_try_left")
    start_migration(kiosk, "2000000030")
    kiosk.tap("same")
    state = kiosk.wait_screen("pin_pad")
    mm = kiosk.call("mm")["px"]
    # The tries left as a warning band with the attention sign, above the field.
    assert i18n.translate("pin.last_try", "ja") in state["texts"]
    (sign,) = signs(kiosk)
    assert sign["kind"] == "attention"
    tries, dots = box(kiosk, "tries"), box(kiosk, "dots")
    assert tries[1] >= dots[3] - 1, "the tries left are above the field"
    # Keys of at least 20 mm, the pad centred under its field, 決定 beside 0 and 訂正 on its other side.
    keys = {k: box(kiosk, k) for k in ("key_1", "key_2", "key_3", "key_clear", "key_0", "submit")}
    for name, b in keys.items():
        assert b[2] - b[0] >= 20 * mm - 1 and b[3] - b[1] >= 20 * mm - 1, f"{name} is under 20 mm: {b}"
    assert abs(centre_x(keys["key_2"]) - centre_x(dots)) <= 1, "the pad is centred under its field"
    assert dots[1] >= keys["key_1"][3], "the field is above the pad"
    row = keys["key_0"][1]
    assert keys["submit"][1] == row and keys["key_clear"][1] == row, "訂正, 0 and 決定 share the bottom row"
    assert keys["key_clear"][2] <= keys["key_0"][0] and keys["key_0"][2] <= keys["submit"][0]
    assert keys["key_1"][1] > row, "the digits are above the bottom row"
    kiosk.check_and_shoot("design/pin_pad-last-try-ja")
    # The band and the pad fit, within reach, in every language, in large text and in high contrast too.
    every_language(kiosk, "design/pin_pad-last-try")
    switch(kiosk, "large_text", lambda s: s["text_scale"] > 1)
    every_language(kiosk, "design/large-pin_pad-last-try")
    switch(kiosk, "high_contrast", lambda s: s["high_contrast"])
    every_language(kiosk, "design/high_contrast-large-pin_pad-last-try")
    assert [s["kind"] for s in signs(kiosk)] == ["attention"]
    switch(kiosk, "high_contrast", lambda s: not s["high_contrast"])
    switch(kiosk, "large_text", lambda s: s["text_scale"] == 1)
    # A pad with more tries left has no band: the tries in large type only.
    for digit in "1357":
        kiosk.tap(f"key_{digit}")
    kiosk.tap("submit")
    kiosk.wait_screen("last_try", timeout=30)
    kiosk.tap("confirm")
    state = kiosk.wait_for(lambda s: s["screen"] == "migrate_result", timeout=30)
    # The result: the done sign, the headline, the next step on its own line, the details apart.
    assert "切り替えが完了しました" in state["texts"]
    assert i18n.translate("migrate.result.completed.next", "ja") in state["texts"]
    assert not any("お取りください" in t for t in state["texts"] if t.startswith("令和")), "the details hold no step"
    (sign,) = signs(kiosk)
    assert sign["kind"] == "done"
    assert sign["box"][2] - sign["box"][0] >= 20 * mm, "the sign is large"
    title, next_step, body = box(kiosk, "title"), box(kiosk, "next_step"), box(kiosk, "body")
    assert title[1] >= next_step[3] - 1 and next_step[1] >= body[3] - 1, "headline, next step, then details"
    assert sign["box"][3] >= title[1], "the sign leads, beside the headline"
    shot = kiosk.check_and_shoot("design/migrate_result-completed-ja")
    height = Image.open(shot).height
    assert near(pixel_in_sign(shot, sign, height), rgb(palette.STANDARD["C_DONE"])), "drawn in the done colour"


def test_a_blocked_pin_leads_with_the_failed_sign(card_kiosk: KioskProcess, insert_card) -> None:
    insert_card("blocked")
    state = start_migration(card_kiosk, "2000000048")
    assert state["screen"] == "migrate_result"
    (sign,) = signs(card_kiosk)
    assert sign["kind"] == "failed"
    assert i18n.translate("migrate.result.blocked.next", "ja") in state["texts"]
    shot = card_kiosk.check_and_shoot("design/migrate_result-blocked-ja")
    height = Image.open(shot).height
    assert near(pixel_in_sign(shot, sign, height), rgb(palette.STANDARD["C_FAILED"]))


def test_place_your_card_moves_the_card_onto_the_reader_until_the_screen_leaves(
        card_kiosk: KioskProcess, insert_card, card_server) -> None:
    kiosk = card_kiosk
    kiosk.wait_screen("attract")
    if card_server.inserted:
        insert_card.remove()
    kiosk.tap("btn_checkup")
    state = kiosk.wait_screen("checkup_intro")
    assert i18n.translate("card.place.no_response", "ja") in state["texts"]
    kiosk.until(lambda: "PlaceCard" in kiosk.call("animating")["widgets"], "the card moves onto the reader")
    kiosk.tap("start")  # "my card is on the reader", before it is: the wait for the card
    state = kiosk.wait_for(lambda s: s["screen"] == "migrate_card" and not s["spinning"], timeout=20)
    assert i18n.translate("card.place.no_response", "ja") in state["texts"]
    kiosk.until(lambda: "PlaceCard" in kiosk.call("animating")["widgets"], "still moving while it waits")
    kiosk.check_and_shoot("design/migrate_card-ja")
    insert_card("normal", physical=True)
    kiosk.wait_screen("pin_pad", timeout=20)
    kiosk.until(lambda: "PlaceCard" not in kiosk.call("animating")["widgets"], "the motion stopped with the screen")
