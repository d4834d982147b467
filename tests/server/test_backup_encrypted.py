"""Encrypted, off-machine backups on PostgreSQL and SQLite: backup -> age encryption to a public key ->
copy to a directory target (and to an rsync daemon on loopback) -> restore with the private key into an
empty database gives the same data; no plain dump is left behind; an altered or truncated backup, a
missing key and a private key given as recipient are all refused before any database is touched."""

from __future__ import annotations

import os
import stat
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import inspect

from server.__main__ import main
from server.db import make_engine
from server.ops.backup import digests
from server.state import AppState
from tests.support.ops_data import link_mykey
from tests.support.ports import free_port, wait_listening

AGE_MAGIC = b"age-encryption.org/v1\n"


@pytest.fixture
def keys(tmp_path: Path) -> tuple[Path, Path]:
    """A private key (kept off the server) and the recipients file with its public key."""
    private = tmp_path / "offline" / "saga-backup.key"
    private.parent.mkdir()
    subprocess.run(["age-keygen", "-o", str(private)], check=True, capture_output=True)
    public = subprocess.run(["age-keygen", "-y", str(private)], check=True, capture_output=True, text=True).stdout
    recipients = tmp_path / "backup-recipients.txt"
    recipients.write_text("# the library's backup key\n" + public)
    return private, recipients


def _empty_database(state: AppState, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if state.settings.database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / ('restored-' + uuid.uuid4().hex[:6] + '.db')}"
    return request.getfixturevalue("pg").create_database("restored_" + uuid.uuid4().hex[:8])


def _digests(url: str) -> list:  # type: ignore[type-arg]
    engine = make_engine(url)
    try:
        return digests(engine)
    finally:
        engine.dispose()


def _has_tables(url: str) -> bool:
    if url.startswith("sqlite"):
        return Path(url.removeprefix("sqlite:///")).exists()  # connecting would create the file
    engine = make_engine(url)
    try:
        return bool(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_encrypted_backup_copied_to_a_directory_restores_the_same_data(
        state: AppState, request: pytest.FixtureRequest, tmp_path: Path, keys: tuple[Path, Path],
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    private, recipients = keys
    link_mykey(state, card_number="2000000014", mykey_id="MK-OFFSITE-1")
    source = state.settings.database_url
    before = _digests(source)
    local, share = tmp_path / "backups", tmp_path / "share"
    share.mkdir()
    monkeypatch.setenv("SERVER_DATABASE_URL", source)
    # Settings through the environment, as the timer's unit gives them.
    monkeypatch.setenv("SERVER_BACKUP_ENCRYPT_TO", str(recipients))
    monkeypatch.setenv("SERVER_BACKUP_COPY_TO", str(share))
    assert main(["admin", "backup", str(local / "saga-1.dump")]) == 0
    out = capsys.readouterr().out
    assert "encrypted backup written" in out and f"copied to {share / 'saga-1.dump.age'}" in out
    assert sorted(p.name for p in local.iterdir()) == ["saga-1.dump.age"]  # no plain dump left
    copy = share / "saga-1.dump.age"
    assert sorted(p.name for p in share.iterdir()) == ["saga-1.dump.age"]
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    data = copy.read_bytes()
    assert data.startswith(AGE_MAGIC) and data == (local / "saga-1.dump.age").read_bytes()
    assert b"MK-OFFSITE-1" not in data and b"2000000014" not in data

    # Restore from the off-machine copy, with the private key brought for it.
    target = _empty_database(state, request, tmp_path)
    monkeypatch.setenv("SERVER_DATABASE_URL", target)
    assert main(["admin", "restore", str(copy)]) == 1
    assert "give the private key with --identity" in capsys.readouterr().err and not _has_tables(target)
    assert main(["admin", "restore", str(copy), "--identity", str(private)]) == 0
    assert _digests(target) == before


@pytest.mark.parametrize("damage", ["flip", "truncate"])
def test_an_altered_backup_is_refused_before_the_database_is_touched(
        state: AppState, request: pytest.FixtureRequest, tmp_path: Path, keys: tuple[Path, Path],
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], damage: str) -> None:
    private, recipients = keys
    monkeypatch.setenv("SERVER_DATABASE_URL", state.settings.database_url)
    backup = tmp_path / "saga.dump.age"
    assert main(["admin", "backup", str(backup), "--encrypt-to", str(recipients)]) == 0
    data = bytearray(backup.read_bytes())
    if damage == "flip":
        data[len(data) // 2] ^= 0x01  # one bit, in the middle of the encrypted payload
    else:
        del data[-100:]
    backup.write_bytes(bytes(data))
    target = _empty_database(state, request, tmp_path)
    monkeypatch.setenv("SERVER_DATABASE_URL", target)
    capsys.readouterr()
    assert main(["admin", "restore", str(backup), "--identity", str(private)]) == 1
    assert "does not decrypt" in capsys.readouterr().err
    assert not _has_tables(target)


def test_backups_leave_the_machine_only_encrypted_and_never_with_a_private_key(
        state: AppState, tmp_path: Path, keys: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    private, _recipients = keys
    monkeypatch.setenv("SERVER_DATABASE_URL", state.settings.database_url)
    share = tmp_path / "share"
    share.mkdir()
    assert main(["admin", "backup", str(tmp_path / "a.dump"), "--copy-to", str(share)]) == 1
    assert "only encrypted" in capsys.readouterr().err
    assert main(["admin", "backup", str(tmp_path / "b.dump"), "--encrypt-to", str(private)]) == 1
    assert "PRIVATE key" in capsys.readouterr().err
    assert list(share.iterdir()) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["backup-recipients.txt",
                                                                                           "offline", "share"]
    # age itself refuses the key: the plain dump taken meanwhile is removed, nothing half-written stays.
    broken = tmp_path / "offline" / "broken-recipients.txt"
    broken.write_text("age1thisisnotakey\n")
    backups = tmp_path / "backups"
    assert main(["admin", "backup", str(backups / "c.dump"), "--encrypt-to", str(broken)]) == 1
    assert "age could not encrypt" in capsys.readouterr().err and list(backups.iterdir()) == []


@pytest.fixture
def rsync_daemon(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """An rsync daemon on 127.0.0.1 standing in for the library's backup host: (module URL, its directory)."""
    stored = tmp_path / "backup-host"
    stored.mkdir()
    port = free_port()
    config = tmp_path / "rsyncd.conf"
    config.write_text(f"use chroot = no\nuid = {os.getuid()}\ngid = {os.getgid()}\naddress = 127.0.0.1\n"
                      f"pid file = {tmp_path / 'rsyncd.pid'}\n[saga]\npath = {stored}\nread only = no\n")
    daemon = subprocess.Popen(["rsync", "--daemon", "--no-detach", f"--port={port}", f"--config={config}"])
    try:
        wait_listening(port, daemon, timeout=10)
        yield f"rsync://127.0.0.1:{port}/saga/", stored
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)


def test_an_encrypted_backup_is_copied_with_rsync(
        state: AppState, tmp_path: Path, keys: tuple[Path, Path], rsync_daemon: tuple[str, Path],
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    _private, recipients = keys
    url, stored = rsync_daemon
    monkeypatch.setenv("SERVER_DATABASE_URL", state.settings.database_url)
    backup = tmp_path / "local" / "saga-2.dump"
    assert main(["admin", "backup", str(backup), "--encrypt-to", str(recipients), "--copy-to", url]) == 0
    assert f"copied to {url}saga-2.dump.age" in capsys.readouterr().out
    assert (stored / "saga-2.dump.age").read_bytes() == backup.with_name("saga-2.dump.age").read_bytes()
