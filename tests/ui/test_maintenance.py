"""Maintenance mode through the real app: the hidden gesture, staff sign-in with this kiosk's maintenance
PIN against the cached hashes (also with the server down; the server's staff PIN is refused), lockout,
true diagnostics, out of service, reprint to the file backend."""

from __future__ import annotations

from pathlib import Path

from tests.support.kiosk_app import KioskProcess, kiosk_env
from tests.support.ports import free_port
from tests.support.server_proc import ServerProcess
from tests.ui.conftest import server_env

WRONG = "staff.signin.wrong"


def open_signin(kiosk: KioskProcess) -> None:
    kiosk.wait_screen("attract")
    kiosk.call("long_press", id="maintenance_corner", seconds=3.3)
    kiosk.wait_screen("staff_signin", timeout=10)


def sign_in(kiosk: KioskProcess, staff_id: str, pin: str) -> dict:
    for ch in staff_id:
        kiosk.tap_text(ch)
    kiosk.tap("submit")
    for digit in pin:
        kiosk.tap(f"key_{digit}")
    kiosk.tap("submit")
    return kiosk.wait_for(lambda s: s["screen"] == "maintenance_home" or any(
        "違います" in t or "ロック" in t for t in s["texts"]), timeout=20)


def wait_staff_cached(kiosk: KioskProcess, data_dir: Path) -> None:
    """The kiosk fetches its maintenance PINs' hashes in the background after its first frames."""
    kiosk.wait_for(lambda s: (data_dir / "staff-cache.json").exists(), timeout=20)


def start(display: str, tmp_path: Path, server: ServerProcess | None, **extra: str) -> KioskProcess:
    env = kiosk_env(display, tmp_path / "kivy", **(server_env(server) if server else {}),
                    KIOSK_PRINTER_DIRECTORY=str(tmp_path / "printed"), **extra)
    return KioskProcess(env, tmp_path / "kiosk.log")


def test_sign_in_diagnostics_and_out_of_service(display: str, fresh_server: ServerProcess, tmp_path: Path) -> None:
    kiosk = start(display, tmp_path, fresh_server)
    try:
        wait_staff_cached(kiosk, tmp_path / "kiosk-data")
        open_signin(kiosk)
        kiosk.check_and_shoot("staff_signin-ja")
        # The server's staff PIN is not what this kiosk holds: refused, one try gone.
        state = sign_in(kiosk, fresh_server.staff_id, fresh_server.staff_pin)
        assert state["screen"] == "staff_signin" and any("あと4回" in t for t in state["texts"]), state
        for digit in fresh_server.maintenance_pin:  # the pad stays on the PIN step, with the id kept
            kiosk.tap(f"key_{digit}")
        kiosk.tap("submit")
        state = kiosk.wait_screen("maintenance_home", timeout=20)
        state = kiosk.wait_for(lambda s: any(t.startswith("サーバー：正常") for t in s["texts"][1].splitlines())
                               if len(s["texts"]) > 1 else False, timeout=20)
        diagnostics = state["texts"][1]
        assert "プリンター（file）：正常" in diagnostics
        assert "時刻：正常" in diagnostics, "the kiosk's clock is checked against the server's"
        assert "secret=********" in diagnostics and fresh_server.kiosk_secret not in diagnostics
        kiosk.check_and_shoot("maintenance_home-ja")

        kiosk.tap("service")  # take it out of service
        kiosk.wait_for(lambda s: "運用状態を変更しました。" in s["texts"], timeout=10)
        kiosk.tap("sign_out")
        state = kiosk.wait_screen("attract")
        text = "\n".join(state["texts"])
        assert "ただいま休止中です" in text and "Out of service" in text
        kiosk.screenshot("attract-out-of-service")
        # The service buttons are gone: a tap where one was starts nothing.
        assert kiosk.tap_now("btn_expiry") == []
        assert kiosk.state()["screen"] == "attract"
    finally:
        kiosk.stop()


def test_five_wrong_pins_lock_the_pad(display: str, fresh_server: ServerProcess, tmp_path: Path) -> None:
    kiosk = start(display, tmp_path, fresh_server, KIOSK_MAINTENANCE_LOCKOUT_S="30")
    try:
        wait_staff_cached(kiosk, tmp_path / "kiosk-data")
        open_signin(kiosk)
        for ch in fresh_server.staff_id:
            kiosk.tap_text(ch)
        kiosk.tap("submit")
        for attempt in range(5):
            for digit in "0000":
                kiosk.tap(f"key_{digit}")
            kiosk.tap("submit")
            expected = "ロック" if attempt == 4 else f"あと{4 - attempt}回"
            kiosk.wait_for(lambda s, e=expected: any(e in t for t in s["texts"]), timeout=20)
        # Even the right PIN is refused while locked.
        for digit in fresh_server.maintenance_pin:
            kiosk.tap(f"key_{digit}")
        kiosk.tap("submit")
        state = kiosk.wait_for(lambda s: any("ロックされています" in t for t in s["texts"]), timeout=10)
        assert state["screen"] == "staff_signin"
        kiosk.screenshot("staff_signin-locked-ja")
    finally:
        kiosk.stop()


def test_server_down_and_no_printer_are_shown_truthfully(display: str, fresh_server: ServerProcess,
                                                        tmp_path: Path) -> None:
    kiosk = start(display, tmp_path, fresh_server, KIOSK_PRINTER_BACKEND="network",
                  KIOSK_PRINTER_HOST="127.0.0.1", KIOSK_PRINTER_PORT=str(free_port()))
    try:
        wait_staff_cached(kiosk, tmp_path / "kiosk-data")
        fresh_server.stop()  # staff still sign in, from the kiosk's cache
        open_signin(kiosk)
        state = sign_in(kiosk, fresh_server.staff_id, fresh_server.maintenance_pin)
        assert state["screen"] == "maintenance_home", state
        state = kiosk.wait_for(lambda s: len(s["texts"]) > 1 and "サーバー：異常" in s["texts"][1], timeout=20)
        assert "プリンター（network）：異常" in state["texts"][1]
        kiosk.check_and_shoot("maintenance_home-faults-ja")
    finally:
        kiosk.stop()


def test_reprint_of_todays_ticket_to_the_file_backend(display: str, fresh_server: ServerProcess,
                                                      tmp_path: Path) -> None:
    kiosk = start(display, tmp_path, fresh_server)
    try:
        wait_staff_cached(kiosk, tmp_path / "kiosk-data")
        kiosk.tap("btn_ticket")
        kiosk.tap("svc_other")
        state = kiosk.wait_for(lambda s: "整理券をお取りください" in s["texts"], timeout=20)
        number = next(t for t in state["texts"] if t.startswith("S-"))
        kiosk.tap("done")
        open_signin(kiosk)
        sign_in(kiosk, fresh_server.staff_id, fresh_server.maintenance_pin)
        kiosk.tap("reprint")
        kiosk.wait_screen("staff_reprint")
        kiosk.tap(f"reprint_{number}")
        kiosk.wait_for(lambda s: f"{number} を再印刷しました。" in s["texts"], timeout=20)
        assert len(list((tmp_path / "printed").glob(f"*{number}*.png"))) == 2
    finally:
        kiosk.stop()


def test_restart_from_maintenance_exits_with_the_restart_code(display: str, fresh_server: ServerProcess,
                                                              tmp_path: Path) -> None:
    kiosk = start(display, tmp_path, fresh_server)
    try:
        wait_staff_cached(kiosk, tmp_path / "kiosk-data")
        open_signin(kiosk)
        sign_in(kiosk, fresh_server.staff_id, fresh_server.maintenance_pin)
        try:
            kiosk.tap("restart")
        except RuntimeError:
            pass  # the app may be gone before the driver writes its answer to the tap
        assert kiosk.proc.wait(20) == 75, "the supervisor (systemd, make run) starts the app again on 75"
        assert (tmp_path / "kiosk-data" / "restart-requested.json").exists()
    finally:
        kiosk.stop()
