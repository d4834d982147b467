"""`python -m server admin ...`: kiosks, staff accounts, CSV import, linkage history, audit export.
from server.state import AppState

CSV import format (UTF-8, header row; the library's ILS export):
    card_number,name,birth_date,registered_on,cert_serial,cert_issuer
birth_date / registered_on are YYYY-MM-DD; cert_serial (hex) and cert_issuer (RFC 4514) are
empty for patrons without an old-scheme My Number link. Each row is its own transaction:
good rows are imported, bad rows are reported with their line number and the command
exits with status 1. With --dry-run every row goes through the same checks (duplicates within the
file and against the database included) in one transaction that is rolled back: the report lists
every row the import would reject, and nothing is written.
"""

from __future__ import annotations

import argparse
import csv
import getpass
import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server import audit
from server.auth.kiosk import create_kiosk, list_kiosks
from server.auth.staff import ROLES, create_staff, list_staff
from server.auth.staff_lockout import active_lockouts, clear_lockout
from server.config import Settings
from server.domain.cards import is_valid_card_number
from server.domain.linkage import add_old_link, linkage_history
from server.domain.patrons import create_patron, find_patron, get_patron
from server.errors import ApiError
from server.fleet.maintenance import DEFAULT_DIGITS, clash
from server.models import Kiosk

if TYPE_CHECKING:  # built on demand by _state
    from server.state import AppState

# The first four are required; "address" (the address on record, compared by kiosk renewal requests) is optional.
CSV_COLUMNS = ("card_number", "name", "birth_date", "registered_on", "cert_serial", "cert_issuer", "address")
MAX_ADDRESS = 400


@dataclass(frozen=True)
class RowError:
    """One rejected CSV row."""

    line: int
    card_number: str
    message: str


def _state(settings: Settings) -> AppState:
    from server.schema import upgrade
    from server.state import build_state

    upgrade(database_url=settings.database_url)
    return build_state(settings)


def _actor() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in some containers
        return "unknown"


def _parse_address(row: dict[str, str]) -> str | None:
    address = (row.get("address") or "").strip()
    if len(address) > MAX_ADDRESS or any(ord(c) < 0x20 or ord(c) == 0x7F for c in address):
        raise ValueError(f"address is longer than {MAX_ADDRESS} characters or holds control characters")
    return address or None


def _parse_row(row: dict[str, str]) -> tuple[str, str, date, date, str, str]:
    number = (row.get("card_number") or "").strip()
    if not is_valid_card_number(number):
        raise ValueError("malformed card number (10 digits, Luhn check digit)")
    name = (row.get("name") or "").strip()
    if not name:
        raise ValueError("name is empty")
    try:
        birth = date.fromisoformat((row.get("birth_date") or "").strip())
        registered = date.fromisoformat((row.get("registered_on") or "").strip())
    except ValueError:
        raise ValueError("dates must be YYYY-MM-DD") from None
    if registered < birth:
        raise ValueError("registered_on is before birth_date")
    serial = (row.get("cert_serial") or "").strip()
    issuer = (row.get("cert_issuer") or "").strip()
    if bool(serial) != bool(issuer):
        raise ValueError("cert_serial and cert_issuer go together")
    if serial:
        try:
            int(serial.replace(":", ""), 16)
        except ValueError:
            raise ValueError("cert_serial is not hexadecimal") from None
    return number, name, birth, registered, serial, issuer


def _import_row(*, session: Session, row: dict[str, str], now: datetime, actor: str) -> None:
    """Check and write one CSV row in the caller's transaction (ValueError, ApiError or IntegrityError if bad)."""
    number, name, birth, registered, serial, issuer = _parse_row(row)
    address = _parse_address(row)
    if find_patron(session=session, card_number=number) is not None:
        raise ValueError("card number already registered")
    patron = create_patron(session=session, card_number=number, name=name, birth_date=birth,
                           registered_on=registered, now=now, address=address)
    if serial:
        add_old_link(session=session, patron=patron, cert_serial=serial, cert_issuer=issuer, now=now)
    audit.record(session=session, at=now, actor_type="admin_cli", actor_id=actor,
                 action="patron.import", outcome="ok", card_number=number,
                 detail={"old_link": bool(serial)})
    session.flush()  # constraint violations surface here, on this row


def import_patrons_csv(
    *, state: AppState, path: Path, actor: str, dry_run: bool = False
) -> tuple[int, list[RowError]]:
    """Import patrons and old-scheme links; returns (rows imported or, dry run, importable, row errors)."""
    imported, errors = 0, []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in CSV_COLUMNS[:4] if c not in (reader.fieldnames or [])]
        if missing:
            return 0, [RowError(1, "", f"missing columns: {', '.join(missing)}")]
        # Dry run: one outer transaction, rolled back at the end, with a savepoint per row, so later
        # rows see earlier good ones (a duplicate within the file is caught) and nothing is kept.
        outer = state.sessions() if dry_run else None
        if outer is not None:
            outer.begin()
        try:
            for row in reader:
                line = reader.line_num
                number = (row.get("card_number") or "").strip()
                try:
                    now = state.clock.now()
                    if outer is not None:
                        with outer.begin_nested():
                            _import_row(session=outer, row=row, now=now, actor=actor)
                    else:
                        with state.sessions() as session, session.begin():
                            _import_row(session=session, row=row, now=now, actor=actor)
                    imported += 1
                except (ValueError, ApiError, IntegrityError) as error:
                    errors.append(RowError(line, number, str(error).splitlines()[0]))
        finally:
            if outer is not None:
                outer.rollback()
                outer.close()
    return imported, errors


def _cmd_kiosk_create(settings: Settings, args: argparse.Namespace) -> int:
    state = _state(settings)
    with state.sessions() as session, session.begin():
        if session.get(Kiosk, args.kiosk_id) is not None:
            print(f"kiosk {args.kiosk_id} exists already", file=sys.stderr)
            return 1
        kiosk = create_kiosk(session=session, kiosk_id=args.kiosk_id, name=args.name, now=state.clock.now(),
                             secret=args.secret)
        audit.record(session=session, at=state.clock.now(), actor_type="admin_cli", actor_id=_actor(),
                     action="kiosk.create", outcome="ok", detail={"kiosk_id": args.kiosk_id})
        print(f"kiosk {kiosk.kiosk_id} created; secret (put it in that kiosk's config, shown once):")
        print(kiosk.secret)
    return 0


def _cmd_kiosk_list(settings: Settings, _args: argparse.Namespace) -> int:
    from server.fleet.maintenance import pins_by_kiosk

    state = _state(settings)
    with state.sessions() as session:
        pins = pins_by_kiosk(session=session)
        for kiosk in list_kiosks(session=session):
            staff = ", ".join(pins.get(kiosk.kiosk_id, [])) or "none"
            print(f"{kiosk.kiosk_id}\t{'active' if kiosk.active else 'revoked'}\t{kiosk.name}"
                  f"\tmaintenance PINs: {staff}")
    return 0


def _cmd_maintenance_pin(settings: Settings, args: argparse.Namespace) -> int:
    from server.fleet.maintenance import clear_pin, set_pin, set_random_pin

    state = _state(settings)
    what = "clear" if args.clear else "chosen" if args.pin else "random"
    detail = {"kiosk_id": args.kiosk_id, "staff_id": args.staff_id, "pin": what}
    try:
        with state.sessions() as session, session.begin():
            now = state.clock.now()
            if args.clear:
                if not clear_pin(session=session, kiosk_id=args.kiosk_id, staff_id=args.staff_id):
                    raise ValueError(f"{args.staff_id} has no maintenance PIN at {args.kiosk_id}")
                pin = None
            elif args.pin:
                set_pin(session=session, kiosk_id=args.kiosk_id, staff_id=args.staff_id, pin=args.pin, now=now)
                pin = None
            else:
                pin = set_random_pin(session=session, kiosk_id=args.kiosk_id, staff_id=args.staff_id, now=now,
                                     digits=args.digits)
            audit.record(session=session, at=now, actor_type="admin_cli", actor_id=_actor(),
                         action="kiosk.maintenance_pin", outcome="ok", detail=detail)
    except ValueError as error:
        print(f"maintenance PIN of {args.staff_id} at {args.kiosk_id} not changed: {error}", file=sys.stderr)
        return 1
    if args.clear:
        print(f"{args.staff_id}: no maintenance PIN at {args.kiosk_id} any more (the kiosk drops it on its next "
              "refresh, within 15 minutes)")
    else:
        print(f"{args.staff_id}: maintenance PIN at {args.kiosk_id} set (the kiosk takes it on its next refresh, "
              "within 15 minutes); it opens that kiosk's maintenance mode only, not the staff pages")
    if pin is not None:
        print("the PIN (shown once; give it to that staff member only):")
        print(pin)
    return 0


def _cmd_kiosk_revoke(settings: Settings, args: argparse.Namespace) -> int:
    state = _state(settings)
    with state.sessions() as session, session.begin():
        kiosk = session.get(Kiosk, args.kiosk_id)
        if kiosk is None:
            print(f"no kiosk {args.kiosk_id}", file=sys.stderr)
            return 1
        kiosk.active = False
        audit.record(session=session, at=state.clock.now(), actor_type="admin_cli", actor_id=_actor(),
                     action="kiosk.revoke", outcome="ok", detail={"kiosk_id": args.kiosk_id})
    print(f"kiosk {args.kiosk_id} revoked")
    return 0


def _cmd_kiosk_rotate(settings: Settings, args: argparse.Namespace) -> int:
    from server.fleet.service import rotate_kiosk_secret

    state = _state(settings)
    with state.sessions() as session, session.begin():
        kiosk = session.get(Kiosk, args.kiosk_id)
        if kiosk is None:
            print(f"no kiosk {args.kiosk_id}", file=sys.stderr)
            return 1
        if not kiosk.active:
            print(f"kiosk {args.kiosk_id} is revoked; a revoked kiosk keeps no secret worth rotating",
                  file=sys.stderr)
            return 1
        secret = rotate_kiosk_secret(session=session, kiosk_id=args.kiosk_id)
        audit.record(session=session, at=state.clock.now(), actor_type="admin_cli", actor_id=_actor(),
                     action="kiosk.rotate", outcome="ok", detail={"kiosk_id": args.kiosk_id})
    # The old secret is refused from now on: put this one in the kiosk's config (server.secret).
    print(f"kiosk {args.kiosk_id}: new secret (put it in that kiosk's config, shown once; the old one is refused):")
    print(secret)
    return 0

def _cmd_staff_create(settings: Settings, args: argparse.Namespace) -> int:
    state = _state(settings)
    pin = args.pin or getpass.getpass("PIN: ")
    try:
        with state.sessions() as session, session.begin():
            # A kiosk holds maintenance PINs' hashes: a staff PIN equal to one would fall with that kiosk.
            if clash(session=session, pin=pin, staff_pins=False):
                raise ValueError("that PIN is a kiosk maintenance PIN; choose another")
            create_staff(session=session, staff_id=args.staff_id, name=args.name, role=args.role, pin=pin,
                         now=state.clock.now())
            audit.record(session=session, at=state.clock.now(), actor_type="admin_cli", actor_id=_actor(),
                         action="staff.create", outcome="ok", detail={"staff_id": args.staff_id, "role": args.role})
    except (ValueError, IntegrityError) as error:
        print(f"cannot create staff {args.staff_id}: {str(error).splitlines()[0]}", file=sys.stderr)
        return 1
    print(f"staff {args.staff_id} ({args.role}) created")
    return 0


def _cmd_staff_list(settings: Settings, _args: argparse.Namespace) -> int:
    state = _state(settings)
    with state.sessions() as session:
        for member in list_staff(session=session):
            print(f"{member.staff_id}\t{member.role}\t{'active' if member.active else 'disabled'}\t{member.name}")
    return 0


def _cmd_staff_lockouts(settings: Settings, _args: argparse.Namespace) -> int:
    state = _state(settings)
    with state.sessions() as session:
        for lock in active_lockouts(session=session, now=state.clock.now()):
            print(f"{lock.id}\t{lock.kind}\t{lock.subject}\t{lock.failures} wrong PINs\tuntil {lock.until.isoformat()}")
    return 0


def _cmd_staff_unlock(settings: Settings, args: argparse.Namespace) -> int:
    state = _state(settings)
    try:
        with state.sessions() as session, session.begin():
            clear_lockout(session=session, lockout_id=args.lockout_id, by=_actor(), actor_type="admin_cli",
                          now=state.clock.now())
    except ApiError:
        print(f"no lockout {args.lockout_id} in force (see staff-lockouts)", file=sys.stderr)
        return 1
    print(f"lockout {args.lockout_id} cleared")
    return 0


def _cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    state = _state(settings)
    imported, errors = import_patrons_csv(state=state, path=Path(args.csv), actor=_actor(), dry_run=args.dry_run)
    for error in errors:
        print(f"line {error.line}: {error.card_number or '-'}: {error.message}", file=sys.stderr)
    if args.dry_run:
        print(f"dry run: {imported} patrons would be imported, {len(errors)} rows would be rejected; nothing written")
    else:
        print(f"imported {imported} patrons, {len(errors)} rows rejected")
    return 1 if errors else 0


def _cmd_history(settings: Settings, args: argparse.Namespace) -> int:
    state = _state(settings)
    with state.sessions() as session:
        try:
            patron = get_patron(session=session, card_number=args.card_number)
        except ApiError as error:
            print(error.spec.message_en, file=sys.stderr)
            return 1
        print(f"{patron.card_number} {patron.name} born {patron.birth_date} registered {patron.registered_on}")
        for link in linkage_history(session=session, patron_id=patron.id):
            if link.scheme == "mykey":
                what = f"mykey {link.mykey_id}"
            else:
                what = f"old {link.cert_serial} / {link.cert_issuer}"
            ended = f" ended {link.ended_at:%Y-%m-%d %H:%M} ({link.ended_reason})" if link.ended_at else ""
            print(f"  {'ACTIVE' if link.active else 'history'} {what} since {link.created_at:%Y-%m-%d %H:%M}{ended}")
    return 0


def _cmd_audit_export(settings: Settings, args: argparse.Namespace) -> int:
    state = _state(settings)
    with state.sessions() as session:
        text = audit.export_csv(session=session)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _cmd_seed_demo(settings: Settings, _args: argparse.Namespace) -> int:
    from server.seed import seed_demo

    state = _state(settings.model_copy(update={"use_test_pki": True}))
    seed_demo(state=state)
    print("demo data set is in place")
    return 0


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `admin` and its subcommands to the top-level parser."""
    admin = commands.add_parser("admin", help="administration: kiosks, staff, import, history, audit")
    sub = admin.add_subparsers(dest="admin_command", required=True)
    p = sub.add_parser("kiosk-create", help="register a kiosk and print its secret")
    p.add_argument("kiosk_id")
    p.add_argument("--name", default="")
    p.add_argument("--secret", help="use this secret instead of a random one")
    p.set_defaults(run=_cmd_kiosk_create)
    sub.add_parser("kiosk-list", help="list kiosks").set_defaults(run=_cmd_kiosk_list)
    p = sub.add_parser("kiosk-revoke", help="revoke a kiosk (its requests get 401)")
    p.add_argument("kiosk_id")
    p.set_defaults(run=_cmd_kiosk_revoke)
    p = sub.add_parser("kiosk-rotate", help="give a kiosk a new secret (printed once; the old one gets 401)")
    p.add_argument("kiosk_id")
    p.set_defaults(run=_cmd_kiosk_rotate)
    p = sub.add_parser("kiosk-maintenance-pin",
                       help="set (random unless --pin) or --clear a staff member's maintenance PIN at one kiosk")
    p.add_argument("kiosk_id")
    p.add_argument("staff_id")
    how = p.add_mutually_exclusive_group()
    how.add_argument("--pin", help="these digits (refused if a staff PIN or a maintenance PIN elsewhere)")
    how.add_argument("--digits", type=int, default=DEFAULT_DIGITS, help="length of a random PIN (default %(default)s)")
    how.add_argument("--clear", action="store_true", help="remove it: that staff member cannot sign in there")
    p.set_defaults(run=_cmd_maintenance_pin)
    p = sub.add_parser("staff-create", help="create a staff account")
    p.add_argument("staff_id")
    p.add_argument("--name", required=True)
    p.add_argument("--role", choices=ROLES, default="counter")
    p.add_argument("--pin", help="digits; asked for when omitted")
    p.set_defaults(run=_cmd_staff_create)
    sub.add_parser("staff-list", help="list staff accounts").set_defaults(run=_cmd_staff_list)
    sub.add_parser("staff-lockouts", help="list staff sign-in lockouts in force (id, kind, subject)").set_defaults(
        run=_cmd_staff_lockouts)
    p = sub.add_parser("staff-unlock", help="clear a staff sign-in lockout (id from staff-lockouts)")
    p.add_argument("lockout_id", type=int)
    p.set_defaults(run=_cmd_staff_unlock)
    p = sub.add_parser("import-patrons", help="import patrons and old-scheme links from CSV")
    p.add_argument("csv")
    p.add_argument("--dry-run", action="store_true", help="check every row and report rejects; write nothing")
    p.set_defaults(run=_cmd_import)
    p = sub.add_parser("history", help="show a patron's linkage history")
    p.add_argument("card_number")
    p.set_defaults(run=_cmd_history)
    p = sub.add_parser("audit-export", help="export the audit log as CSV")
    p.add_argument("--output", help="file to write (default: standard output)")
    p.set_defaults(run=_cmd_audit_export)
    sub.add_parser("seed-demo", help="create the demo data set").set_defaults(run=_cmd_seed_demo)
    from server.ops.cli import add_commands as add_ops_commands

    add_ops_commands(sub)  # kiosk-enroll-code, enroll-unlock, backup, restore, retention, export-mykey-links
