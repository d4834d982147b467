"""Outcome statistics through the real kiosk app and the real server: patron sessions finished, failed
and abandoned at the kiosk show up in the server's statistics, counted once each, with nothing personal."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import requests

from kiosk.clock import LIBRARY_TZ
from tests.support.kiosk_app import KioskProcess, kiosk_env
from tests.support.server_proc import ServerProcess, start_server
from tests.support.waiting import eventually
from tests.ui.conftest import ALWAYS_OPEN, TODAY, server_env


@pytest.fixture
def stats_server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A server of its own that shows every count (threshold 1), so one session per outcome is visible."""
    server = start_server(database_url=f"sqlite:///{tmp_path / 'server.db'}",
                          settings={"SERVER_TODAY": TODAY.isoformat(), "SERVER_STATS_MIN_CELL": "1", **ALWAYS_OPEN})
    try:
        yield server
    finally:
        server.stop()


def report(server: ServerProcess) -> dict:
    token = requests.post(server.base_url + "/v1/staff/sessions",
                          json={"staff_id": server.staff_id, "pin": server.staff_pin}, timeout=10).json()["token"]
    # Kiosks date outcomes by the real clock (the test server only pins its "today" for expiry answers).
    day = datetime.now(LIBRARY_TZ).date().isoformat()
    return requests.get(server.base_url + "/v1/stats", params={"start": day, "end": day},
                        headers={"Authorization": f"Bearer {token}"}, timeout=10).json()


def pad(kiosk: KioskProcess, digits: str) -> None:
    for digit in digits:
        kiosk.tap(f"key_{digit}")


def test_sessions_at_the_kiosk_reach_the_statistics(display: str, stats_server: ServerProcess,
                                                    tmp_path: Path) -> None:
    env = kiosk_env(display, tmp_path / "kivy", **server_env(stats_server),
                    KIOSK_PRINTER_DIRECTORY=str(tmp_path / "printed"))
    kiosk = KioskProcess(env, tmp_path / "kiosk.log")
    try:
        # 1. Expiry by number, a valid card: completed (valid).
        kiosk.wait_screen("attract")
        kiosk.tap("btn_expiry")
        kiosk.tap("by_number")
        kiosk.wait_screen("card_number")
        pad(kiosk, "2000000105")
        kiosk.tap("submit")
        kiosk.wait_for(lambda s: "この利用者カードは有効です" in s["texts"])
        kiosk.tap("done")
        kiosk.wait_screen("attract")
        # 2. Expiry of a number nobody has: failed (unknown_card).
        kiosk.tap("btn_expiry")
        kiosk.tap("by_number")
        kiosk.wait_screen("card_number")
        pad(kiosk, "2000000154")
        kiosk.tap("submit")
        kiosk.wait_for(lambda s: "この番号の利用者カードは見つかりませんでした" in s["texts"])
        kiosk.tap("done")
        kiosk.wait_screen("attract")
        # 3. The migration's first screen, then Back: abandoned (left at the intro).
        kiosk.tap("btn_migrate")
        kiosk.wait_screen("migrate_intro")
        kiosk.tap("back")
        kiosk.wait_screen("attract")
        # 4. A queue ticket, printed: completed.
        kiosk.tap("btn_ticket")
        kiosk.wait_screen("ticket_service")
        kiosk.tap("svc_other")
        kiosk.wait_for(lambda s: "整理券をお取りください" in s["texts"], timeout=20)
        kiosk.tap("done")
        kiosk.wait_screen("attract")

        data = eventually(lambda: (r := report(stats_server))["totals"]["sessions"] >= 4 and r,
                          "four sessions reported", interval=0.3)
    finally:
        kiosk.stop()
    reasons = {(c["service"], c["outcome"], c["reason"]): c["count"] for c in data["reasons"]}
    assert reasons == {("expiry", "completed", "valid"): 1, ("expiry", "failed", "unknown_card"): 1,
                       ("migrate", "abandoned", "left_intro"): 1}
    outcomes = {(c["service"], c["outcome"]): c["count"] for c in data["outcomes"] if c["count"]}
    assert outcomes == {("expiry", "completed"): 1, ("expiry", "failed"): 1, ("migrate", "abandoned"): 1,
                        ("ticket", "completed"): 1}
    assert data["kiosks"][0]["kiosk_id"] == stats_server.kiosk_id and data["kiosks"][0]["sessions"] == 4
    # Nothing personal crossed: the card numbers typed are nowhere in the statistics.
    text = json.dumps(data)
    assert "2000000105" not in text and "2000000154" not in text
