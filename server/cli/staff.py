"""`python -m server admin` commands for staff accounts and their sign-in lockouts."""

from __future__ import annotations

import argparse
import getpass
import sys

from sqlalchemy.exc import IntegrityError

from server import audit
from server.auth.staff import ROLES, create_staff, list_staff
from server.auth.staff_lockout import active_lockouts, clear_lockout
from server.cli.common import actor, open_state
from server.config import Settings
from server.errors import ApiError
from server.fleet.maintenance import clash


def _cmd_staff_create(settings: Settings, args: argparse.Namespace) -> int:
    state = open_state(settings)
    pin = args.pin or getpass.getpass("PIN: ")
    try:
        with state.sessions() as session, session.begin():
            # A kiosk holds maintenance PINs' hashes: a staff PIN equal to one would fall with that kiosk.
            if clash(session=session, pin=pin, staff_pins=False):
                raise ValueError("that PIN is a kiosk maintenance PIN; choose another")
            create_staff(session=session, staff_id=args.staff_id, name=args.name, role=args.role, pin=pin,
                         now=state.clock.now())
            audit.record(session=session, at=state.clock.now(), actor_type="admin_cli", actor_id=actor(),
                         action="staff.create", outcome="ok", detail={"staff_id": args.staff_id, "role": args.role})
    except (ValueError, IntegrityError) as error:
        print(f"cannot create staff {args.staff_id}: {str(error).splitlines()[0]}", file=sys.stderr)
        return 1
    print(f"staff {args.staff_id} ({args.role}) created")
    return 0


def _cmd_staff_list(settings: Settings, _args: argparse.Namespace) -> int:
    state = open_state(settings)
    with state.sessions() as session:
        for member in list_staff(session=session):
            print(f"{member.staff_id}\t{member.role}\t{'active' if member.active else 'disabled'}\t{member.name}")
    return 0


def _cmd_staff_lockouts(settings: Settings, _args: argparse.Namespace) -> int:
    state = open_state(settings)
    with state.sessions() as session:
        for lock in active_lockouts(session=session, now=state.clock.now()):
            print(f"{lock.id}\t{lock.kind}\t{lock.subject}\t{lock.failures} wrong PINs\tuntil {lock.until.isoformat()}")
    return 0


def _cmd_staff_unlock(settings: Settings, args: argparse.Namespace) -> int:
    state = open_state(settings)
    try:
        with state.sessions() as session, session.begin():
            clear_lockout(session=session, lockout_id=args.lockout_id, by=actor(), actor_type="admin_cli",
                          now=state.clock.now())
    except ApiError:
        print(f"no lockout {args.lockout_id} in force (see staff-lockouts)", file=sys.stderr)
        return 1
    print(f"lockout {args.lockout_id} cleared")
    return 0


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the staff commands to `admin`."""
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
