"""`python -m server admin backup|restore`: a consistent backup to a new file (encrypted with age and
copied off the machine when so set), and its restore into an empty database."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from server.config import Settings
from server.db import make_engine
from server.ops.backup import BackupError, backup, digests, restore
from server.ops.backup_copy import copy_off
from server.ops.backup_crypt import SUFFIX, check_recipients, decrypt, encrypt, is_encrypted


def _written_backup(settings: Settings, args: argparse.Namespace) -> Path:
    """Take the backup, encrypted when a recipients file is set (the plain dump is removed at once)."""
    path = Path(args.path)
    encrypt_to = args.encrypt_to if args.encrypt_to is not None else settings.backup_encrypt_to
    copy_to = args.copy_to if args.copy_to is not None else settings.backup_copy_to
    if copy_to and not encrypt_to:
        raise BackupError("a backup leaves the machine only encrypted: give --encrypt-to (or backup_encrypt_to)")
    if not encrypt_to:
        backup(database_url=settings.database_url, target=path, pg_bin_dir=settings.pg_bin_dir)
        return path
    recipients = Path(encrypt_to)
    check_recipients(recipients)
    final = path if path.name.endswith(SUFFIX) else path.with_name(path.name + SUFFIX)
    if final.exists():
        raise BackupError(f"{final} exists already: choose a new file name (backups are never overwritten)")
    plain = final.with_name(final.name + ".plain")
    plain.unlink(missing_ok=True)  # left by a run that was killed
    try:
        backup(database_url=settings.database_url, target=plain, pg_bin_dir=settings.pg_bin_dir)
        encrypt(plain=plain, recipients=recipients, target=final)
    finally:
        plain.unlink(missing_ok=True)
    return final


def _cmd_backup(settings: Settings, args: argparse.Namespace) -> int:
    copy_to = args.copy_to if args.copy_to is not None else settings.backup_copy_to
    try:
        written = _written_backup(settings, args)
        copied = copy_off(written, copy_to) if copy_to else ""
    except BackupError as error:
        print(f"backup failed: {error}", file=sys.stderr)
        return 1
    engine = make_engine(settings.database_url)
    try:
        counts = ", ".join(f"{d.table} {d.rows}" for d in digests(engine))
    finally:
        engine.dispose()
    kind = "encrypted backup" if written.name.endswith(".age") else "backup"
    print(f"{kind} written to {written} (mode 0600): {counts}")
    if copied:
        print(f"copied to {copied}")
    return 0


def _restore_plain(settings: Settings, source: Path, identity: str | None) -> None:
    """Restore `source`, decrypting it first into a private temporary file when it is encrypted."""
    if not source.is_file():
        raise BackupError(f"{source} is not a file")
    if identity is None:
        if is_encrypted(source):
            raise BackupError(f"{source} is encrypted: give the private key with --identity")
        restore(database_url=settings.database_url, source=source, pg_bin_dir=settings.pg_bin_dir)
        return
    with tempfile.TemporaryDirectory(prefix="saga-restore-") as private:  # mode 0700
        plain = Path(private) / "backup.plain"
        decrypt(source=source, identity=Path(identity), target=plain)
        restore(database_url=settings.database_url, source=plain, pg_bin_dir=settings.pg_bin_dir)


def _cmd_restore(settings: Settings, args: argparse.Namespace) -> int:
    # Imported here: importing Alembic logs (server/cli/common.py).
    from server.db import upgrade

    try:
        _restore_plain(settings, Path(args.path), args.identity)
    except BackupError as error:
        print(f"restore failed: {error}", file=sys.stderr)
        return 1
    # A backup from an older release is brought up to this release's schema.
    upgrade(database_url=settings.database_url)
    engine = make_engine(settings.database_url)
    try:
        counts = ", ".join(f"{d.table} {d.rows}" for d in digests(engine))
    finally:
        engine.dispose()
    print(f"restored {args.path}: {counts}")
    return 0


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add backup and restore to `admin`."""
    p = sub.add_parser("backup", help="write a consistent backup (pg_dump / SQLite online backup) to a new file")
    p.add_argument("path")
    p.add_argument("--encrypt-to", metavar="RECIPIENTS_FILE",
                   help="encrypt with age to these public keys, writing PATH.age (default: backup_encrypt_to)")
    p.add_argument("--copy-to", metavar="TARGET",
                   help="then copy it to a directory, user@host:dir/ or rsync://host/module/ (default: "
                        "backup_copy_to; encrypted backups only)")
    p.set_defaults(run=_cmd_backup)
    p = sub.add_parser("restore", help="restore a backup into an EMPTY database (SERVER_DATABASE_URL)")
    p.add_argument("path")
    p.add_argument("--identity", metavar="KEY_FILE", help="age private key, for an encrypted backup")
    p.set_defaults(run=_cmd_restore)
