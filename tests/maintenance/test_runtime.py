"""The wired maintenance core against the real server: cache refreshed at start, sign-in, a session that
ends by itself when idle, diagnostics, a test print, and threads that stop."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

from kiosk.api.client import KioskApiClient
from kiosk.deliveries import api_senders, is_permanent
from kiosk.maintenance.audit import AuditTrail
from kiosk.maintenance.describe import describe
from kiosk.maintenance.runtime import Maintenance
from kiosk.maintenance.session import MaintenanceSession
from kiosk.outbox import Outbox
from kiosk.print_marks import put_ticket_printed
from kiosk.printer.file_backend import FilePrinter
from kiosk.printer.ticket_image import TicketRenderer
from tests.maintenance.conftest import settings_for
from tests.support.server_proc import ServerProcess
from tests.support.waiting import eventually


def test_session_closes_after_the_idle_minutes() -> None:
    now = [0.0]
    session = MaintenanceSession("admin-1", "admin", 180, clock=lambda: now[0])
    now[0] = 179
    assert not session.expired()
    session.touched()
    now[0] = 179 + 179.5
    assert session.remaining_s() == 0.5 and not session.expired()
    now[0] += 0.5
    assert session.expired()


def test_audit_trail_makes_events_the_server_accepts() -> None:
    sent = []
    trail = AuditTrail(sent.append)
    event = trail.record("田中 taro", "print.test", "PrinterOfflineError", error="line one\nline two\x00")
    assert event.staff_id == "___taro"
    assert event.detail == {"error": "line one line two "}


def test_maintenance_from_settings_end_to_end(server: ServerProcess, tmp_path: Path) -> None:
    settings = settings_for(server.base_url, server.kiosk_id, server.kiosk_secret)
    settings = dataclasses.replace(settings, maintenance=dataclasses.replace(
        settings.maintenance, data_dir=str(tmp_path / "kiosk"), staff_cache_path=str(tmp_path / "kiosk" / "s.json"),
        heartbeat_interval_s=1, idle_exit_minutes=2))
    client = KioskApiClient(server.base_url, server.kiosk_id, server.kiosk_secret, timeout=3)
    maintenance = Maintenance.from_settings(settings, client, FilePrinter(tmp_path / "tickets"), TicketRenderer(576),
                                            outbox_length=lambda: 0)
    maintenance.start()
    try:
        eventually(lambda: len(maintenance.cache) > 0, "the staff cache refreshed")
        assert maintenance.cache.file_mode() == 0o600
        # The server's staff PIN is not what the kiosk holds: refused; the kiosk's maintenance PIN signs in.
        assert not maintenance.signin.attempt(server.staff_id, bytearray(server.staff_pin.encode())).ok
        result = maintenance.signin.attempt(server.staff_id, bytearray(server.maintenance_pin.encode()))
        session = maintenance.open_session(result)
        assert session is not None and (session.role, session.idle_exit_s) == ("admin", 120)
        assert maintenance.open_session(maintenance.signin.attempt(server.staff_id, bytearray(b"0000"))) is None
        report = maintenance.diagnostics()
        assert report.server.reachable and report.printer.online and report.outbox_length == 0
        assert maintenance.actions is not None
        assert maintenance.actions.test_print(session.staff_id).exists()  # type: ignore[union-attr]
        eventually(lambda: maintenance.heartbeat.sent >= 1, "a heartbeat sent")
    finally:
        maintenance.stop()
    assert maintenance.audit.flush() >= 0 and maintenance.audit.pending == 0
    assert not any(t.name in ("heartbeat", "audit-trail", "staff-cache-refresh") for t in threading.enumerate())


def test_what_the_server_refused_for_good_is_listed_for_staff(server: ServerProcess, tmp_path: Path) -> None:
    settings = settings_for(server.base_url, server.kiosk_id, server.kiosk_secret)
    settings = dataclasses.replace(settings, maintenance=dataclasses.replace(
        settings.maintenance, data_dir=str(tmp_path / "kiosk"), staff_cache_path=str(tmp_path / "kiosk" / "s.json")))
    client = KioskApiClient(server.base_url, server.kiosk_id, server.kiosk_secret, timeout=3)
    outbox = Outbox(tmp_path / "outbox.db", api_senders(client), permanent=is_permanent)
    # A print mark for a ticket the real server never issued: refused (4xx), which no retry can change.
    put_ticket_printed(outbox, "no-such-ticket")
    assert outbox.flush() == 0 and len(outbox) == 0 and len(outbox.dead()) == 1
    maintenance = Maintenance.from_settings(settings, client, None, None, outbox=outbox)
    report = maintenance.diagnostics()
    assert report.outbox_length == 0
    (refused,) = report.outbox_refused
    assert refused.kind == "ticket_printed" and "404" in refused.error, refused.error
    lines = describe(report, "ja")
    assert "サーバーが受け付けなかった記録：1件（再送しません。内容を管理者に伝えてください）" in lines
    assert any("ticket_printed" in line and refused.error in line for line in lines)
    assert not any("受け付けなかった" in line for line in describe(dataclasses.replace(report, outbox_refused=()),
                                                                   "ja"))
    outbox.close()
