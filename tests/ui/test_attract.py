"""The attract screen of the real app: Japanese glyphs, three services, each leading to its first step."""

from __future__ import annotations

from pathlib import Path

import pytest
from fontTools.ttLib import TTCollection, TTFont

from kiosk import i18n
from tests.support.kiosk_app import KioskProcess, kiosk_env
from tests.support.server_proc import start_server
from tests.ui.conftest import server_env

SERVICES = [
    ("btn_migrate", "migrate_intro", "マイナンバーカード連携の切り替え"),
    ("btn_expiry", "expiry_method", "利用者カードの有効期限の確認"),
    ("btn_ticket", "ticket_service", "整理券の発行"),
    ("btn_registration", "registration_intro", "利用者カードの登録申請"),
]


def test_attract_screen_shows_services_in_japanese_and_english(kiosk: KioskProcess) -> None:
    state = kiosk.wait_screen("attract")
    texts = "\n".join(state["texts"])
    for key in ("service.migrate.title", "service.expiry.title", "service.ticket.title"):
        assert i18n.translate(key, "ja") in texts
        assert i18n.translate(key, "en") in texts
    assert kiosk.overflowing() == []
    shot = kiosk.screenshot("attract")
    assert shot.stat().st_size > 10_000


def test_default_font_has_every_japanese_glyph_the_kiosk_shows(kiosk: KioskProcess) -> None:
    """Kivy's Roboto shows boxes for Japanese; the font the app registered must cover every character."""
    font_path = kiosk.call("font")["path"]
    if font_path.endswith(".ttc"):
        cmap = TTCollection(font_path).fonts[0].getBestCmap()
    else:
        cmap = TTFont(font_path).getBestCmap()
    shown = "".join(i18n.catalogue("ja").values())
    missing = sorted({ch for ch in shown if ch.strip() and ord(ch) not in cmap})
    assert not missing, f"{font_path} has no glyph for {missing}"
    assert "Roboto" not in font_path


@pytest.mark.parametrize(("button", "screen", "title"), SERVICES)
def test_each_service_button_opens_its_first_step(
    kiosk: KioskProcess, button: str, screen: str, title: str
) -> None:
    kiosk.wait_screen("attract")
    kiosk.tap(button)
    state = kiosk.wait_screen(screen)
    assert title in state["texts"]
    assert state["language"] == "ja"
    assert kiosk.overflowing() == []
    kiosk.screenshot(f"{screen}-ja")

    state = kiosk.choose_language("en")
    assert title not in state["texts"]
    assert kiosk.overflowing() == []
    kiosk.screenshot(f"{screen}-en")

    kiosk.tap("back")
    state = kiosk.wait_screen("attract")
    assert state["language"] == "ja", "a new session starts in the default language"


def test_a_version_the_server_refuses_closes_the_services_with_a_clear_message(
        display: str, tmp_path: Path) -> None:
    server = start_server(database_url=f"sqlite:///{tmp_path / 'v.db'}", settings={"SERVER_MIN_KIOSK_VERSION": "99.0"})
    kiosk = KioskProcess(kiosk_env(display, tmp_path / "kivy", **server_env(server)), tmp_path / "kiosk.log")
    try:
        state = kiosk.wait_for(lambda s: any("ソフトウェアの更新が必要" in t for t in s["texts"]), timeout=20)
        assert any("software update" in t for t in state["texts"])
        assert kiosk.tap_now("btn_migrate") == [], "hidden and disabled: nothing takes the tap"
        assert kiosk.state()["screen"] == "attract"
        kiosk.screenshot("attract-needs-update")
    finally:
        kiosk.stop()
        server.stop()
