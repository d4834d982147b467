"""The durable outbox: order, backoff, coalescing, refusals moved aside, and a real kiosk restart."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest

from kiosk.api.client import KioskApiClient
from kiosk.api.errors import ApiError, ServerError, ServerUnreachableError
from kiosk.deliveries import is_permanent
from kiosk.outbox import Item, Outbox, UnknownKindError
from kiosk.outbox.backoff import retry_delay
from tests.faults.servers import ALWAYS_OPEN, kill, restart
from tests.support.server_proc import REPO_ROOT, start_server
from tests.support.waiting import eventually


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


class Recorder:
    """A `send` that fails with the queued errors first, then records what it delivered."""

    def __init__(self) -> None:
        self.errors: list[Exception] = []
        self.sent: list[str] = []

    def __call__(self, item: Item) -> None:
        if self.errors:
            raise self.errors.pop(0)
        self.sent.append(item.idempotency_key)


KINDS = ("audit", "ticket_printed", "heartbeat")  # the kinds these tests put, each sent with one Recorder


def make(tmp_path: Path, send: Recorder, clock: FakeClock) -> Outbox:
    return Outbox(tmp_path / "outbox.sqlite3", dict.fromkeys(KINDS, send), clock, permanent=is_permanent,
                  retry_base_s=2, retry_max_s=60, rng=random.Random(7))


def test_items_go_out_in_order_and_a_failure_holds_the_rest_back_with_backoff(tmp_path: Path) -> None:
    send, clock = Recorder(), FakeClock()
    outbox = make(tmp_path, send, clock)
    for key in ("a", "b", "c"):
        outbox.put("audit", {"n": key}, key)
    send.errors = [ServerUnreachableError("down"), ServerError(503, "busy")]
    assert outbox.flush() == 0 and send.sent == []
    first_wait = outbox.next_attempt_at - clock.now
    assert 1.0 <= first_wait <= 2.0, "half to all of the base delay"
    assert outbox.flush() == 0, "nothing is tried before the delay is over"
    clock.now = outbox.next_attempt_at
    assert outbox.flush() == 0  # the 503
    assert 2.0 <= outbox.next_attempt_at - clock.now <= 4.0, "the delay doubles"
    assert [i.attempts for i in outbox.pending()] == [2, 0, 0]
    assert "503" in (outbox.pending()[0].last_error or "")
    clock.now = outbox.next_attempt_at
    assert outbox.flush() == 3 and send.sent == ["a", "b", "c"] and len(outbox) == 0
    assert outbox.failures == 0


def test_delays_are_capped_and_jittered() -> None:
    rng = random.Random(1)
    delays = [retry_delay(n, base_s=2, max_s=60, rng=rng) for n in range(1, 40)]
    assert all(d <= 60 for d in delays) and min(delays[10:]) >= 30
    assert len({round(d, 3) for d in delays[10:]}) > 20, "capped delays still differ (jitter)"


def test_a_refusal_for_good_is_moved_aside_and_the_rest_goes_on(tmp_path: Path) -> None:
    send, clock = Recorder(), FakeClock()
    outbox = make(tmp_path, send, clock)
    outbox.put("audit", {}, "bad")
    outbox.put("audit", {}, "good")
    send.errors = [ApiError("invalid_request", "", "bad shape", 422)]
    assert outbox.flush() == 1 and send.sent == ["good"]
    (dead,) = outbox.dead()
    assert dead.idempotency_key == "bad" and "invalid_request" in (dead.last_error or "") and len(outbox) == 0


@pytest.mark.parametrize("error", [ApiError("stale_request", "", "", 401), ApiError("conflict", "", "", 409),
                                   ApiError("counter_closed", "", "", 503), ServerError(500), ValueError("bug?")])
def test_refusals_about_the_kiosk_or_the_moment_are_retried(error: Exception) -> None:
    assert not is_permanent(error)


def test_the_same_key_is_stored_once_and_heartbeats_coalesce(tmp_path: Path) -> None:
    outbox = make(tmp_path, Recorder(), FakeClock())
    outbox.put("ticket_printed", {"ticket_id": "t1"}, "printed-t1")
    outbox.put("ticket_printed", {"ticket_id": "t1"}, "printed-t1")
    for n in range(3):
        outbox.put("heartbeat", {"n": n}, f"beat-{n}", coalesce=True)
    assert [i.kind for i in outbox.pending()] == ["ticket_printed", "heartbeat"]
    assert outbox.pending("heartbeat")[0].payload == {"n": 2}, "only the latest beat is kept"
    assert os.stat(outbox.path).st_mode & 0o077 == 0


def test_the_sender_thread_delivers_soon_after_put(tmp_path: Path) -> None:

    send = Recorder()
    outbox = Outbox(tmp_path / "o.sqlite3", {"audit": send}, retry_base_s=0.1, retry_max_s=0.2)
    outbox.start()
    try:
        send.errors = [ServerUnreachableError("down")]
        outbox.put("audit", {}, "k1")
        eventually(lambda: send.sent == ["k1"], "retried after the short delay", interval=0.02)
    finally:
        outbox.stop()
    assert outbox._thread is None


KIOSK_CORE = textwrap.dedent("""
    import sys, time
    from tests.support.waiting import WAIT_S
    from kiosk.api.client import KioskApiClient
    from kiosk.config import load
    from kiosk.deliveries import outbox_from_settings
    from kiosk.maintenance.audit import AuditTrail
    from kiosk.print_marks import put_ticket_printed
    settings = load()
    s = settings.server
    client = KioskApiClient(s.url, s.kiosk_id, s.secret, s.timeout_s)
    outbox = outbox_from_settings(settings, client)
    if sys.argv[1] == "queue":
        audit = AuditTrail(client.record_staff_action, outbox=outbox)
        audit.record("demo-admin", "test_print", printer="file")
        audit.record("demo-admin", "Not An Action")  # the server refuses this shape for good
        put_ticket_printed(outbox, sys.argv[2])
        audit.start()  # starts the outbox's sender: the server is down, so it fails and waits
        while outbox.failures < 1:
            time.sleep(0.05)
        print("queued", len(outbox), flush=True)
        time.sleep(600)  # killed here
    else:
        outbox.start()
        deadline = time.monotonic() + WAIT_S
        while len(outbox) and time.monotonic() < deadline:
            time.sleep(0.05)
        outbox.stop()
        print("left", len(outbox), "dead", [i.payload["action"] for i in outbox.dead()], flush=True)
""")


def run_core(mode: str, env: dict[str, str], *args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", KIOSK_CORE, mode, *args], cwd=REPO_ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_queued_requests_survive_a_killed_kiosk_and_reach_the_restarted_server(tmp_path: Path) -> None:
    database = tmp_path / "server.db"
    server = start_server(database_url=f"sqlite:///{database}", settings=ALWAYS_OPEN)
    client = KioskApiClient(server.base_url, server.kiosk_id, server.kiosk_secret, timeout=5)
    ticket = client.issue_ticket("mynumber", idempotency_key=str(uuid.uuid4()))
    kill(server)  # the server goes down hard
    env = {**os.environ, "KIOSK_SERVER_URL": server.base_url, "KIOSK_SERVER_KIOSK_ID": server.kiosk_id,
           "KIOSK_SERVER_SECRET": server.kiosk_secret, "KIOSK_SERVER_TIMEOUT_S": "2",
           "KIOSK_OUTBOX_PATH": str(tmp_path / "outbox.sqlite3"), "KIOSK_OUTBOX_RETRY_BASE_S": "0.2",
           "KIOSK_OUTBOX_RETRY_MAX_S": "1"}
    first = run_core("queue", env, ticket.ticket_id)
    assert first.stdout is not None
    assert first.stdout.readline().split() == ["queued", "3"]
    first.send_signal(signal.SIGKILL)  # the kiosk dies with everything still queued
    first.wait()

    restarted = restart(server)
    try:
        second = run_core("drain", {**env, "KIOSK_SERVER_URL": restarted.base_url})
        out, err = second.communicate(timeout=60)
        assert out.strip() == "left 0 dead ['Not An Action']", err[-2000:]
        with sqlite3.connect(database) as db:
            audited = db.execute("SELECT actor_id, action, detail FROM audit_log "
                                 "WHERE action = 'maintenance.test_print'").fetchall()
            printed = db.execute("SELECT print_count FROM tickets WHERE ticket_id = ?",
                                 (ticket.ticket_id,)).fetchone()
        assert len(audited) == 1 and audited[0][0] == "demo-admin" and '"printer": "file"' in audited[0][2]
        assert printed == (1,), "the print mark arrived once"
    finally:
        restarted.stop()
        server.stop()


def test_maintenance_wired_with_the_outbox_sends_staff_actions_and_the_latest_heartbeat(tmp_path: Path) -> None:
    from kiosk.deliveries import outbox_from_settings
    from kiosk.maintenance.runtime import Maintenance
    from tests.faults.conftest import kiosk_settings

    server = start_server(database_url=f"sqlite:///{tmp_path / 'server.db'}")
    try:
        settings = kiosk_settings(server, tmp_path, KIOSK_MAINTENANCE_DATA_DIR=str(tmp_path / "kiosk"),
                                  KIOSK_MAINTENANCE_STAFF_CACHE_PATH=str(tmp_path / "kiosk" / "staff.json"))
        s = settings.server
        client = KioskApiClient(s.url, s.kiosk_id, s.secret, s.timeout_s)
        outbox = outbox_from_settings(settings, client)
        maintenance = Maintenance.from_settings(settings, client, None, None, outbox=outbox)
        maintenance.audit.record("demo-admin", "service_on")
        for _ in range(3):
            maintenance.heartbeat.beat()  # queued, each replacing the one before
        assert [i.kind for i in outbox.pending()] == ["audit", "heartbeat"]
        assert maintenance.outbox_length is not None and maintenance.outbox_length() == 2
        assert maintenance.diagnostics().outbox_length == 2
        assert outbox.flush() == 2 and len(outbox) == 0
        with sqlite3.connect(tmp_path / "server.db") as db:
            assert db.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'maintenance.service_on'"
                              ).fetchone() == (1,)
            assert db.execute("SELECT COUNT(*) FROM kiosk_heartbeats").fetchone()[0] >= 1
        outbox.close()
    finally:
        server.stop()


def test_a_printed_ticket_queues_its_mark_and_a_broken_outbox_does_not_fail_the_patron(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from kiosk.effects.tickets import TicketWork
    from kiosk.flows import ticket
    from kiosk.printer import TicketRenderer, printer_from_config

    outbox = make(tmp_path, Recorder(), FakeClock())
    unused = KioskApiClient("http://127.0.0.1:9", "kiosk-demo-01", "x" * 24)  # the mark goes to the outbox only
    work = TicketWork(unused, printer_from_config({"backend": "file", "directory": str(tmp_path / "printed")}),
                      TicketRenderer(576), outbox=outbox)
    view = ticket.TicketView("t-1", "M-001", "mynumber", "マイナンバーカード", "My Number card",
                             datetime(2026, 6, 15, 1, 0, tzinfo=UTC), 0, None, "http://example.test/t/1")
    assert isinstance(work.print(ticket.PrintTicket(view)), ticket.PrintDone)
    (mark,) = outbox.pending()
    assert (mark.kind, mark.payload, mark.idempotency_key) == ("ticket_printed", {"ticket_id": "t-1",
                                                               "reprint": False}, "printed-t-1")
    outbox.close()  # the file is gone from under it
    assert isinstance(work.print(ticket.PrintTicket(view)), ticket.PrintDone)


def test_audit_trail_keeps_an_event_in_memory_when_its_outbox_cannot_be_written(tmp_path: Path) -> None:
    from kiosk.maintenance.audit import AuditTrail

    sent: list[str] = []
    outbox = make(tmp_path, Recorder(), FakeClock())
    trail = AuditTrail(lambda event: sent.append(event.action), outbox=outbox)
    trail.record("admin-1", "test_print")
    assert outbox.count("audit") == 1 and trail.pending == 1
    outbox.flush()
    outbox.close()  # broken from now on
    with pytest.raises(Exception, match="closed"):
        outbox.put("audit", {}, "k")
    assert trail.record("admin-1", "service_off").action == "service_off", "the staff action goes on"
    assert trail.pending == 1
    assert trail.flush() == 1 and sent == ["service_off"] and trail.pending == 0


def test_an_item_of_a_kind_without_a_sender_is_moved_aside_and_an_unregistered_put_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    older = Outbox(path, {"retired_kind": Recorder()})
    older.put("retired_kind", {"n": 1}, "old-1")  # written by an older version of the app, then upgraded
    older.close()
    send = Recorder()
    outbox = Outbox(path, {"audit": send})
    outbox.put("audit", {}, "new-1")
    assert outbox.flush() == 1 and send.sent == ["new-1"], "the unknown item does not hold the rest back"
    (dead,) = outbox.dead()
    assert dead.kind == "retired_kind" and "UnknownKindError" in (dead.last_error or "")
    with pytest.raises(UnknownKindError, match="heartbeat"):
        outbox.put("heartbeat", {}, "beat-1")  # a kind nobody registered: a wiring mistake, refused at once
    assert len(outbox) == 0
    outbox.register("heartbeat", send)
    outbox.put("heartbeat", {}, "beat-1")
    assert outbox.flush() == 1 and send.sent == ["new-1", "beat-1"]
    outbox.close()
