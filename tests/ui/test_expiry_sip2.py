"""有効期限の確認 through the real app with the server's patron source switched to the library's ILS over SIP2.

The ILS is pysip2's AnyIO SIP2 server (nobody here wrote it) or a hand-written Koha- or Evergreen-style one
(tests/support/sip2_ils.py); each knows dates the server's own database does not (a card renewed at the
counter this morning), so a date on the screen is proof that the answer came from the ILS. An ILS that does
not answer gets its own message at the kiosk: not "expired", and not the message of an unreachable server.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kiosk import i18n
from tests.support.kiosk_app import KioskProcess
from tests.support.pcsc import InsertCard
from tests.support.server_proc import ServerProcess
from tests.support.sip2_ils import (
    EVERGREEN_64,
    EVERGREEN_SETTINGS,
    KOHA_64,
    KOHA_SETTINGS,
    PATRONS,
    PYSIP_SETTINGS,
    CannedIls,
    PysipIls,
    canned,
    patron_answer,
    silent,
)
from tests.ui.conftest import sip2_server
from tests.ui.test_migration import check_expiry_by_card, enter_pin

StartKiosk = Callable[[ServerProcess], KioskProcess]

VALID, RENEWABLE, EXPIRED = (i18n.translate(f"expiry.status.{s}", "ja") for s in ("valid", "renewable", "expired"))


def shown(kiosk: KioskProcess, widget_id: str) -> bool:
    """The widget is there for a patron to see (a hidden OptionalButton keeps its text, at opacity 0)."""
    return bool(kiosk.call("bounds", id=widget_id)["visible"])


@pytest.fixture(scope="module")
def pysip(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[PysipIls, ServerProcess]]:
    with PysipIls(PATRONS) as ils, sip2_server(tmp_path_factory.mktemp("pysip"), ils.port, **PYSIP_SETTINGS) as server:
        yield ils, server


def test_the_answer_at_the_kiosk_is_the_ils_s_from_pysip2(pysip: tuple[PysipIls, ServerProcess],
                                                          kiosk_on: StartKiosk) -> None:
    ils, server = pysip
    kiosk = kiosk_on(server)
    asked = ils.requests.count("63")
    # Renewed at the counter this morning: the server's own record still says expired (30 days ago).
    state = kiosk.check_expiry_by_number("2000000121")
    assert (state["flow"], VALID in state["texts"], EXPIRED in state["texts"]) == ("Shown", True, False), state
    assert "有効期限：令和11年3月1日（2029-03-01）" in state["texts"]
    assert "あと990日です。更新は令和11年2月1日から受け付けます。" in state["texts"]
    assert not shown(kiosk, "counter_ticket")
    assert kiosk.overflowing() == []
    kiosk.screenshot("expiry_result-sip2-pysip2-valid-ja")
    state = kiosk.choose_language("en")
    assert "Valid until 1 March 2029 (2029-03-01)" in state["texts"]
    assert "Days left: 990. Renewal opens on 1 February 2029." in state["texts"], "each date in the patron's words"
    kiosk.tap("done")
    # The other way round: valid in the server's own record (400 days left), expired yesterday in the ILS.
    state = kiosk.check_expiry_by_number("2000000105")
    assert EXPIRED in state["texts"] and "有効期限：令和8年6月14日（2026-06-14）" in state["texts"], state
    assert "有効期限から1日過ぎています。" in state["texts"]
    assert shown(kiosk, "counter_ticket"), "an expired card is a renewal ticket away"
    assert ils.requests.count("63") == asked + 2, "each check asked the ILS"


def test_by_my_number_card_the_ils_answers_for_the_linked_card(pysip: tuple[PysipIls, ServerProcess],
                                                               private_pcscd: object, insert_card: InsertCard,
                                                               kiosk_on: StartKiosk) -> None:
    ils, server = pysip
    kiosk = kiosk_on(server)
    insert_card("wrong_then_right")  # linked (old scheme, in the server's own database) to 2000000022,
    # valid there until 2028-11-23 (the library's rule on its birthday): the ILS says 2028-01-20
    asked = ils.requests.count("63")
    state = check_expiry_by_card(kiosk, "2468")
    assert VALID in state["texts"] and "有効期限：令和10年1月20日（2028-01-20）" in state["texts"], state
    assert ils.requests.count("63") == asked + 1
    assert kiosk.overflowing() == []
    kiosk.screenshot("expiry_result-sip2-by-card-ja")


@pytest.mark.parametrize(("style", "answer", "end", "settings", "title", "valid_until", "detail"), [
    ("koha", KOHA_64, b"\r\n", KOHA_SETTINGS, VALID, "有効期限：令和9年6月15日（2027-06-15）",
     "あと365日です。更新は令和9年5月15日から受け付けます。"),
    ("evergreen", EVERGREEN_64, b"\r", EVERGREEN_SETTINGS, RENEWABLE, "有効期限：令和8年7月1日（2026-07-01）",
     "あと16日です。更新の受付はもう始まっています（令和8年6月1日から）。"),
])
def test_the_answer_at_the_kiosk_from_a_koha_and_an_evergreen_style_ils(
        tmp_path: Path, kiosk_on: StartKiosk, style: str, answer: bytes, end: bytes, settings: dict[str, str],
        title: str, valid_until: str, detail: str) -> None:
    with canned(patron_answer(answer, end=end)) as ils, sip2_server(tmp_path, ils.port, **settings) as server:
        kiosk = kiosk_on(server)
        state = kiosk.check_expiry_by_number("2000000121")  # expired in the server's own record
        assert (state["flow"], title in state["texts"], EXPIRED in state["texts"]) == ("Shown", True, False), state
        assert valid_until in state["texts"] and detail in state["texts"]
        assert any(request.startswith(b"63") and b"|AA2000000121|" in request for request in ils.requests)
        assert kiosk.overflowing() == []
        kiosk.screenshot(f"expiry_result-sip2-{style}-ja")


@pytest.fixture(scope="module")
def silent_ils(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[CannedIls, ServerProcess]]:
    """An ILS that takes the connection and never answers; the server gives up after 1.5 s (the kiosk waits 8)."""
    with CannedIls(silent) as ils, sip2_server(tmp_path_factory.mktemp("silent"), ils.port,
                                               **EVERGREEN_SETTINGS, SERVER_SIP2_TIMEOUT_SECONDS="1.5") as server:
        yield ils, server


def ils_unreachable(language: str) -> tuple[str, str]:
    """The message's title and advice, from the catalogue."""
    return (i18n.translate("expiry.failure.ils_unreachable", language),
            i18n.translate("expiry.failure.ils_unreachable.next", language))


def test_an_ils_that_does_not_answer_has_its_own_message_not_expired(silent_ils: tuple[CannedIls, ServerProcess],
                                                                     kiosk_on: StartKiosk) -> None:
    ils, server = silent_ils
    ils.respond = silent
    ils.drop_connections()
    kiosk = kiosk_on(server)
    state = kiosk.check_expiry_by_number("2000000121")
    assert state["flow"] == "Failed", state
    title, advice = ils_unreachable("ja")
    assert title == "図書館のシステムにつながりません"
    assert title in state["texts"] and advice in state["texts"]
    assert "カードの有効期限が切れているという意味ではありません" in advice
    for other in (EXPIRED, i18n.translate("expiry.failure.server_unreachable", "ja")):
        assert other not in state["texts"]
    assert not any(t.startswith("有効期限：") for t in state["texts"]), "no date to tell"
    assert shown(kiosk, "retry") and not shown(kiosk, "counter_ticket"), "nothing says the card needs renewing"
    kiosk.screenshot("expiry_result-ils_unreachable-ja")
    state = kiosk.choose_language("en")
    title, advice = ils_unreachable("en")
    assert title in state["texts"] and advice in state["texts"]
    assert "does not mean that your card has expired" in advice
    assert i18n.translate("expiry.status.expired", "en") not in state["texts"]
    # The ILS answers again: the same number, asked again, is answered (renewal open, from the ILS).
    ils.respond = patron_answer(EVERGREEN_64)
    kiosk.tap("retry")
    state = kiosk.wait_for(lambda s: s["flow"] == "Shown" and not s["spinning"], timeout=30)
    assert "Valid until 1 July 2026 (2026-07-01)" in state["texts"], state


def test_by_my_number_card_an_ils_that_does_not_answer_asks_the_pin_again(
        silent_ils: tuple[CannedIls, ServerProcess], private_pcscd: object, insert_card: InsertCard,
        kiosk_on: StartKiosk) -> None:
    ils, server = silent_ils
    ils.respond = silent
    ils.drop_connections()
    kiosk = kiosk_on(server)
    insert_card("wrong_then_right")
    state = check_expiry_by_card(kiosk, "2468")
    title, advice = ils_unreachable("ja")
    assert (state["flow"], title in state["texts"], advice in state["texts"]) == ("Failed", True, True), state
    assert EXPIRED not in state["texts"]
    kiosk.tap("retry")  # a signature answers one challenge only: the card is asked again, PIN first
    kiosk.wait_screen("pin_pad")
    ils.respond = patron_answer(EVERGREEN_64)  # back (its canned answer, whatever the card)
    enter_pin(kiosk, "2468")
    state = kiosk.wait_for(lambda s: s["flow"] == "Shown" and not s["spinning"], timeout=30)
    assert RENEWABLE in state["texts"], state
