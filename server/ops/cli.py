"""`python -m server admin` subcommands for operations: enrollment codes and their lockout, backup, restore,
retention, ILS export."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.exc import DatabaseError

from server import audit
from server.config import Settings

if TYPE_CHECKING:  # the state is built on demand, as admin_cli does
    from server.state import AppState


def _state(settings: Settings) -> AppState:
    from server.admin_cli import _state as admin_state

    return admin_state(settings)


def _actor() -> str:
    from server.admin_cli import _actor as admin_actor

    return admin_actor()


def _cmd_enroll_code(settings: Settings, args: argparse.Namespace) -> int:
    from server.fleet.maintenance import set_random_pin
    from server.ops.enroll import issue_code

    state = _state(settings)
    minutes = args.minutes or settings.enroll_code_minutes
    pins: dict[str, str] = {}
    try:
        with state.sessions() as session, session.begin():
            code = issue_code(session=session, kiosk_id=args.kiosk_id, now=state.clock.now(), minutes=minutes,
                              name=args.name)
            audit.record(session=session, at=state.clock.now(), actor_type="admin_cli", actor_id=_actor(),
                         action="kiosk.enroll_code", outcome="ok",
                         detail={"kiosk_id": args.kiosk_id, "minutes": minutes})
            # Maintenance PINs for this kiosk only (server/fleet/maintenance.py), made with the code.
            for staff_id in dict.fromkeys(args.maintenance_staff):
                pins[staff_id] = set_random_pin(session=session, kiosk_id=args.kiosk_id, staff_id=staff_id,
                                                now=state.clock.now())
                audit.record(session=session, at=state.clock.now(), actor_type="admin_cli", actor_id=_actor(),
                             action="kiosk.maintenance_pin", outcome="ok",
                             detail={"kiosk_id": args.kiosk_id, "staff_id": staff_id, "pin": "random"})
    except ValueError as error:
        print(f"cannot issue a code: {error}", file=sys.stderr)
        return 1
    print(f"kiosk {args.kiosk_id}: one-time enrollment code, valid for {minutes} minutes (shown once):")
    print(code)
    print(f"on the kiosk: python -m kiosk.enroll {code} --server <this server's public URL>")
    for staff_id, pin in pins.items():
        print(f"maintenance PIN of {staff_id} at {args.kiosk_id} (shown once; for that kiosk only): {pin}")
    return 0


def _cmd_enroll_unlock(settings: Settings, args: argparse.Namespace) -> int:
    from server.ops.enroll import clear_failures, client_key

    state = _state(settings)
    with state.sessions() as session, session.begin():
        cleared = clear_failures(session=session, client=args.client)
        audit.record(session=session, at=state.clock.now(), actor_type="admin_cli", actor_id=_actor(),
                     action="kiosk.enroll_unlock", outcome="ok",
                     detail={"client": client_key(args.client) if args.client else "*", "cleared": cleared})
    who = f"client {client_key(args.client)}" if args.client else "every client"
    print(f"enrollment: {cleared} failed tries of {who} forgotten; it may try again now")
    return 0


def _written_backup(settings: Settings, args: argparse.Namespace) -> Path:
    """Take the backup, encrypted when a recipients file is set (the plain dump is removed at once)."""
    from server.ops.backup import BackupError, backup
    from server.ops.backup_crypt import SUFFIX, check_recipients, encrypt

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
    from server.db import make_engine
    from server.ops.backup import BackupError, digests
    from server.ops.backup_copy import copy_off

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
    import tempfile

    from server.ops.backup import BackupError, restore
    from server.ops.backup_crypt import decrypt, is_encrypted

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
    from server.db import make_engine
    from server.ops.backup import BackupError, digests
    from server.schema import upgrade

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


def _cmd_retention(settings: Settings, _args: argparse.Namespace) -> int:
    from server.ops.retention import Periods, apply

    state = _state(settings)
    periods = Periods(tickets=settings.retention_tickets_days, audit=settings.retention_audit_days,
                      statistics=settings.retention_statistics_days,
                      ended_links=settings.retention_ended_links_days,
                      decided_migrations=settings.retention_decided_migrations_days)
    try:
        with state.sessions() as session, session.begin():
            done = apply(session=session, periods=periods, now=state.clock.now(), today=state.clock.today())
            audit.record(session=session, at=state.clock.now(), actor_type="admin_cli", actor_id=_actor(),
                         action="retention.apply", outcome="ok", detail=done)
    except (ValueError, DatabaseError) as error:
        # The database refuses to delete audit events younger than 365 days, whatever the setting says.
        print(f"retention not applied (nothing was deleted): {str(error).splitlines()[0]}", file=sys.stderr)
        return 1
    print("retention applied: " + ", ".join(f"{k} {v}" for k, v in done.items()))
    return 0


def _cmd_export_links(settings: Settings, args: argparse.Namespace) -> int:
    from server.ops.ils import mykey_links_csv

    state = _state(settings)
    since = date.fromisoformat(args.since) if args.since else None
    with state.sessions() as session, session.begin():
        text, count = mykey_links_csv(session=session, since=since)
        audit.record(session=session, at=state.clock.now(), actor_type="admin_cli", actor_id=_actor(),
                     action="ils.export_mykey_links", outcome="ok",
                     detail={"links": count, "since": args.since or ""})
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"{count} MyKey links written to {args.output}")
    else:
        sys.stdout.write(text)
    return 0


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the operations subcommands to `admin`."""
    p = sub.add_parser("kiosk-enroll-code", help="print a one-time code a kiosk redeems for its id and secret")
    p.add_argument("--kiosk-id", required=True)
    p.add_argument("--name", default="", help="name of a new kiosk")
    p.add_argument("--minutes", type=int, help="validity (default: enroll_code_minutes)")
    p.add_argument("--maintenance-staff", action="append", default=[], metavar="STAFF_ID",
                   help="also give this staff member a random maintenance PIN for this kiosk (repeatable)")
    p.set_defaults(run=_cmd_enroll_code)
    p = sub.add_parser("enroll-unlock", help="forget failed enrollment tries (429 enroll_rate_limited) of one "
                       "client address, or of all")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--client", help="the address the server saw (behind nginx: X-Forwarded-For)")
    who.add_argument("--all", action="store_true", help="every client address")
    p.set_defaults(run=_cmd_enroll_unlock)
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
    sub.add_parser("retention", help="delete tickets, audit events, statistics, ended links and decided migration "
                   "requests past their retention periods"
                   ).set_defaults(run=_cmd_retention)
    p = sub.add_parser("export-mykey-links", help="export active MyKey links for the ILS (CSV)")
    p.add_argument("--since", help="only links made on or after this date (YYYY-MM-DD, Asia/Tokyo)")
    p.add_argument("--output", help="file to write (default: standard output)")
    p.set_defaults(run=_cmd_export_links)
