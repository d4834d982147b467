"""`python -m server admin` commands for patron data in and out with the library's ILS: the patrons' CSV
import, a patron's linkage history, and the export of MyKey links.

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
import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server import audit
from server.cli.common import actor, open_state
from server.config import Settings
from server.errors import ApiError
from server.patrons.card_numbers import is_valid_card_number
from server.patrons.ils import mykey_links_csv
from server.patrons.linkage import add_old_link, linkage_history
from server.patrons.service import create_patron, find_patron, get_patron
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


def _cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    state = open_state(settings)
    imported, errors = import_patrons_csv(state=state, path=Path(args.csv), actor=actor(), dry_run=args.dry_run)
    for error in errors:
        print(f"line {error.line}: {error.card_number or '-'}: {error.message}", file=sys.stderr)
    if args.dry_run:
        print(f"dry run: {imported} patrons would be imported, {len(errors)} rows would be rejected; nothing written")
    else:
        print(f"imported {imported} patrons, {len(errors)} rows rejected")
    return 1 if errors else 0


def _cmd_history(settings: Settings, args: argparse.Namespace) -> int:
    state = open_state(settings)
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


def _cmd_export_links(settings: Settings, args: argparse.Namespace) -> int:
    state = open_state(settings)
    since = date.fromisoformat(args.since) if args.since else None
    with state.sessions() as session, session.begin():
        text, count = mykey_links_csv(session=session, since=since)
        audit.record(session=session, at=state.clock.now(), actor_type="admin_cli", actor_id=actor(),
                     action="ils.export_mykey_links", outcome="ok",
                     detail={"links": count, "since": args.since or ""})
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"{count} MyKey links written to {args.output}")
    else:
        sys.stdout.write(text)
    return 0


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the patron data commands to `admin`."""
    p = sub.add_parser("import-patrons", help="import patrons and old-scheme links from CSV")
    p.add_argument("csv")
    p.add_argument("--dry-run", action="store_true", help="check every row and report rejects; write nothing")
    p.set_defaults(run=_cmd_import)
    p = sub.add_parser("history", help="show a patron's linkage history")
    p.add_argument("card_number")
    p.set_defaults(run=_cmd_history)
    p = sub.add_parser("export-mykey-links", help="export active MyKey links for the ILS (CSV)")
    p.add_argument("--since", help="only links made on or after this date (YYYY-MM-DD, Asia/Tokyo)")
    p.add_argument("--output", help="file to write (default: standard output)")
    p.set_defaults(run=_cmd_export_links)
