"""Backup then restore into an EMPTY database gives the same data, on PostgreSQL (Debian's pg_dump and
pg_restore against the private test server) and on SQLite (the online backup API); a restore never goes
into a database that holds anything."""

from __future__ import annotations

import stat
import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from server.__main__ import main
from server.db import make_engine
from server.ops.backup import KEY_TABLES, digests
from server.state import AppState
from tests.server.conftest import TODAY
from tests.support.ops_data import add_audit, add_ticket, link_mykey


def _empty_database(state: AppState, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if state.settings.database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'restored.db'}"
    return request.getfixturevalue("pg").create_database("restored_" + uuid.uuid4().hex[:8])


def _digests(url: str) -> list:  # type: ignore[type-arg]
    engine = make_engine(url)
    try:
        return digests(engine)
    finally:
        engine.dispose()


def test_backup_then_restore_into_an_empty_database(state: AppState, request: pytest.FixtureRequest,
                                                    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    for seq in range(1, 4):
        add_ticket(state, day=TODAY, seq=seq, reason="renewal")
    add_audit(state, age=timedelta(days=3))
    link_mykey(state, card_number="2000000014", mykey_id="MK-BACKUP-1")
    source = state.settings.database_url
    before = _digests(source)
    assert {d.table for d in before} == set(KEY_TABLES)
    assert all(d.rows > 0 for d in before if d.table in ("patrons", "linkages", "audit_log", "tickets"))

    backup_file = tmp_path / "backups" / "saga.dump"
    monkeypatch.setenv("SERVER_DATABASE_URL", source)
    assert main(["admin", "backup", str(backup_file)]) == 0
    assert stat.S_IMODE(backup_file.stat().st_mode) == 0o600
    assert main(["admin", "backup", str(backup_file)]) == 1  # never overwritten
    capsys.readouterr()

    target = _empty_database(state, request, tmp_path)
    monkeypatch.setenv("SERVER_DATABASE_URL", target)
    assert main(["admin", "restore", str(backup_file)]) == 0
    assert "restored" in capsys.readouterr().out
    assert _digests(target) == before

    # The restored database is a working one: the audit log is still append-only there.
    engine = make_engine(target)
    try:
        with pytest.raises(Exception, match="append-only"), engine.begin() as connection:
            connection.exec_driver_sql("UPDATE audit_log SET outcome = 'tampered'")
    finally:
        engine.dispose()

    # A second restore would merge into live data: refused, and nothing changes.
    assert main(["admin", "restore", str(backup_file)]) == 1
    assert "restore failed" in capsys.readouterr().err
    assert _digests(target) == before
