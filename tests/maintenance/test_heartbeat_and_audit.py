"""Kiosk core against the real server: heartbeats reach the fleet list and go stale; staff actions
reach the audit log once, and wait while the server is down."""

from __future__ import annotations

import dataclasses
import threading
import time
from pathlib import Path

import requests

from kiosk.api.client import KioskApiClient
from kiosk.maintenance.audit import AuditTrail
from kiosk.maintenance.heartbeat import HeartbeatSender, LastError, current_state
from kiosk.maintenance.service_mode import ServiceMode
from kiosk.printer.factory import printer_from_config
from kiosk.printer.file_backend import FilePrinter
from tests.maintenance.conftest import closed_port, settings_for
from tests.support.server_proc import ServerProcess
from tests.support.waiting import eventually


def staff_get(server: ServerProcess, path: str) -> object:
    token = requests.post(server.base_url + "/v1/staff/sessions",
                          json={"staff_id": server.staff_id, "pin": server.staff_pin}, timeout=5).json()["token"]
    response = requests.get(server.base_url + path, headers={"Authorization": f"Bearer {token}"}, timeout=5)
    assert response.status_code == 200, response.text
    return response.json()


def demo_kiosk(server: ServerProcess) -> dict:
    fleet = staff_get(server, "/v1/fleet/kiosks")
    return next(k for k in fleet["kiosks"] if k["kiosk_id"] == server.kiosk_id)  # type: ignore[index]


def test_heartbeats_show_the_kiosk_up_then_stale(server: ServerProcess, tmp_path: Path) -> None:
    settings = settings_for(server.base_url, server.kiosk_id, server.kiosk_secret)
    settings = dataclasses.replace(settings, maintenance=dataclasses.replace(settings.maintenance,
                                                                             heartbeat_interval_s=1))
    client = KioskApiClient(server.base_url, server.kiosk_id, server.kiosk_secret, timeout=3)
    service = ServiceMode(tmp_path)
    last_error = LastError()
    last_error.set("migration: server unreachable")
    sender = HeartbeatSender(
        send=client.send_heartbeat,
        state=lambda: current_state(settings=settings, printer=FilePrinter(tmp_path / "tickets"), service=service,
                                    last_error=last_error, outbox_length=lambda: 2, list_readers=list),
        interval_s=1,
    )
    started = time.monotonic()
    sender.start()
    try:
        eventually(lambda: sender.sent >= 3, "three heartbeats sent")
        kiosk = demo_kiosk(server)
        assert kiosk["state"] == "up"
        assert (kiosk["version"], kiosk["outbox_length"], kiosk["printer_online"], kiosk["in_service"]) == (
            "0.1.0", 2, True, True)
        assert kiosk["reader"] is None and kiosk["reader_error"] == "no reader attached"
        assert [e["message"] for e in kiosk["recent_errors"]] == ["migration: server unreachable"]  # once, not per beat
        service.set(False, staff_id="admin-1")
        eventually(lambda: demo_kiosk(server)["state"] == "out_of_service", "the next beat says out of service")
    finally:
        sender.stop()
    # No busy loop: about one beat a second (however long the machine took); stop() joined the thread.
    assert sender.sent <= time.monotonic() - started + 2
    assert not any(t.name == "heartbeat" for t in threading.enumerate())
    # Three intervals of 1 s without a beat (server's fleet_stale_intervals = 3).
    eventually(lambda: demo_kiosk(server)["state"] == "stale", "stale once the beats stopped")


def test_a_failed_beat_is_kept_and_the_thread_goes_on(tmp_path: Path) -> None:
    client = KioskApiClient(f"http://127.0.0.1:{closed_port()}", "kiosk-x", "s" * 20, timeout=1)
    settings = settings_for(client.base_url)
    sender = HeartbeatSender(send=client.send_heartbeat, interval_s=0.2, state=lambda: current_state(
        settings=settings, printer=None, service=ServiceMode(tmp_path), last_error=LastError(), list_readers=list))
    sender.start()
    eventually(lambda: sender.last_send_error, "a failed beat")
    assert any(t.name == "heartbeat" and t.is_alive() for t in threading.enumerate()), "the thread goes on"
    sender.stop()
    assert sender.sent == 0
    assert "Connection refused" in (sender.last_send_error or "")


def test_staff_actions_reach_the_audit_log_once_and_wait_while_the_server_is_down(server: ServerProcess) -> None:
    down = KioskApiClient(f"http://127.0.0.1:{closed_port()}", server.kiosk_id, server.kiosk_secret, timeout=1)
    up = KioskApiClient(server.base_url, server.kiosk_id, server.kiosk_secret, timeout=3)
    route = {"client": down}  # the kiosk's network, switched by the test
    trail = AuditTrail(lambda event: route["client"].record_staff_action(event))
    first = trail.record("admin-1", "signin", "lockout", reason="wrong_pin", lockout_s=300)
    trail.record("admin-1", "ticket.reprint", number="R-012")
    assert trail.flush() == 0 and trail.pending == 2

    route["client"] = up  # the network came back
    assert trail.flush() == 2 and trail.pending == 0
    up.record_staff_action(first)  # a resend (same event id) makes no second row
    rows = [r for r in staff_get(server, "/v1/staff/audit") if r["actor_type"] == "kiosk_staff"]  # type: ignore[union-attr]
    assert [(r["actor_id"], r["action"], r["outcome"]) for r in rows] == [
        ("admin-1", "maintenance.signin", "lockout"), ("admin-1", "maintenance.ticket.reprint", "ok")]
    assert rows[0]["detail"]["kiosk_id"] == server.kiosk_id
    assert rows[0]["detail"]["lockout_s"] == 300
    assert rows[1]["detail"]["number"] == "R-012"


def test_a_kiosk_with_a_faulty_printer_still_beats(server: ServerProcess, tmp_path: Path) -> None:
    # A network printer nobody answers: python-escpos's error text spans lines, which the server refuses
    # as control characters; the beat must still be accepted, or the fleet page loses the kiosk at a fault.
    port = closed_port()
    settings = settings_for(server.base_url, server.kiosk_id, server.kiosk_secret, backend="network",
                            options={"host": "127.0.0.1", "port": port})
    printer = printer_from_config({"backend": "network", "host": "127.0.0.1", "port": port, "timeout": 1.0})
    last_error = LastError()
    last_error.set("line one\nline two\t" + "x" * 400)
    state = current_state(settings=settings, printer=printer, service=ServiceMode(tmp_path), last_error=last_error,
                          list_readers=list)
    assert state.printer_error and f"127.0.0.1:{port}" in state.printer_error
    client = KioskApiClient(server.base_url, server.kiosk_id, server.kiosk_secret, timeout=3)
    client.send_heartbeat(state)  # raises on a refusal
    kiosk = demo_kiosk(server)
    assert kiosk["printer_online"] is False and kiosk["printer_error"] == state.printer_error
    assert "\n" not in kiosk["printer_error"]
    assert kiosk["recent_errors"][0]["message"].startswith("line one line two x")
