"""The database failing under the real server: SQLite locked past the busy timeout, PostgreSQL backends
terminated and the PostgreSQL server stopped. The API answers a clean 503 (database_unavailable) or recovers,
and the kiosk's outbox retries until the server has everything, once."""

from __future__ import annotations

import sqlite3
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.api.client import KioskApiClient
from kiosk.api.errors import ApiError
from kiosk.deliveries import outbox_from_settings
from kiosk.maintenance.audit import AuditTrail
from kiosk.outbox import Outbox
from tests.faults.conftest import TODAY, kiosk_settings
from tests.faults.servers import ALWAYS_OPEN
from tests.support.postgres import PG_BIN, PostgresServer, _as_postgres, start_postgres
from tests.support.server_proc import ServerProcess, start_server
from tests.support.waiting import WAIT_S, eventually


def kiosk(server: ServerProcess, tmp_path: Path, timeout_s: float) -> tuple[KioskApiClient, Outbox]:
    settings = kiosk_settings(server, tmp_path, KIOSK_SERVER_TIMEOUT_S=str(timeout_s))
    s = settings.server
    api = KioskApiClient(s.url, s.kiosk_id, s.secret, s.timeout_s)
    return api, outbox_from_settings(settings, api)


def wait_empty(outbox: Outbox, timeout: float = WAIT_S) -> None:
    eventually(lambda: len(outbox) == 0, "the outbox delivered", max(timeout, WAIT_S))


def test_sqlite_locked_past_the_busy_timeout(server: ServerProcess, tmp_path: Path) -> None:
    api, outbox = kiosk(server, tmp_path, timeout_s=30)
    holder = sqlite3.connect(tmp_path / "server.db", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock longer than the server's 15 s busy timeout
    outbox.start()
    try:
        # Every signed request writes (its nonce), so every one waits for the lock, the outbox's too.
        AuditTrail(None, outbox=outbox).record("demo-admin", "service_off")
        key = str(uuid.uuid4())
        started = time.monotonic()
        with pytest.raises(ApiError) as refused:
            api.issue_ticket("mynumber", idempotency_key=key)
        waited = time.monotonic() - started
        assert refused.value.status == 503 and refused.value.code == "database_unavailable", refused.value
        assert 10 < waited < 30, f"answered after the busy timeout, before the client gave up ({waited:.1f} s)"
        assert len(outbox) == 1, "the audit event is still waiting"
        holder.execute("ROLLBACK")
        issued = api.issue_ticket("mynumber", idempotency_key=key)  # the same key again: the server recovered
        wait_empty(outbox, 20)
        assert len(outbox) == 0 and outbox.dead() == []
        with sqlite3.connect(tmp_path / "server.db") as db:
            assert db.execute("SELECT number FROM tickets").fetchall() == [(issued.number,)]
            assert db.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'maintenance.service_off'"
                              ).fetchone() == (1,)
        assert "unhandled error" not in server.log()
    finally:
        outbox.close()
        holder.close()


@pytest.fixture
def pg_server(tmp_path: Path) -> Iterator[tuple[PostgresServer, ServerProcess]]:
    """A private PostgreSQL and the real server on it."""
    pg = start_postgres()
    try:
        url = pg.create_database("faults")
        server = start_server(database_url=url, settings={"SERVER_TODAY": TODAY.isoformat(), **ALWAYS_OPEN})
        yield pg, server
        server.stop()
    finally:
        pg.stop()


def pg_ctl(pg: PostgresServer, *args: str) -> None:
    # No pipes: a started postmaster would hold them open (its output goes to the cluster's log file).
    subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(pg.data_dir), "-l", str(pg.directory / "log"),
                                 "-w", "-t", "60", *args]),
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, timeout=90)


def test_postgresql_connections_dropped_and_server_restarted(pg_server: tuple[PostgresServer, ServerProcess],
                                                            tmp_path: Path) -> None:
    pg, server = pg_server
    api, outbox = kiosk(server, tmp_path, timeout_s=10)
    first = api.issue_ticket("mynumber", idempotency_key=str(uuid.uuid4()))
    # Every backend of the server's pool killed under it: the pool's pre-ping reconnects, nobody notices.
    pg.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
               "WHERE datname = 'faults' AND pid <> pg_backend_pid()")
    second = api.issue_ticket("mynumber", idempotency_key=str(uuid.uuid4()))
    assert second.number != first.number

    # PostgreSQL gone. A fast stop, not an immediate one: the test cluster runs with fsync and
    # synchronous_commit off, so a crash would lose acknowledged commits (production keeps them on).
    pg_ctl(pg, "-m", "fast", "stop")
    try:
        key = str(uuid.uuid4())
        with pytest.raises(ApiError) as refused:
            api.issue_ticket("mynumber", idempotency_key=key)
        assert refused.value.status == 503 and refused.value.code == "database_unavailable"
        AuditTrail(None, outbox=outbox).record("demo-admin", "restart_request")
        outbox.start()
        eventually(lambda: outbox.failures >= 2, "two failed deliveries")
        assert outbox.failures >= 2 and len(outbox) == 1 and "database_unavailable" in (outbox.last_error or "")
    finally:
        pg_ctl(pg, "restart", "-m", "fast")  # with the options it was started with (postmaster.opts)
    third = api.issue_ticket("mynumber", idempotency_key=key)
    assert api.issue_ticket("mynumber", idempotency_key=key) == third
    wait_empty(outbox, 20)
    assert len(outbox) == 0 and outbox.dead() == []
    outbox.close()
    import psycopg

    with psycopg.connect(host="127.0.0.1", port=pg.port, user="kiosk", dbname="faults") as conn:
        numbers = [r[0] for r in conn.execute("SELECT number FROM tickets ORDER BY id").fetchall()]
        audited = conn.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'maintenance.restart_request'"
                               ).fetchone()
    assert numbers == [first.number, second.number, third.number] and audited == (1,)
